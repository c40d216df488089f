#include "courier/mime_message.h"

#include <gmime/gmime.h>

#include <memory>
#include <mutex>

#include "crypto/random.h"

namespace latchkey::courier {
namespace {

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct Unref {
  void operator()(void* object) const { g_object_unref(object); }
};
template <typename T>
using Ref = std::unique_ptr<T, Unref>;

}  // namespace

std::optional<Mailbox> ParseMailbox(std::string_view text) {
  if (text.empty() || text.find_first_of("\r\n") != std::string_view::npos) return std::nullopt;
  InitOnce();
  std::string copy(text);
  Ref<InternetAddressList> list(internet_address_list_parse(nullptr, copy.c_str()));
  if (!list || internet_address_list_length(list.get()) != 1) return std::nullopt;
  InternetAddress* address = internet_address_list_get_address(list.get(), 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX(address)) return std::nullopt;
  const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
  const char* name = internet_address_get_name(address);
  Mailbox box{name ? name : "", addr ? addr : ""};
  auto at = box.address.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == box.address.size()) return std::nullopt;
  return box;
}

std::string NewMessageId(std::string_view from_address) {
  auto at = from_address.rfind('@');
  std::string_view domain = at == std::string_view::npos || at + 1 == from_address.size()
                                ? std::string_view("latchkey.invalid")
                                : from_address.substr(at + 1);
  return crypto::RandomToken(16) + "@" + std::string(domain);
}

std::string BuildMimeMessage(const MimeHeaders& headers, const RenderedMail& mail) {
  InitOnce();
  Ref<GMimeMessage> message(g_mime_message_new(TRUE));  // TRUE: MIME-Version and the like
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_FROM,
                             headers.from.name.empty() ? nullptr : headers.from.name.c_str(),
                             headers.from.address.c_str());
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, nullptr, headers.to.c_str());
  g_mime_message_set_subject(message.get(), mail.subject.c_str(), "utf-8");
  g_mime_message_set_message_id(message.get(), headers.message_id.c_str());
  GDateTime* date = g_date_time_new_from_unix_utc(ToUnixSeconds(headers.date));
  g_mime_message_set_date(message.get(), date);
  g_date_time_unref(date);
  // RFC 3834 5: a notice no auto-responder should answer.
  g_mime_object_set_header(GMIME_OBJECT(message.get()), "Auto-Submitted", "auto-generated",
                           nullptr);

  Ref<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
  Ref<GMimeTextPart> text(g_mime_text_part_new_with_subtype("plain"));
  g_mime_text_part_set_text(text.get(), mail.text.c_str());
  g_mime_text_part_set_charset(text.get(), "utf-8");
  Ref<GMimeTextPart> html(g_mime_text_part_new_with_subtype("html"));
  g_mime_text_part_set_text(html.get(), mail.html.c_str());
  g_mime_text_part_set_charset(html.get(), "utf-8");
  // The plainest first (RFC 2046 5.1.4): readers show the last part they can.
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(text.get()));
  g_mime_multipart_add(alternative.get(), GMIME_OBJECT(html.get()));
  g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(alternative.get()));
  // 7-bit transfer encodings throughout: any relay passes them (RFC 6152 is not assumed).
  g_mime_object_encode(GMIME_OBJECT(message.get()), GMIME_ENCODING_CONSTRAINT_7BIT);

  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  char* raw = g_mime_object_to_string(GMIME_OBJECT(message.get()), options);
  g_mime_format_options_free(options);
  std::string out(raw ? raw : "");
  g_free(raw);
  return out;
}

}  // namespace latchkey::courier
