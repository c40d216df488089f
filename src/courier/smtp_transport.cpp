#include "courier/smtp_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace latchkey::courier {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// libcurl's progress callback: non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
int AbortWhenCancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel && cancel->load() ? 1 : 0;
}

// Which part of the exchange was reached: a 5yz reply is permanent only from kMessage on.
enum class Stage { kSession, kMessage };

// libcurl's debug callback (CURLOPT_VERBOSE): follows the SMTP commands sent. Only the first
// characters of a command line are looked at (an AUTH line carries the credentials). The
// stage only moves forward: libcurl sends QUIT after a refused RCPT TO before it returns.
int TrackStage(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto* stage = static_cast<Stage*>(user);
  std::string_view line(data, size);
  if (type == CURLINFO_DATA_OUT ||
      (type == CURLINFO_HEADER_OUT && (line.starts_with("RCPT ") || line.starts_with("DATA")))) {
    *stage = Stage::kMessage;
  }
  return 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

SmtpTransport::SmtpTransport(TransportSpec spec, Secret password, SmtpOptions options)
    : spec_(std::move(spec)), password_(std::move(password)), options_(std::move(options)) {
  InitCurlOnce();
}

std::string SmtpTransport::Describe() const {
  std::string tls = spec_.implicit_tls       ? "TLS"
                    : spec_.require_starttls ? "STARTTLS required"
                                             : "no TLS";
  return spec_.Url() + " (" + tls + (spec_.user.empty() ? "" : ", AUTH as " + spec_.user) + ")";
}

std::optional<SendFailure> SmtpTransport::Send(const Envelope& envelope, std::string_view message) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return SendFailure{"cannot start libcurl"};
  CURL* c = curl.get();
  char error[CURL_ERROR_SIZE] = {0};
  std::string url = spec_.Url();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (const std::atomic<bool>* cancel = cancel_.load()) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &AbortWhenCancelled);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel));
  }
  if (!spec_.implicit_tls) {
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     spec_.require_starttls ? static_cast<long>(CURLUSESSL_ALL)
                                            : static_cast<long>(CURLUSESSL_NONE));
  }
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  std::string password(password_.Reveal());
  if (!spec_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, spec_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
  }
  std::string from = "<" + envelope.from + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  std::string to = "<" + envelope.to + ">";
  std::unique_ptr<curl_slist, ListDeleter> rcpt(curl_slist_append(nullptr, to.c_str()));
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  Upload upload{message};
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  Stage stage = Stage::kSession;
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, &TrackStage);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &stage);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  CURLcode rc = curl_easy_perform(c);
  Secret wipe(std::move(password));
  if (rc == CURLE_OK) return std::nullopt;
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  std::string reason = error[0] ? error : curl_easy_strerror(rc);
  SendFailure failure;
  failure.permanent = stage == Stage::kMessage && reply >= 500 && reply < 600;
  failure.error =
      spec_.host + ": " + reason + (reply ? " (reply " + std::to_string(reply) + ")" : "");
  return failure;
}

}  // namespace latchkey::courier
