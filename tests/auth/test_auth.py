"""Authenticator and JwksCache against a real local JWKS server (tests/fakes/supabase_auth.py)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from stack8s.auth import LOCAL_PRINCIPAL, Authenticator, Principal, check_auth_config
from stack8s.auth.jwks import JwksCache, jwks_url, parse_jwks
from stack8s.errors import ServiceUnavailable, Unauthorized
from stack8s.settings import Settings

# `tests.fakes` needs the project root on sys.path; pytest only adds this test's own folder.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.supabase_auth import (  # noqa: E402
    FakeSupabaseAuth,
    SigningKey,
    mint_es256,
    mint_hs256,
    mint_none,
    mint_raw,
    mint_rs256,
    mint_signed,
)

pytestmark = pytest.mark.anyio

SECRET = "test-supabase-jwt-secret-with-at-least-32-bytes"
USER = "6f1c1d3e-2b8a-4b8e-9a53-0c2f3d1e4a5b"
TTL = 600
MIN_REFRESH = 30


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_settings(*, secret: str | None = None, project_url: str | None = None, environment: str = "test") -> Settings:
    aliased: dict[str, Any] = {"SUPABASE_JWT_AUDIENCE": "authenticated", "STACK8S_JWKS_CACHE_SECONDS": TTL}
    return Settings(
        _env_file=None,
        environment=environment,
        supabase_jwt_secret=secret,
        supabase_project_url=project_url,
        **aliased,
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> Iterator[FakeSupabaseAuth]:
    with FakeSupabaseAuth() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def auth(fake: FakeSupabaseAuth, http: httpx.AsyncClient, clock: FakeClock) -> Authenticator:
    settings = make_settings(secret=SECRET, project_url=fake.project_url)
    return Authenticator.from_settings(settings, http, clock=clock)


def bearer(token: str) -> str:
    return f"Bearer {token}"


async def rejection(auth: Authenticator, header: str | None) -> str:
    with pytest.raises(Unauthorized) as caught:
        await auth.authenticate(header)
    assert caught.value.status_code == 401
    assert caught.value.headers == {"WWW-Authenticate": "Bearer"}
    return caught.value.message


# ---- accepted tokens ---------------------------------------------------------------------------


async def test_hs256_token_is_accepted(auth: Authenticator) -> None:
    token = mint_hs256(SECRET, USER, email="ada@example.com")
    principal = await auth.authenticate(bearer(token))
    assert principal == Principal(user_id=USER, email="ada@example.com", role="authenticated")
    assert principal.claims["email"] == "ada@example.com"


async def test_es256_token_is_accepted(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    principal = await auth.authenticate(bearer(mint_es256(fake.es256, USER)))
    assert principal.user_id == USER
    assert principal.email is None


async def test_rs256_token_is_accepted(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    principal = await auth.authenticate(bearer(mint_rs256(fake.rs256, USER)))
    assert principal.user_id == USER


async def test_scheme_is_case_insensitive(auth: Authenticator) -> None:
    principal = await auth.authenticate(f"bearer  {mint_hs256(SECRET, USER)} ")
    assert principal.user_id == USER


async def test_expiry_within_leeway_is_accepted(auth: Authenticator) -> None:
    principal = await auth.authenticate(bearer(mint_hs256(SECRET, USER, exp_in=-10)))
    assert principal.user_id == USER


async def test_principal_claims_are_read_only_and_principal_hashable(auth: Authenticator) -> None:
    principal = await auth.authenticate(bearer(mint_hs256(SECRET, USER)))
    with pytest.raises(TypeError):
        principal.claims["sub"] = "someone-else"  # type: ignore[index]
    assert hash(principal) == hash(Principal(user_id=USER, role="authenticated"))


# ---- rejected headers and tokens ---------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "   "])
async def test_missing_token(auth: Authenticator, header: str | None) -> None:
    assert (await rejection(auth, header)).startswith("missing bearer token")


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc", "Bearer a b"])
async def test_header_that_is_not_bearer(auth: Authenticator, header: str) -> None:
    assert await rejection(auth, header) == "authorization header must be 'Bearer <token>'"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "e30", "x" * 9000])
async def test_malformed_token(auth: Authenticator, token: str) -> None:
    assert await rejection(auth, bearer(token)) == "malformed token"


async def test_token_without_alg(auth: Authenticator) -> None:
    assert (await rejection(auth, bearer("e30.e30."))).startswith("token algorithm is not allowed")


async def test_expired_token(auth: Authenticator) -> None:
    assert await rejection(auth, bearer(mint_hs256(SECRET, USER, exp_in=-120))) == "token expired"


async def test_token_without_exp(auth: Authenticator) -> None:
    message = await rejection(auth, bearer(mint_hs256(SECRET, USER, exp_in=None)))
    assert message == "token has no 'exp' claim"


async def test_token_not_yet_valid(auth: Authenticator) -> None:
    token = mint_hs256(SECRET, USER, nbf=2**40)
    assert await rejection(auth, bearer(token)) == "token is not valid yet"


async def test_wrong_secret(auth: Authenticator) -> None:
    token = mint_hs256("another-secret-that-is-also-32-bytes-long", USER)
    assert await rejection(auth, bearer(token)) == "token signature does not verify"


async def test_tampered_payload(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    header, _, signature = mint_es256(fake.es256, USER).split(".")
    _, payload, _ = mint_es256(fake.es256, "someone-else").split(".")
    message = await rejection(auth, bearer(f"{header}.{payload}.{signature}"))
    assert message == "token signature does not verify"


async def test_wrong_audience(auth: Authenticator) -> None:
    token = mint_hs256(SECRET, USER, aud="anon")
    assert await rejection(auth, bearer(token)) == "token audience is not 'authenticated'"


async def test_missing_audience(auth: Authenticator) -> None:
    assert await rejection(auth, bearer(mint_hs256(SECRET, USER, aud=None))) == "token has no 'aud' claim"


async def test_missing_sub(auth: Authenticator) -> None:
    assert await rejection(auth, bearer(mint_hs256(SECRET, None))) == "token has no 'sub' claim"


@pytest.mark.parametrize("sub", ["", "   ", "x" * 256, 42])
async def test_invalid_sub(auth: Authenticator, sub: Any) -> None:
    assert await rejection(auth, bearer(mint_hs256(SECRET, sub))) == "token subject is invalid"


async def test_sub_of_255_chars_is_accepted(auth: Authenticator) -> None:
    assert (await auth.authenticate(bearer(mint_hs256(SECRET, "u" * 255)))).user_id == "u" * 255


async def test_alg_none_is_refused(auth: Authenticator) -> None:
    message = await rejection(auth, bearer(mint_none(USER)))
    assert message == "token algorithm is not allowed (accepted: HS256, ES256, RS256)"


@pytest.mark.parametrize("alg", ["None", "NONE", "HS512", "RS512", "PS256", "EdDSA"])
async def test_other_algorithms_are_refused(auth: Authenticator, alg: str) -> None:
    token = mint_raw({"alg": alg, "typ": "JWT"}, {"sub": USER})
    assert (await rejection(auth, bearer(token))).startswith("token algorithm is not allowed")


async def test_key_confusion_hs256_signed_with_rsa_public_key(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    token = mint_hs256(fake.rs256.public_pem(), USER, kid=fake.rs256.kid)
    assert await rejection(auth, bearer(token)) == "token signature does not verify"


async def test_key_confusion_without_shared_secret(
    fake: FakeSupabaseAuth, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    auth = Authenticator.from_settings(make_settings(project_url=fake.project_url), http, clock=clock)
    token = mint_hs256(fake.rs256.public_pem(), USER)
    assert await rejection(auth, bearer(token)) == "token algorithm is not allowed (accepted: ES256, RS256)"
    assert fake.request_count == 0


async def test_header_alg_must_match_the_key_type(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    token = mint_signed(fake.rs256, USER, alg="ES256")  # RSA key's kid, EC algorithm
    message = await rejection(auth, bearer(token))
    assert message == "token signing key does not match its algorithm (ES256)"


async def test_asymmetric_token_without_kid(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    token = mint_raw({"alg": "ES256", "typ": "JWT"}, {"sub": USER}, fake.es256.sign)
    assert await rejection(auth, bearer(token)) == "token has no key id ('kid')"


async def test_jwks_token_refused_when_only_secret_configured(fake: FakeSupabaseAuth) -> None:
    auth = Authenticator.from_settings(make_settings(secret=SECRET))
    message = await rejection(auth, bearer(mint_es256(fake.es256, USER)))
    assert message == "token algorithm is not allowed (accepted: HS256)"
    assert fake.request_count == 0


# ---- JWKS fetching, caching, rotation ----------------------------------------------------------


async def test_unknown_kid_is_refused_after_one_refresh(
    auth: Authenticator, fake: FakeSupabaseAuth, clock: FakeClock
) -> None:
    await auth.authenticate(bearer(mint_es256(fake.es256, USER)))
    clock.advance(MIN_REFRESH + 1)
    stranger = SigningKey.generate("ES256")  # never published
    message = await rejection(auth, bearer(mint_es256(stranger, USER)))
    assert message == "token signing key is not recognised"
    assert fake.request_count == 2


async def test_rotated_key_is_picked_up_by_refresh(
    auth: Authenticator, fake: FakeSupabaseAuth, clock: FakeClock
) -> None:
    await auth.authenticate(bearer(mint_es256(fake.es256, USER)))
    new_key = fake.rotate("RS256", drop_old=True)
    clock.advance(MIN_REFRESH + 1)
    assert (await auth.authenticate(bearer(mint_rs256(new_key, USER)))).user_id == USER
    assert fake.request_count == 2
    message = await rejection(auth, bearer(mint_es256(fake.es256, USER)))  # retired key
    assert message == "token signing key is not recognised"


async def test_rotation_inside_refresh_window_waits_for_the_window(
    auth: Authenticator, fake: FakeSupabaseAuth, clock: FakeClock
) -> None:
    await auth.authenticate(bearer(mint_es256(fake.es256, USER)))
    new_token = mint_es256(fake.rotate("ES256"), USER)
    assert await rejection(auth, bearer(new_token)) == "token signing key is not recognised"
    clock.advance(MIN_REFRESH)
    assert (await auth.authenticate(bearer(new_token))).user_id == USER
    assert fake.request_count == 2


async def test_keys_are_cached_until_ttl(auth: Authenticator, fake: FakeSupabaseAuth, clock: FakeClock) -> None:
    es_token, rs_token = mint_es256(fake.es256, USER), mint_rs256(fake.rs256, USER)
    await auth.authenticate(bearer(es_token))
    await auth.authenticate(bearer(rs_token))
    clock.advance(TTL - 1)
    await auth.authenticate(bearer(es_token))
    assert fake.request_count == 1
    clock.advance(1)
    await auth.authenticate(bearer(es_token))
    await auth.authenticate(bearer(rs_token))
    assert fake.request_count == 2


async def test_unknown_kid_refetch_is_rate_limited(
    auth: Authenticator, fake: FakeSupabaseAuth, clock: FakeClock
) -> None:
    await auth.authenticate(bearer(mint_es256(fake.es256, USER)))
    clock.advance(MIN_REFRESH + 1)
    for n in range(25):
        await rejection(auth, bearer(mint_es256(fake.es256, USER, kid=f"made-up-{n}")))
        clock.advance(1)
    assert fake.request_count == 2  # the first fetch + one refetch for all 25 unknown kids
    clock.advance(MIN_REFRESH)
    await rejection(auth, bearer(mint_es256(fake.es256, USER, kid="made-up-again")))
    assert fake.request_count == 3  # the window has passed


async def test_concurrent_cold_requests_share_one_fetch(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    results: list[Principal] = []

    async def one() -> None:
        results.append(await auth.authenticate(bearer(mint_es256(fake.es256, USER))))

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(one)
    assert len(results) == 10
    assert fake.request_count == 1


async def test_jwks_down_is_service_unavailable(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    fake.stop()
    with pytest.raises(ServiceUnavailable) as caught:
        await auth.authenticate(bearer(mint_es256(fake.es256, USER)))
    assert caught.value.status_code == 503
    assert caught.value.message == "cannot fetch signing keys"


async def test_jwks_error_status_is_service_unavailable(auth: Authenticator, fake: FakeSupabaseAuth) -> None:
    fake.fail_with = 500
    with pytest.raises(ServiceUnavailable):
        await auth.authenticate(bearer(mint_es256(fake.es256, USER)))


async def test_jwks_down_still_accepts_cached_keys(
    auth: Authenticator, fake: FakeSupabaseAuth, clock: FakeClock
) -> None:
    await auth.authenticate(bearer(mint_es256(fake.es256, USER)))
    fake.stop()
    clock.advance(TTL + 1)
    assert (await auth.authenticate(bearer(mint_es256(fake.es256, USER)))).user_id == USER
    with pytest.raises(ServiceUnavailable):  # unknown kid, and the keys cannot be checked
        await auth.authenticate(bearer(mint_es256(SigningKey.generate("ES256"), USER)))


async def test_failed_fetch_is_not_retried_inside_the_window(
    auth: Authenticator, fake: FakeSupabaseAuth, clock: FakeClock
) -> None:
    fake.fail_with = 500
    token = bearer(mint_es256(fake.es256, USER))
    for _ in range(5):
        with pytest.raises(ServiceUnavailable):
            await auth.authenticate(token)
    assert fake.request_count == 1
    fake.fail_with = None
    clock.advance(MIN_REFRESH)
    assert (await auth.authenticate(token)).user_id == USER


async def test_jwks_cache_directly(fake: FakeSupabaseAuth, http: httpx.AsyncClient) -> None:
    cache = JwksCache(fake.jwks_url, http)
    key = await cache.get_key(fake.rs256.kid, "RS256")
    assert key.key_id == fake.rs256.kid
    assert key.key_type == "RSA"


def test_jwks_url_from_project_url() -> None:
    expected = "https://abc.supabase.co/auth/v1/.well-known/jwks.json"
    assert jwks_url("https://abc.supabase.co/") == expected


def test_parse_jwks_keeps_only_usable_signing_keys(fake: FakeSupabaseAuth) -> None:
    good = fake.es256.public_jwk()
    document = {
        "keys": [
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},  # a symmetric key is never usable
            {**fake.rs256.public_jwk(), "use": "enc"},
            {**good, "kid": None},
            {"kty": "EC", "kid": "broken", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            "not-a-key",
            good,
        ]
    }
    assert list(parse_jwks(document)) == [fake.es256.kid]


# ---- unconfigured auth -------------------------------------------------------------------------


@pytest.mark.parametrize("environment", ["development", "test"])
@pytest.mark.parametrize("header", [None, "Bearer whatever", "garbage"])
async def test_unconfigured_is_local_principal(environment: str, header: str | None) -> None:
    auth = Authenticator.from_settings(make_settings(environment=environment))
    assert await auth.authenticate(header) == LOCAL_PRINCIPAL
    assert LOCAL_PRINCIPAL.user_id == "00000000-0000-0000-0000-000000000001"
    assert (LOCAL_PRINCIPAL.email, LOCAL_PRINCIPAL.role) == ("local@stack8s.dev", "local")


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_production_without_auth_fails_at_startup(secret: str | None) -> None:
    settings = make_settings(secret=secret, environment="production")
    with pytest.raises(RuntimeError, match="authentication is not configured"):
        check_auth_config(settings)
    with pytest.raises(RuntimeError):
        Authenticator.from_settings(settings)


def test_production_with_auth_is_fine() -> None:
    check_auth_config(make_settings(secret=SECRET, environment="production"))
    check_auth_config(make_settings(project_url="https://abc.supabase.co", environment="production"))


async def test_owned_http_client_is_closed(fake: FakeSupabaseAuth) -> None:
    auth = Authenticator.from_settings(make_settings(project_url=fake.project_url))
    assert (await auth.authenticate(bearer(mint_es256(fake.es256, USER)))).user_id == USER
    await auth.aclose()
