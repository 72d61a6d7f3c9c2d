"""Auth at the HTTP edge: JWKS tokens, rejections, and the production start-up rule."""

from __future__ import annotations

import httpx
import pytest
from tests.conftest import JWT_SECRET, LiveServer, make_settings, start_server
from tests.fakes.supabase_auth import FakeSupabaseAuth, mint_es256, mint_hs256, mint_none, mint_rs256


def status(live: LiveServer, token: str) -> int:
    return httpx.get(f"{live.url}/api/v1/chat", headers={"Authorization": f"Bearer {token}"}).status_code


def test_jwks_tokens_are_accepted(live: LiveServer, auth_server: FakeSupabaseAuth) -> None:
    assert status(live, mint_es256(auth_server.es256, "es-user")) == 200
    assert status(live, mint_rs256(auth_server.rs256, "rs-user")) == 200


@pytest.mark.parametrize(
    "make",
    [
        lambda a: mint_hs256(JWT_SECRET, "u", exp_in=-120),
        lambda a: mint_hs256("wrong-secret-wrong-secret-wrong-secret", "u"),
        lambda a: mint_hs256(JWT_SECRET, "u", aud="anon"),
        lambda a: mint_none("u"),
        lambda a: mint_hs256(a.rs256.public_pem(), "u"),
        lambda a: "not.a.jwt",
    ],
    ids=["expired", "wrong-key", "wrong-audience", "alg-none", "key-confusion", "malformed"],
)
def test_bad_tokens_are_401(live: LiveServer, auth_server: FakeSupabaseAuth, make) -> None:  # type: ignore[no-untyped-def]
    assert status(live, make(auth_server)) == 401


def test_production_without_auth_refuses_to_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import anyio

    from stack8s.app import create_app

    app = create_app(make_settings(tmp_path, ENVIRONMENT="production", STACK8S_SEED_CATALOGS=False))

    async def start() -> None:
        async with app.router.lifespan_context(app):
            raise AssertionError("started without auth in production")

    with pytest.raises(RuntimeError, match="SUPABASE"):
        anyio.run(start)


def test_development_without_auth_acts_as_the_local_user(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_settings(tmp_path / "dev", ENVIRONMENT="development", STACK8S_SEED_CATALOGS=False))
    try:
        started = httpx.post(f"{server.url}/api/v1/chat/start")
        assert started.status_code == 200
        assert len(httpx.get(f"{server.url}/api/v1/chat").json()["items"]) == 1
    finally:
        server.stop()
