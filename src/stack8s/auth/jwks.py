"""Async cache of the Supabase project's signing keys (JWKS).

Fetch rules, in one place:
- keys are fetched on first use and again once they are older than `ttl_seconds`;
- a `kid` we do not know triggers a refetch (Supabase may have rotated its keys);
- at most one fetch is attempted per `min_refresh_seconds`, whatever triggers it, so a stream of
  tokens with made-up `kid`s (or a JWKS endpoint that is down) cannot make us hammer the endpoint;
- if a fetch fails, a cached key with the right `kid` is still used; otherwise the caller gets
  ServiceUnavailable (503): not knowing the keys is our problem, not the user's.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWTError

from stack8s.errors import ServiceUnavailable, Unauthorized

logger = logging.getLogger(__name__)

Clock = Callable[[], float]

# Only public signing keys for the asymmetric algorithms we accept are kept; in particular a
# symmetric ("oct") key published in a JWKS is never usable.
_KEY_TYPES = {"ES256": "EC", "RS256": "RSA"}


class _FetchFailed(Exception):
    """The JWKS endpoint could not be reached or did not return a usable key set."""


def jwks_url(project_url: str) -> str:
    return f"{project_url.rstrip('/')}/auth/v1/.well-known/jwks.json"


class JwksCache:
    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        *,
        ttl_seconds: float = 600.0,
        min_refresh_seconds: float = 30.0,
        timeout_seconds: float = 5.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.url = url
        self._client = client
        self._ttl = ttl_seconds
        self._min_refresh = min_refresh_seconds
        self._timeout = timeout_seconds
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._last_fetch_failed = False
        self._lock = asyncio.Lock()

    async def get_key(self, kid: str, alg: str) -> PyJWK:
        """The public key for `kid`, checked to be usable with `alg` (ES256 or RS256)."""
        if kid not in self._keys or self._is_stale():
            await self._refresh(kid)
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("token signing key is not recognised")
        if key.algorithm_name != alg:
            raise Unauthorized(f"token signing key does not match its algorithm ({alg})")
        return key

    def _is_stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._ttl

    def _may_fetch(self) -> bool:
        return self._attempted_at is None or self._clock() - self._attempted_at >= self._min_refresh

    async def _refresh(self, kid: str) -> None:
        async with self._lock:  # concurrent misses share one fetch
            if self._may_fetch():
                await self._try_fetch()
            if self._last_fetch_failed and kid not in self._keys:
                raise ServiceUnavailable("cannot fetch signing keys")

    async def _try_fetch(self) -> None:
        self._attempted_at = self._clock()
        try:
            keys = await self._fetch()
        except _FetchFailed as exc:
            self._last_fetch_failed = True
            logger.warning("JWKS fetch from %s failed: %s", self.url, exc)
            return
        self._keys, self._fetched_at, self._last_fetch_failed = keys, self._clock(), False

    async def _fetch(self) -> dict[str, PyJWK]:
        try:
            response = await self._client.get(self.url, timeout=self._timeout)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _FetchFailed(type(exc).__name__) from exc
        return parse_jwks(document)


def parse_jwks(document: Any) -> dict[str, PyJWK]:
    """Usable signing keys by kid; keys we cannot or must not use are skipped."""
    entries = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(entries, list):
        raise _FetchFailed("response is not a JWK set")
    keys = (_parse_key(entry) for entry in entries)
    return {key.key_id: key for key in keys if key is not None and key.key_id}


def _parse_key(entry: Any) -> PyJWK | None:
    if not isinstance(entry, Mapping) or entry.get("use", "sig") != "sig":
        return None
    if not isinstance(entry.get("kid"), str):
        return None
    try:
        key = PyJWK(dict(entry))
    except (PyJWTError, ValueError, TypeError, KeyError):
        return None
    return key if _KEY_TYPES.get(key.algorithm_name) == key.key_type else None
