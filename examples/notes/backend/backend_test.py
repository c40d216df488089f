"""Tests of the notes backend on its own: a JWKS served here with keys made here, so tokens can
be forged every way a caller might try, and each must be refused.

  /usr/bin/python3 -m unittest discover -s examples/notes/backend -p '*_test.py'

(CTest runs this as notes_backend_tests.) The end-to-end journeys with the real Latchkey are
tests/notes/.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from http_api import NotesHandler, make_server
from identity import AssertionVerifier, InvalidAssertion
from store import NotesStore

ISS = "http://latchkey.test"
AUD = "/api/notes"
HERE = os.path.dirname(os.path.abspath(__file__))
LOG = []  # the backend's log lines (its request log and refusals), kept out of the test output


def setUpModule():
    NotesHandler.log_message = lambda self, fmt, *args: LOG.append(fmt % args)


class SigningKey:
    """A key pair as Latchkey holds one: its JWK (public, with kid/alg/use) and a signer."""

    def __init__(self, kind, kid):
        self.kid = kid
        if kind == "EdDSA":
            self.private = ed25519.Ed25519PrivateKey.generate()
            jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private.public_key()))
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key()))
        self.alg = kind
        self.jwk = {**jwk, "kid": kid, "alg": kind, "use": "sig"}

    def sign(self, claims, alg=None, kid=None):
        return jwt.encode(claims, self.private, algorithm=alg or self.alg,
                          headers={"kid": kid or self.kid, "typ": "JWT"})


def claims(sub="1", **extra):
    now = int(time.time())
    base = {"iss": ISS, "aud": AUD, "sub": sub, "sid": "s" * 22, "username": f"user{sub}",
            "iat": now, "exp": now + 60}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class JwksServer:
    """Serves {"keys": [...]} at /jwks.json on 127.0.0.1 and counts the fetches."""

    def __init__(self, keys):
        self.keys = list(keys)
        self.fetches = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.fetches += 1
                data = json.dumps({"keys": [k.jwk for k in owner.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class BackendCase(unittest.TestCase):
    """One backend (its own SQLite file) and one JWKS with an Ed25519 and a P-256 key."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.ed = SigningKey("EdDSA", "ed-1")
        cls.es = SigningKey("ES256", "es-1")
        cls.jwks = JwksServer([cls.ed, cls.es])
        cls.backend = make_server(0, AssertionVerifier(cls.jwks.url, ISS, AUD),
                                  NotesStore(os.path.join(cls.tmp.name, "notes.db")))
        threading.Thread(target=cls.backend.serve_forever, args=(0.05,), daemon=True).start()
        cls.port = cls.backend.server_address[1]

    def tearDown(self):
        bugs = [line for line in LOG if line.startswith("internal error")]
        self.assertEqual(bugs, [], "the backend logged no internal error")

    @classmethod
    def tearDownClass(cls):
        cls.backend.shutdown()
        cls.backend.server_close()
        cls.jwks.close()
        cls.tmp.cleanup()

    def call(self, method, path, token=None, body=None, headers=None, raw=None):
        """-> (status, parsed JSON body, response headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["X-Latchkey-Assertion"] = token
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=data, headers=hdrs)
            res = conn.getresponse()
            payload = res.read()
            return res.status, json.loads(payload), res
        finally:
            conn.close()

    def exchange(self, raw):
        """Sends `raw` bytes in one write; -> every byte answered until the server closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(raw)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def notes_of(self, sub):
        status, body, _ = self.call("GET", "/api/notes", self.ed.sign(claims(sub)))
        self.assertEqual(status, 200, body)
        return [n["text"] for n in body["notes"]]


class IdentityTest(BackendCase):
    def test_Assertion_EdDSAOrES256FromTheJwks_Accepted(self):
        for key in (self.ed, self.es):
            with self.subTest(alg=key.alg):
                status, body, res = self.call("GET", "/api/notes", key.sign(claims("7")))
                self.assertEqual(status, 200, body)
                self.assertEqual(body, {"notes": []})
                self.assertEqual(res.getheader("Cache-Control"), "no-store")

    def test_PlainIdentityHeaders_WithoutAssertion_Refused401(self):
        forged = {"X-Latchkey-User-Id": "1", "X-Latchkey-Username": "user1",
                  "X-Latchkey-Session-Id": "s" * 22}
        for method, body in (("GET", None), ("POST", {"text": "planted"})):
            with self.subTest(method=method):
                status, got, _ = self.call(method, "/api/notes", body=body, headers=forged)
                self.assertEqual(status, 401)
                self.assertEqual(got, {"error": "No valid identity from Latchkey", "code": "invalid_assertion"})
        self.assertEqual(self.notes_of("1"), [], "nothing was written for the forged user")

    def test_ForgedOrWrongAssertion_Refused401(self):
        other = SigningKey("EdDSA", "ed-1")  # a key Latchkey never published, claiming its kid
        good = self.ed.sign(claims("1"))
        head, payload, sig = good.split(".")
        public_pem = self.ed.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        hs_input = f"{b64(json.dumps({'alg': 'HS256', 'kid': 'ed-1'}).encode())}.{payload}"
        hs256 = f"{hs_input}.{b64(hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest())}"
        tampered = f"{head}.{b64(json.dumps(claims('2')).encode())}.{sig}"
        cases = {
            "garbage": "not.a.jwt",
            "empty": "",
            "alg none": jwt.encode(claims("1"), None, algorithm="none", headers={"kid": "ed-1"}),
            "HS256 keyed with the public key": hs256,
            "signed by another key under a published kid": other.sign(claims("1")),
            "claims changed after signing": tampered,
            "ES256 header on the Ed25519 kid": self.es.sign(claims("1"), kid="ed-1"),
            "EdDSA header on the P-256 kid": self.ed.sign(claims("1"), kid="es-1"),
            "unknown kid": self.ed.sign(claims("1"), kid="nope"),
            "wrong iss": self.ed.sign(claims("1", iss="http://evil.test")),
            "wrong aud (another upstream)": self.ed.sign(claims("1", aud="/api/other")),
            "expired": self.ed.sign(claims("1", iat=int(time.time()) - 120, exp=int(time.time()) - 60)),
            "no exp": self.ed.sign(claims("1", exp=None)),
            "no sub": self.ed.sign(claims(sub=None)),
            "sub not a string": self.ed.sign(claims(sub=1)),
        }
        for label, token in cases.items():
            with self.subTest(label):
                status, body, _ = self.call("GET", "/api/notes", token)
                self.assertEqual((status, body.get("code")), (401, "invalid_assertion"), body)
        self.assertEqual(self.call("GET", "/api/notes", good)[0], 200, "the untouched token passes")

    def test_Notes_BelongToTheAssertedSub_NotToPlainHeaders(self):
        status, body, _ = self.call("POST", "/api/notes", self.ed.sign(claims("21")), {"text": "mine"},
                                    headers={"X-Latchkey-User-Id": "22"})
        self.assertEqual(status, 201, body)
        self.assertEqual(self.notes_of("21"), ["mine"])
        self.assertEqual(self.notes_of("22"), [])


class JwksTest(unittest.TestCase):
    def test_UnknownKid_RefetchesAtMostOncePerCooldown(self):
        old, new = SigningKey("EdDSA", "old"), SigningKey("EdDSA", "new")
        jwks = JwksServer([old])
        self.addCleanup(jwks.close)
        slow = AssertionVerifier(jwks.url, ISS, AUD, jwks_cooldown=30)
        eager = AssertionVerifier(jwks.url, ISS, AUD, jwks_cooldown=0)
        for verifier in (slow, eager):
            self.assertEqual(verifier.verify(old.sign(claims("1"))).user_id, "1")
        self.assertEqual(jwks.fetches, 2)
        for _ in range(3):
            with self.assertRaises(InvalidAssertion):
                slow.verify(old.sign(claims("1"), kid="made-up"))
        self.assertEqual(jwks.fetches, 2, "made-up kids do not refetch within the cooldown")
        jwks.keys.append(new)  # a key rotation at Latchkey
        with self.assertRaises(InvalidAssertion):
            slow.verify(new.sign(claims("2")))
        self.assertEqual(eager.verify(new.sign(claims("2"))).user_id, "2", "refetched after the cooldown")
        self.assertEqual(jwks.fetches, 3)

    def test_JwksUnreachable_503KeysUnavailable(self):
        jwks = JwksServer([])
        url = jwks.url
        jwks.close()  # nothing listens there any more
        with tempfile.TemporaryDirectory() as tmp:
            backend = make_server(0, AssertionVerifier(url, ISS, AUD), NotesStore(os.path.join(tmp, "n.db")))
            threading.Thread(target=backend.serve_forever, args=(0.05,), daemon=True).start()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", backend.server_address[1], timeout=10)
                conn.request("GET", "/api/notes", headers={"X-Latchkey-Assertion": SigningKey("EdDSA", "k").sign(claims())})
                res = conn.getresponse()
                self.assertEqual((res.status, json.loads(res.read())["code"]), (503, "keys_unavailable"))
                conn.close()
            finally:
                backend.shutdown()
                backend.server_close()


class ApiTest(BackendCase):
    def test_CreateListDelete_OnlyTheOwnersNotes(self):
        a, b = self.ed.sign(claims("31")), self.es.sign(claims("32"))
        status, body, _ = self.call("POST", "/api/notes", a, {"text": "  first  "})
        self.assertEqual(status, 201, body)
        first = body["note"]
        self.assertEqual(first["text"], "first", "stripped")
        self.assertRegex(first["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.call("POST", "/api/notes", a, {"text": "second"})
        self.assertEqual(self.notes_of("31"), ["second", "first"], "newest first")
        self.assertEqual(self.notes_of("32"), [])
        path = f"/api/notes/{first['id']}"
        self.assertEqual(self.call("DELETE", path, b)[:2], (404, {"error": "No such note", "code": "not_found"}))
        self.assertEqual(self.notes_of("31"), ["second", "first"], "another user cannot delete it")
        self.assertEqual(self.call("DELETE", path, a)[:2], (200, {"success": True}))
        self.assertEqual(self.notes_of("31"), ["second"])
        self.assertEqual(self.call("DELETE", path, a)[0], 404, "gone")

    def test_BadInput_400WithCodeAndField(self):
        token = self.ed.sign(claims("41"))
        json_type = {"Content-Type": "application/json"}
        cases = [
            ("text missing", {}, None, 400, "validation_failed", "text"),
            ("text not a string", {"text": 5}, None, 400, "validation_failed", "text"),
            ("text blank", {"text": " \n\t "}, None, 400, "validation_failed", "text"),
            ("text too long", {"text": "x" * 1001}, None, 400, "validation_failed", "text"),
            ("control character", {"text": "a\x00b"}, None, 400, "validation_failed", "text"),
            ("lone surrogate", None, b'{"text": "\\ud800"}', 400, "validation_failed", "text"),
            ("unknown key", {"text": "x", "owner": "1"}, None, 400, "validation_failed", "owner"),
            ("repeated key", None, b'{"text": "a", "text": "b"}', 400, "validation_failed", "text"),
            ("not an object", None, b'["text"]', 400, "validation_failed", None),
            ("not JSON", None, b'{"text": ', 400, "validation_failed", None),
            ("not UTF-8", None, b'{"text": "\xff"}', 400, "validation_failed", None),
            ("over 16 KiB", None, b'{"text": "' + b"x" * 16400 + b'"}', 413, "payload_too_large", None),
        ]
        for label, body, raw, status, code, field in cases:
            with self.subTest(label):
                got_status, got, _ = self.call("POST", "/api/notes", token, body=body, raw=raw,
                                               headers=json_type)
                self.assertEqual((got_status, got.get("code"), got.get("field")), (status, code, field), got)
                self.assertIsInstance(got.get("error"), str)
        status, got, _ = self.call("POST", "/api/notes", token, raw=b'{"text": "x"}',
                                   headers={"Content-Type": "text/plain"})
        self.assertEqual((status, got["code"]), (415, "unsupported_media_type"))
        chunked = (b"POST /api/notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"X-Latchkey-Assertion: " + token.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"d\r\n{\"text\": \"x\"}\r\n0\r\n\r\n")
        self.assertRegex(self.exchange(chunked), rb"(?s)^HTTP/1.1 411 .*\"code\": \"length_required\"")
        self.assertEqual(self.call("POST", "/api/notes", token, {"text": "x" * 1000})[0], 201, "1000 is allowed")
        self.assertEqual(len(self.notes_of("41")), 1, "only the valid note was stored")

    def test_Routes_404And405AsJson(self):
        token = self.ed.sign(claims("51"))
        cases = [
            ("GET", "/api/other", 404, "not_found", None),
            ("GET", "/api/notes/abc", 404, "not_found", None),
            ("DELETE", "/api/notes/0", 404, "not_found", None),
            ("PUT", "/api/notes", 405, "method_not_allowed", "GET, POST"),
            ("GET", "/api/notes/1", 405, "method_not_allowed", "DELETE"),
        ]
        for method, path, status, code, allow in cases:
            with self.subTest(f"{method} {path}"):
                got_status, got, res = self.call(method, path, token)
                self.assertEqual((got_status, got["code"], res.getheader("Allow")), (status, code, allow))
        self.assertEqual(self.call("GET", "/api/notes?x=1", token)[0], 200, "a query string is ignored")

    def test_RefusedBody_IsReadAndDropped_TheConnectionGoesOn(self):
        # A body left unread would be parsed as the next request on the kept-alive connection.
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.addCleanup(conn.close)
        conn.request("POST", "/api/notes", body=b'{"text": "x"}', headers={"Content-Type": "application/json"})
        res = conn.getresponse()
        self.assertEqual((res.status, json.loads(res.read())["code"]), (401, "invalid_assertion"))
        self.assertIsNone(res.getheader("Connection"))
        conn.request("GET", "/api/notes", headers={"X-Latchkey-Assertion": self.ed.sign(claims("71"))})
        res = conn.getresponse()
        self.assertEqual((res.status, json.loads(res.read())), (200, {"notes": []}), "the same connection")

    def test_RefusedBodyOverTheDrainLimit_ClosesTheConnection(self):
        head = b"POST /api/notes HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n"
        self.assertRegex(self.exchange(head), rb"(?s)^HTTP/1.1 401 .*\r\nConnection: close\r\n")

    def test_TooManyNotes_409(self):
        with tempfile.TemporaryDirectory() as tmp:
            original = self.backend.store
            self.backend.store = NotesStore(os.path.join(tmp, "small.db"), max_notes=2)
            try:
                token = self.ed.sign(claims("61"))
                self.assertEqual([self.call("POST", "/api/notes", token, {"text": t})[0] for t in "ab"], [201, 201])
                status, body, _ = self.call("POST", "/api/notes", token, {"text": "c"})
                self.assertEqual((status, body["code"]), (409, "too_many_notes"))
                self.assertEqual(self.notes_of("61"), ["b", "a"])
            finally:
                self.backend.store = original

    def test_Server_ListensOnLoopbackOnly(self):
        self.assertEqual(self.backend.server_address[0], "127.0.0.1")


class MainTest(unittest.TestCase):
    def test_Main_PrintsItsAddressAndStopsOnSigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.Popen(
                [sys.executable, os.path.join(HERE, "notes_backend.py"), "--port", "0",
                 "--db", os.path.join(tmp, "n.db"), "--jwks-url", "http://127.0.0.1:9/jwks.json",
                 "--issuer", ISS, "--audience", AUD],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                line = proc.stdout.readline()
                self.assertRegex(line, r"^notes backend listening on http://127\.0\.0\.1:\d+ ")
                port = int(line.split(":")[2].split()[0])
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/api/notes", headers={"X-Latchkey-User-Id": "1"})
                self.assertEqual(conn.getresponse().status, 401)
                conn.close()
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=10), 0)
            finally:
                proc.kill()
                proc.wait()
                proc.stdout.close()
                proc.stderr.close()
