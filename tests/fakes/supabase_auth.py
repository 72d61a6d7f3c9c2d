"""A local stand-in for Supabase Auth's signing keys, plus token minting helpers.

`FakeSupabaseAuth` is a real HTTP server on 127.0.0.1 (random free port, own thread) serving
`/auth/v1/.well-known/jwks.json`. It starts with one ES256 (EC P-256) and one RS256 (RSA 2048)
key, counts JWKS requests, and can rotate in new keys or be stopped to simulate an outage.

The mint_* helpers build tokens by hand (base64url + signature), independently of the PyJWT code
under test, so they can also build tokens PyJWT refuses to make (`alg: none`, HS256 signed with
a PEM public key).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

JWKS_PATH = "/auth/v1/.well-known/jwks.json"
AUDIENCE = "authenticated"
_kids = itertools.count(1)

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str  # "ES256" or "RS256"
    private_key: PrivateKey

    @classmethod
    def generate(cls, alg: str) -> SigningKey:
        if alg == "ES256":
            key: PrivateKey = ec.generate_private_key(ec.SECP256R1())
        elif alg == "RS256":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            raise ValueError(f"unsupported algorithm {alg}")
        return cls(kid=f"{alg.lower()}-key-{next(_kids)}", alg=alg, private_key=key)

    def public_jwk(self) -> dict[str, Any]:
        public = self.private_key.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes) -> bytes:
        if isinstance(self.private_key, rsa.RSAPrivateKey):
            return self.private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        r, s = decode_dss_signature(self.private_key.sign(message, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS wants raw r||s, not DER


class FakeSupabaseAuth:
    """Use as a context manager, or call start()/stop()."""

    def __init__(self) -> None:
        self.es256 = SigningKey.generate("ES256")
        self.rs256 = SigningKey.generate("RS256")
        self.keys: list[SigningKey] = [self.es256, self.rs256]
        self.request_count = 0
        self.fail_with: int | None = None  # set to e.g. 500 to make the JWKS endpoint fail
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def project_url(self) -> str:
        assert self._server is not None, "server not started"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    @property
    def jwks_url(self) -> str:
        return self.project_url + JWKS_PATH

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [key.public_jwk() for key in self.keys]}

    def rotate(self, alg: str = "ES256", *, drop_old: bool = False) -> SigningKey:
        """Publish a new key (new kid); optionally retire all the old ones."""
        key = SigningKey.generate(alg)
        with self._lock:
            self.keys = [key] if drop_old else [*self.keys, key]
        return key

    def count_request(self) -> None:
        with self._lock:
            self.request_count += 1

    def start(self) -> FakeSupabaseAuth:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        serve = functools.partial(self._server.serve_forever, poll_interval=0.02)  # fast stop()
        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut down; the port then refuses connections (the 'JWKS is down' case)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> FakeSupabaseAuth:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _handler_for(fake: FakeSupabaseAuth) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != JWKS_PATH:
                self._send(404, {"error": "not found"})
                return
            fake.count_request()
            if fake.fail_with is not None:
                self._send(fake.fail_with, {"error": "unavailable"})
                return
            self._send(200, fake.jwks())

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

    return Handler


# ---- token minting ----------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(obj: dict[str, Any]) -> str:
    return _b64url(json.dumps(obj, separators=(",", ":")).encode())


def claims_for(sub: str | None, aud: str | None = AUDIENCE, exp_in: int | None = 3600, **claims: Any) -> dict[str, Any]:
    """Standard claims; pass None to leave `sub`, `aud` or `exp` out."""
    now = int(time.time())
    base: dict[str, Any] = {"iat": now, "role": "authenticated"}
    optional = {"sub": sub, "aud": aud, "exp": None if exp_in is None else now + exp_in}
    base.update({name: value for name, value in optional.items() if value is not None})
    return {**base, **claims}


def mint_raw(header: dict[str, Any], payload: dict[str, Any], sign: Any = None) -> str:
    """header.payload.signature, with `sign(signing_input) -> bytes` (None: empty signature)."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    signature = sign(signing_input.encode()) if sign else b""
    return f"{signing_input}.{_b64url(signature)}"


def mint_hs256(
    secret: str | bytes,
    sub: str | None,
    aud: str | None = AUDIENCE,
    exp_in: int | None = 3600,
    *,
    kid: str | None = None,
    **claims: Any,
) -> str:
    """HMAC-SHA256 with any bytes as the secret (including a PEM public key); `kid` goes in the header."""
    key = secret.encode() if isinstance(secret, str) else secret
    header = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    payload = claims_for(sub, aud, exp_in, **claims)
    return mint_raw(header, payload, lambda msg: hmac.new(key, msg, hashlib.sha256).digest())


def mint_signed(
    key: SigningKey,
    sub: str | None,
    aud: str | None = AUDIENCE,
    exp_in: int | None = 3600,
    *,
    kid: str | None = None,
    alg: str | None = None,
    **claims: Any,
) -> str:
    """Sign with `key`; `kid` / `alg` override what the header claims (for lying tokens)."""
    header = {"alg": alg or key.alg, "typ": "JWT", "kid": kid or key.kid}
    return mint_raw(header, claims_for(sub, aud, exp_in, **claims), key.sign)


def mint_es256(key: SigningKey, sub: str | None, **kwargs: Any) -> str:
    assert key.alg == "ES256"
    return mint_signed(key, sub, **kwargs)


def mint_rs256(key: SigningKey, sub: str | None, **kwargs: Any) -> str:
    assert key.alg == "RS256"
    return mint_signed(key, sub, **kwargs)


def mint_none(sub: str | None, aud: str | None = AUDIENCE, exp_in: int | None = 3600, **claims: Any) -> str:
    """An unsigned `alg: none` token (empty signature segment)."""
    return mint_raw({"alg": "none", "typ": "JWT"}, claims_for(sub, aud, exp_in, **claims))
