"""Claims of a validly signed token are checked before use: a `sub` that cannot be a user id (the
database key of every conversation) is a 401, never a 500."""

from __future__ import annotations

import anyio
import httpx
import pytest
from tests.conftest import JWT_SECRET, LiveServer
from tests.fakes.supabase_auth import FakeSupabaseAuth, mint_es256, mint_hs256

from stack8s.auth import MAX_SUBJECT_CHARS, Authenticator

BAD_SUBJECTS = {
    "nul": "user\x00id",
    "lone-surrogate": "user\ud800id",
    "control": "user\x01id",
    "newline": "user\nid",
    "tab": "user\tid",
    "delete": "user\x7fid",
    "c1-control": "user\x85id",
    "zero-width": "user\u200bid",
    "bidi-override": "user\u202eid",
    "too-long": "x" * (MAX_SUBJECT_CHARS + 1),
    "empty": "",
    "blank": "   ",
}


def call(live: LiveServer, method: str, path: str, token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.request(method, f"{live.url}{path}", headers=headers, json={} if method == "POST" else None)


def assert_invalid_subject(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"error": "Unauthorized", "detail": "token subject is invalid"}


@pytest.mark.parametrize("sub", list(BAD_SUBJECTS.values()), ids=list(BAD_SUBJECTS))
@pytest.mark.parametrize(("method", "path"), [("GET", "/api/v1/chat"), ("POST", "/api/v1/chat/start")])
def test_a_signed_token_with_an_unusable_subject_is_401(live: LiveServer, sub: str, method: str, path: str) -> None:
    assert_invalid_subject(call(live, method, path, mint_hs256(JWT_SECRET, sub)))


@pytest.mark.parametrize("sub", ["user\x00id", "user\udfffid"], ids=["nul", "lone-surrogate"])
def test_jwks_signed_tokens_are_checked_the_same_way(live: LiveServer, auth_server: FakeSupabaseAuth, sub: str) -> None:
    assert_invalid_subject(call(live, "GET", "/api/v1/chat", mint_es256(auth_server.es256, sub)))


@pytest.mark.parametrize(
    "sub",
    ["x" * MAX_SUBJECT_CHARS, "josé-ユーザー-😀", "auth0|5f7c8ec7c33c6c004bbafe82", "user with spaces"],
    ids=["longest", "non-ascii", "provider-prefixed", "spaces"],
)
def test_printable_subjects_up_to_the_bound_are_users(live: LiveServer, sub: str) -> None:
    token = mint_hs256(JWT_SECRET, sub)
    started = call(live, "POST", "/api/v1/chat/start", token)
    assert started.status_code == 200, started.text
    listed = call(live, "GET", "/api/v1/chat", token).json()
    assert [c["conversation_id"] for c in listed["items"]] == [started.json()["conversation_id"]]


def test_the_server_keeps_answering_after_bad_subjects(live: LiveServer) -> None:
    for sub in BAD_SUBJECTS.values():
        assert call(live, "GET", "/api/v1/chat", mint_hs256(JWT_SECRET, sub)).status_code == 401
    assert call(live, "GET", "/api/v1/chat", mint_hs256(JWT_SECRET, "after-the-bad-ones")).status_code == 200


def test_unusable_optional_claims_are_dropped_not_fatal() -> None:
    auth = Authenticator(hs256_secret=JWT_SECRET.encode())
    token = mint_hs256(JWT_SECRET, "someone", email="a\x00@example.com", role="x" * 1000)
    principal = anyio.run(auth.authenticate, f"Bearer {token}")
    assert (principal.user_id, principal.email, principal.role) == ("someone", None, None)
    token = mint_hs256(JWT_SECRET, "someone", email="someone@example.com")
    principal = anyio.run(auth.authenticate, f"Bearer {token}")
    assert (principal.email, principal.role) == ("someone@example.com", "authenticated")
