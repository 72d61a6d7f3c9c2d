"""Who is calling: verify a Supabase access token and turn it into a Principal.

Configured auth (SUPABASE_JWT_SECRET and/or SUPABASE_PROJECT_URL):
- the header must be `Bearer <token>`; anything else is 401 (Unauthorized);
- the key is chosen by the token header's `alg` family, never by the token's say-so alone:
  HS256 -> the shared secret (only when SUPABASE_JWT_SECRET is set);
  ES256 / RS256 -> the project's JWKS key with the header's `kid` (only when SUPABASE_PROJECT_URL
  is set), which must itself be an EC / RSA key for that algorithm. A public key is therefore never
  used as an HMAC secret, and `alg: none` or any other algorithm is refused;
- `exp`, `sub` and `aud` (== settings.jwt_audience) are required; 30 s of clock leeway;
- the claims are checked before use, even in a token that verifies: `sub` (the user id, a database key)
  must be 1 to 255 printable characters, not all blank, or the token is refused (401, "token subject is
  invalid"): no NUL, control or format characters, no lone surrogates. An `email` or `role` claim that
  is not such a string (at most 320 characters) is ignored.

Unconfigured auth is only allowed outside production (`check_auth_config`, which `from_settings`
also calls): every request is then LOCAL_PRINCIPAL. A token sent anyway is ignored, not verified:
there is nothing to verify it against, and rejecting it would break a local front end that
forwards a Supabase session.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeGuard

import httpx
import jwt
from jwt import exceptions as jwt_errors
from pydantic import SecretStr

from stack8s.auth.jwks import Clock, JwksCache, jwks_url
from stack8s.errors import Unauthorized
from stack8s.settings import Environment, Settings

__all__ = [
    "LOCAL_PRINCIPAL",
    "Authenticator",
    "JwksCache",
    "Principal",
    "check_auth_config",
]

logger = logging.getLogger(__name__)

LEEWAY_SECONDS = 30.0
MAX_TOKEN_CHARS = 8192
MAX_SUBJECT_CHARS = 255
MAX_CLAIM_CHARS = 320  # email and role; an address is at most 254
JWKS_ALGORITHMS = ("ES256", "RS256")


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str | None = None
    role: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


LOCAL_PRINCIPAL = Principal(user_id="00000000-0000-0000-0000-000000000001", email="local@stack8s.dev", role="local")


def check_auth_config(settings: Settings) -> None:
    """Refuse to run in production without a way to verify tokens (called at app start-up)."""
    if settings.environment == Environment.production and not _auth_configured(settings):
        raise RuntimeError(
            "authentication is not configured: set SUPABASE_JWT_SECRET and/or SUPABASE_PROJECT_URL "
            "(running without auth is only allowed when ENVIRONMENT is development or test)"
        )


class Authenticator:
    def __init__(
        self,
        *,
        audience: str = "authenticated",
        hs256_secret: bytes | None = None,
        jwks: JwksCache | None = None,
        leeway_seconds: float = LEEWAY_SECONDS,
        owned_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.audience = audience
        self._secret = hs256_secret or None
        self._jwks = jwks
        self._leeway = leeway_seconds
        self._owned_client = owned_client
        if not self.configured:
            logger.warning("authentication is not configured: every request is the local principal")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        http_client: httpx.AsyncClient | None = None,
        *,
        clock: Clock = time.monotonic,
    ) -> Authenticator:
        """Raises RuntimeError in production without auth config. If no http_client is given and
        a JWKS is needed, one is created and closed by `aclose()`."""
        check_auth_config(settings)
        secret = _secret_bytes(settings.supabase_jwt_secret)
        project_url = (settings.supabase_project_url or "").strip()
        if not project_url:
            return cls(audience=settings.jwt_audience, hs256_secret=secret)
        client = http_client or httpx.AsyncClient()
        owned = None if http_client else client
        jwks = JwksCache(
            jwks_url(project_url),
            client,
            ttl_seconds=settings.jwks_cache_seconds,
            clock=clock,
        )
        return cls(audience=settings.jwt_audience, hs256_secret=secret, jwks=jwks, owned_client=owned)

    @property
    def configured(self) -> bool:
        return self._secret is not None or self._jwks is not None

    @property
    def allowed_algorithms(self) -> tuple[str, ...]:
        return (("HS256",) if self._secret else ()) + (JWKS_ALGORITHMS if self._jwks else ())

    async def authenticate(self, authorization_header: str | None) -> Principal:
        if not self.configured:
            return LOCAL_PRINCIPAL
        token = _bearer_token(authorization_header)
        claims = await self._verify(token)
        return _principal(claims)

    async def aclose(self) -> None:
        if self._owned_client is not None:
            await self._owned_client.aclose()

    async def _verify(self, token: str) -> dict[str, Any]:
        header = _unverified_header(token)
        alg = header.get("alg")
        if alg not in self.allowed_algorithms:
            allowed = ", ".join(self.allowed_algorithms)
            raise Unauthorized(f"token algorithm is not allowed (accepted: {allowed})")
        key = await self._key_for(alg, header.get("kid"))
        return _decode(token, key, alg, self.audience, self._leeway)

    async def _key_for(self, alg: str, kid: str | None) -> Any:
        if alg == "HS256":
            return self._secret
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("token has no key id ('kid')")
        assert self._jwks is not None  # alg is a JWKS algorithm only when a JWKS is configured
        return (await self._jwks.get_key(kid, alg)).key


def _auth_configured(settings: Settings) -> bool:
    """Like settings.auth_configured, but a blank value does not count."""
    project_url = (settings.supabase_project_url or "").strip()
    return bool(project_url) or _secret_bytes(settings.supabase_jwt_secret) is not None


def _secret_bytes(secret: SecretStr | None) -> bytes | None:
    value = secret.get_secret_value() if secret else ""
    return value.encode() if value.strip() else None


def _bearer_token(header: str | None) -> str:
    if not header or not header.strip():
        raise Unauthorized("missing bearer token (send 'Authorization: Bearer <token>')")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise Unauthorized("authorization header must be 'Bearer <token>'")
    if len(token) > MAX_TOKEN_CHARS:
        raise Unauthorized("malformed token")
    return token


def _unverified_header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt_errors.PyJWTError:
        raise Unauthorized("malformed token") from None


def _decode(token: str, key: Any, alg: str, audience: str, leeway: float) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=audience,
            leeway=leeway,
            options={"require": ["exp", "sub"]},
        )
    except jwt_errors.PyJWTError as exc:
        raise Unauthorized(_rejection(exc, audience)) from None


def _rejection(exc: jwt_errors.PyJWTError, audience: str) -> str:
    """A message for the caller that names the problem without echoing library internals."""
    if isinstance(exc, jwt_errors.MissingRequiredClaimError):
        return f"token has no '{exc.claim}' claim"
    messages: list[tuple[type[jwt_errors.PyJWTError], str]] = [
        (jwt_errors.ExpiredSignatureError, "token expired"),
        (jwt_errors.InvalidAudienceError, f"token audience is not '{audience}'"),
        (jwt_errors.ImmatureSignatureError, "token is not valid yet"),
        (jwt_errors.InvalidSignatureError, "token signature does not verify"),
        (jwt_errors.InvalidKeyError, "token signature does not verify"),
        (jwt_errors.InvalidSubjectError, "token subject is invalid"),
        (jwt_errors.DecodeError, "malformed token"),
    ]
    return next((text for kind, text in messages if isinstance(exc, kind)), "invalid token")


def _principal(claims: dict[str, Any]) -> Principal:
    sub = claims.get("sub")
    if not _is_clean_text(sub, MAX_SUBJECT_CHARS) or not sub.strip():
        raise Unauthorized("token subject is invalid")
    return Principal(
        user_id=sub,
        email=_optional_str(claims.get("email")),
        role=_optional_str(claims.get("role")),
        claims=MappingProxyType(claims),
    )


def _is_clean_text(value: Any, max_chars: int) -> TypeGuard[str]:
    """A string that is safe as a database key and in a log line: at most `max_chars` characters, all
    printable (so no NUL, no control or format characters, no lone surrogates, which UTF-8 cannot
    encode; plain spaces are printable)."""
    return isinstance(value, str) and 0 < len(value) <= max_chars and value.isprintable()


def _optional_str(value: Any) -> str | None:
    """An optional claim (email, role) we cannot use safely is treated as absent, not as an error."""
    return value if _is_clean_text(value, MAX_CLAIM_CHARS) else None
