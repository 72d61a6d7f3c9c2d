"""`stack8s ask` against a running server (the session's, with real auth) and, with none, in-process."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from tests.cli.cli_run import LOG_LINE, nobody_url, ok, stack8s
from tests.conftest import LiveServer, token_for, user_client

AZURE_70B = "Serve Llama 3.1 70B Instruct on Azure for 50 concurrent users"


def names_in(plan: dict[str, object]) -> list[str]:
    recommendations = plan["gpu_recommendations"]
    models = plan["model_recommendations"]
    assert isinstance(recommendations, list) and isinstance(models, list)
    return [r["instance_type"] for r in recommendations] + [m["model_id"] for m in models]


def test_ask_talks_to_the_server_quietly_and_keeps_names_whole(live: LiveServer) -> None:
    user = str(uuid.uuid4())
    result = ok(stack8s("ask", AZURE_70B, "--url", live.url, "--token", token_for(user), columns=80))
    assert result.stderr == "" and not LOG_LINE.search(result.stdout)
    assert "in-process" not in result.stdout
    with user_client(live, user) as http:
        page = http.get("/api/v1/chat").json()
        assert page["total"] == 1  # the turn happened on the server, as this user
        conversation = http.get(f"/api/v1/chat/{page['items'][0]['conversation_id']}").json()
    reply = conversation["messages"][-1]["payload"]
    assert conversation["messages"][0]["content"] == AZURE_70B and reply["response_type"] == "deployment_plan"
    assert f"conversation: {conversation['conversation_id']}" in result.stdout
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    names = names_in(reply["deployment_plan"])
    assert any(len(name) > 20 for name in names)  # long enough that rich's plain tables cut them at 80 columns
    for name in names:
        assert any(name in line for line in lines), (name, result.stdout)


def test_token_from_the_environment_and_a_continued_conversation(live: LiveServer) -> None:
    user = str(uuid.uuid4())
    first = json.loads(
        ok(
            stack8s("ask", "Serve Mistral 7B Instruct", "--url", live.url, "--json", STACK8S_TOKEN=token_for(user))
        ).stdout
    )
    conversation = first["conversation_id"]
    env = {"STACK8S_TOKEN": token_for(user), "STACK8S_URL": live.url}
    second = json.loads(
        ok(stack8s("ask", "make it GCP instead", "--conversation", conversation, "--json", **env)).stdout
    )
    assert second["conversation_id"] == conversation
    assert {r["provider"] for r in second["deployment_plan"]["gpu_recommendations"]} == {"gcp"}
    with user_client(live, user) as http:
        assert len(http.get(f"/api/v1/chat/{conversation}").json()["messages"]) == 4


def test_emit_writes_the_plans_artifacts(live: LiveServer, tmp_path: Path) -> None:
    user = str(uuid.uuid4())
    result = ok(
        stack8s(
            "ask",
            "Serve Mistral 7B Instruct on AWS",
            "--url",
            live.url,
            "--token",
            token_for(user),
            "--emit",
            str(tmp_path),
        )
    )
    with user_client(live, user) as http:
        cid = http.get("/api/v1/chat").json()["items"][0]["conversation_id"]
        artifacts = http.get(f"/api/v1/chat/{cid}/artifacts").json()
    assert artifacts and {p.name for p in tmp_path.iterdir()} == {a["filename"] for a in artifacts}
    for artifact in artifacts:
        assert (tmp_path / artifact["filename"]).read_text() == artifact["content"]
        assert f"wrote {tmp_path / artifact['filename']}" in result.stderr


def test_a_refused_token_is_an_error_not_a_fallback(live: LiveServer) -> None:
    result = stack8s("ask", "Serve Mistral 7B", "--url", live.url, "--token", "not-a-jwt")
    assert result.returncode == 2 and "401" in result.stderr and "in-process" not in result.stderr


def test_talking_to_a_server_imports_no_planner(live: LiveServer) -> None:
    """The light import path: no torch, sentence-transformers, FastAPI or psycopg for a remote `ask`."""
    command = [sys.executable, "-X", "importtime", "-m", "stack8s", "ask", "Serve Mistral 7B", "--url", live.url]
    command += ["--token", token_for(str(uuid.uuid4()))]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "httpx" in modules and "rich" in modules  # the log is real
    assert not modules & {"torch", "sentence_transformers", "fastapi", "psycopg", "uvicorn", "transformers"}


@pytest.mark.slow
def test_with_no_server_it_plans_in_process(live: LiveServer) -> None:
    """Nothing answers at --url: one line says so, then the turn runs here on the same database, quietly."""
    url = nobody_url()
    result = ok(
        stack8s("ask", "Serve Mistral 7B Instruct on AWS", "--url", url, "--json", data_dir=live.settings.data_dir)
    )
    reply = json.loads(result.stdout)
    assert reply["response_type"] == "deployment_plan"
    said = [line for line in result.stderr.splitlines() if line.strip()]
    assert said[0].startswith(f"no server at {url}") and "planning in-process" in said[0]
    assert not LOG_LINE.search(result.stderr), result.stderr
