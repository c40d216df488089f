"""The notes JSON API (Python's http.server), for requests that Latchkey let through.

Routes, the same behind Latchkey's proxy and behind nginx with forward auth:
  GET    /api/notes        200 {"notes": [{"id": 1, "text": "...", "created_at": "2026-...Z"}]},
                           newest first
  POST   /api/notes        {"text": "..."} -> 201 {"note": {"id", "text", "created_at"}}
  DELETE /api/notes/<id>   200 {"success": true}

Every request needs a valid X-Latchkey-Assertion first (identity.py); then it sees and changes
the caller's own notes only. Errors are JSON in the shape of Latchkey's own (docs/API.md,
"Errors"): {"error": a message for people, "code": stable, "field": the body's key to blame}:
  400 validation_failed       the body is not a JSON object, repeats a key, has a key other than
                              `text`, or `text` is missing, not a string, blank, over
                              MAX_TEXT_CHARS characters or holds control characters (field)
  401 invalid_assertion       no valid assertion: the request did not come through Latchkey
  404 not_found               no such endpoint, or no such note of the caller's
  405 method_not_allowed      (Allow lists the methods)
  409 too_many_notes          the caller has store.MAX_NOTES_PER_USER notes
  411 length_required         a body without Content-Length
  413 payload_too_large       a body over MAX_BODY_BYTES
  415 unsupported_media_type  a body that is not application/json
  503 keys_unavailable        Latchkey's JWKS cannot be fetched, so no identity can be checked
  500 internal_error          a bug (logged with its traceback)
"""
import json
import re
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from identity import AssertionVerifier, InvalidAssertion, KeysUnavailable
from store import NotesStore, TooManyNotes

MAX_BODY_BYTES = 16 * 1024
# An unread body up to this size is read and dropped to keep the connection (closing a socket
# with data unread makes the kernel send a reset, which can cost the client the answer).
DRAIN_BYTES = 256 * 1024
MAX_TEXT_CHARS = 1000
_NOTE_PATH = re.compile(r"/api/notes/([1-9][0-9]{0,17})")
# C0 controls but TAB, LF and CR; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ApiError(Exception):
    def __init__(self, status, code, message, field=None, allow=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.allow = field, allow

    def body(self):
        body = {"error": self.message, "code": self.code}
        if self.field is not None:
            body["field"] = self.field
        return body


def _refuse_repeated_keys(pairs):
    # JSON parsers disagree on which of two equal keys wins; refuse rather than guess.
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ApiError(400, "validation_failed", "The body repeats a key", field=key)
        seen[key] = value
    return seen


def _invalid(message, field):
    return ApiError(400, "validation_failed", message, field=field)


def note_text(body):
    """-> the note's text from a POST body (a dict), stripped; raises ApiError (400, field)."""
    for key in body:
        if key != "text":
            raise _invalid(f"Unknown field: {key}", key)
    text = body.get("text")
    if not isinstance(text, str):
        raise _invalid("Write the note as text", "text")
    text = text.strip()
    if not text:
        raise _invalid("Write something first", "text")
    if len(text) > MAX_TEXT_CHARS:
        raise _invalid(f"A note has at most {MAX_TEXT_CHARS} characters", "text")
    if _CONTROL.search(text):
        raise _invalid("A note cannot hold control characters", "text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, "\ud800" in the JSON
        raise _invalid("A note must be valid Unicode", "text") from None
    return text


class NotesHandler(BaseHTTPRequestHandler):
    """One request: identity, route, answer. The server holds `verifier` and `store`."""

    protocol_version = "HTTP/1.1"  # keep-alive: Latchkey pools its connections to upstreams
    server_version = "notes-backend"
    timeout = 120  # an idle keep-alive connection is closed after this (Latchkey's pool: 60 s)

    def version_string(self):
        return self.server_version  # the Server header, without Python's version

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        self._body_read = False
        try:
            who = self.server.verifier.verify(self.headers.get("X-Latchkey-Assertion"))
            status, body = self._route(method, urlsplit(self.path).path, who.user_id)
            self._send(status, body)
        except ApiError as e:
            self._send(e.status, e.body(), allow=e.allow)
        except InvalidAssertion as e:
            # repr: the reason may quote the caller's input (a kid), which must not forge log lines.
            self.log_message("refused: %r", str(e))
            self._send(401, {"error": "No valid identity from Latchkey",
                             "code": "invalid_assertion"})
        except KeysUnavailable as e:
            self.log_message("%s", e)
            self._send(503, {"error": "Cannot check identities now", "code": "keys_unavailable"})
        except TooManyNotes as e:
            self._send(409, {"error": f"You have the most notes allowed ({e})",
                             "code": "too_many_notes"})
        except Exception:  # a bug: logged, and the client learns nothing of it
            self.log_message("internal error: %s", traceback.format_exc())
            self._send(500, {"error": "Internal error", "code": "internal_error"})

    def _route(self, method, path, user_id):
        """-> (status, body) for the caller `user_id`; raises ApiError."""
        store = self.server.store
        if path == "/api/notes":
            if method == "GET":
                return 200, {"notes": store.list(user_id)}
            if method == "POST":
                return 201, {"note": store.create(user_id, note_text(self._read_json()))}
            raise ApiError(405, "method_not_allowed", "Method not allowed", allow="GET, POST")
        match = _NOTE_PATH.fullmatch(path)
        if match:
            if method != "DELETE":
                raise ApiError(405, "method_not_allowed", "Method not allowed", allow="DELETE")
            if not store.delete(user_id, int(match.group(1))):
                raise ApiError(404, "not_found", "No such note")
            return 200, {"success": True}
        raise ApiError(404, "not_found", "No such endpoint")

    def _read_json(self):
        """-> the request body, a JSON object as a dict; raises ApiError."""
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(415, "unsupported_media_type", "Send the body as application/json")
        length = self.headers.get("Content-Length")
        if length is None or self.headers.get("Transfer-Encoding"):
            raise ApiError(411, "length_required", "Send the body with a Content-Length")
        if not length.isdigit():
            raise ApiError(400, "validation_failed", "Bad Content-Length")
        if int(length) > MAX_BODY_BYTES:
            raise ApiError(413, "payload_too_large", f"The body is over {MAX_BODY_BYTES} bytes")
        raw = self.rfile.read(int(length))
        self._body_read = True
        try:
            body = json.loads(raw.decode("utf-8"), object_pairs_hook=_refuse_repeated_keys)
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "validation_failed", "The body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "validation_failed", "The body must be a JSON object")
        return body

    def _send(self, status, body, allow=None):
        data = json.dumps(body).encode("utf-8")
        keep_alive = self._finish_body()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if allow:
            self.send_header("Allow", allow)
        if not keep_alive:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _finish_body(self):
        """-> whether the connection can take another request. A body that was not read (the
        request was refused first) would be taken for the next request: it is read and dropped
        when its length is known and at most DRAIN_BYTES, else the connection is closed."""
        if self._body_read:
            return True
        if self.headers.get("Transfer-Encoding"):
            return False
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > DRAIN_BYTES:
            return False
        self.rfile.read(int(length))
        self._body_read = True
        return True


def make_server(port: int, verifier: AssertionVerifier, store: NotesStore) -> ThreadingHTTPServer:
    """A server on 127.0.0.1:port (0: a free port; see server_address), never another address:
    only Latchkey, or the proxy in front, should reach it. Not started: call serve_forever()."""
    server = ThreadingHTTPServer(("127.0.0.1", port), NotesHandler)
    server.verifier = verifier
    server.store = store
    return server
