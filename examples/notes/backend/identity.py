"""Who is calling: the identity Latchkey asserts in `X-Latchkey-Assertion`, and nothing else.

Latchkey (its reverse proxy, or its forward-auth endpoint behind nginx) sends every request it
lets through with a JWT signed by one of the keys it publishes at `/.well-known/jwks.json`
(docs/API.md, "Identity assertions"). This module checks that JWT with PyJWT (Debian's
python3-jwt 2.6, signatures by python3-cryptography) and returns who it names. The plain headers
`X-Latchkey-User-Id`, `X-Latchkey-Username` and `X-Latchkey-Session-Id` are never read: anyone
who can reach this backend could send them, while only Latchkey holds the signing key.

A token passes when all of these hold (else `InvalidAssertion`):
  - it is a compact JWS whose header names, by `kid`, a key of Latchkey's JWKS;
  - its `alg` is the one of that key's type: `EdDSA` for an Ed25519 (`OKP`) key, `ES256` for a
    P-256 (`EC`) key; never `none`, never an HMAC algorithm (no algorithm confusion);
  - the signature verifies with that key;
  - `iss` is Latchkey's `--public-url`, `aud` is this backend's audience (its `--upstream`
    prefix, e.g. `/api/notes`, behind Latchkey's proxy; `--public-url` behind forward auth);
  - `exp`, `iat`, `iss`, `aud` and `sub` are present and `exp` has not passed (5 s leeway).

Thread-safety: `AssertionVerifier.verify` may be called from many threads at once. The JWKS
cache is PyJWKClient's: the set is fetched on first use, kept 5 minutes, and fetched again at
once for a `kid` it lacks (a key rotation), at most once per cooldown.
"""
import json
import time
import urllib.request
from typing import NamedTuple, Optional

import jwt

# The algorithm each key type of Latchkey's JWKS signs with (--assertion-alg).
_ALGORITHM_OF_KEY_TYPE = {"OKP": "EdDSA", "EC": "ES256"}
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


class Identity(NamedTuple):
    user_id: str  # `sub`: Latchkey's user id, decimal, as a string
    username: str  # `username`: for display only; ids, not names, own notes
    session_id: str  # `sid`: the session's public id, never its token


class InvalidAssertion(Exception):
    """No assertion, or one that fails a check above (the message says which, for the log)."""


class KeysUnavailable(Exception):
    """Latchkey's JWKS could not be fetched, so no assertion can be checked now."""


class _JwksClient(jwt.PyJWKClient):
    """PyJWKClient with two limits that PyJWT 2.6 lacks (2.8 has the first):

    - a timeout on the JWKS fetch, so a stalled Latchkey cannot hold a request thread forever;
    - an unknown `kid` refetches the set at most once per `cooldown` seconds: without it, tokens
      naming made-up kids would make this backend fetch the JWKS on every request.
    """

    def __init__(self, uri: str, timeout: float = 5.0, cooldown: float = 30.0):
        super().__init__(uri, cache_jwk_set=True, lifespan=300)
        self._timeout = timeout
        self._cooldown = cooldown
        self._fetched_at = float("-inf")

    def fetch_data(self):
        try:
            with urllib.request.urlopen(self.uri, timeout=self._timeout) as response:
                jwk_set = json.load(response)
        except (OSError, ValueError) as e:  # URLError, timeouts and bad JSON alike
            self.jwk_set_cache.put(None)
            raise KeysUnavailable(f"cannot fetch {self.uri}: {e}") from e
        self._fetched_at = time.monotonic()
        self.jwk_set_cache.put(jwk_set)
        return jwk_set

    def get_jwk_set(self, refresh: bool = False):
        recent = time.monotonic() - self._fetched_at < self._cooldown
        return super().get_jwk_set(refresh=refresh and not recent)


class AssertionVerifier:
    """Checks `X-Latchkey-Assertion` values against Latchkey's published keys.

    jwks_url: Latchkey's `/.well-known/jwks.json` (e.g. http://127.0.0.1:8080/.well-known/jwks.json)
    issuer:   Latchkey's `--public-url` (e.g. http://127.0.0.1:8080)
    audience: what `aud` must be (`/api/notes` behind Latchkey's proxy)
    leeway:   seconds of clock skew allowed on `exp`
    jwks_cooldown: seconds after a fetch of the JWKS before a `kid` it lacks fetches it again
    """

    def __init__(self, jwks_url: str, issuer: str, audience: str, leeway: float = 5.0,
                 jwks_cooldown: float = 30.0):
        self._jwks = _JwksClient(jwks_url, cooldown=jwks_cooldown)
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway

    def verify(self, token: Optional[str]) -> Identity:
        """-> the Identity the token names. Raises InvalidAssertion or KeysUnavailable."""
        if not token:
            raise InvalidAssertion("no X-Latchkey-Assertion header")
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            algorithm = _ALGORITHM_OF_KEY_TYPE.get(key.key_type)
            if algorithm is None:
                raise InvalidAssertion(f"key {key.key_id} has an unexpected type {key.key_type}")
            claims = jwt.decode(
                token, key.key, algorithms=[algorithm], issuer=self._issuer,
                audience=self._audience, leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS})
        except jwt.PyJWTError as e:  # bad format, unknown kid, signature, claims
            raise InvalidAssertion(str(e)) from e
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise InvalidAssertion("sub is not a non-empty string")
        return Identity(claims["sub"], str(claims.get("username", "")), str(claims.get("sid", "")))
