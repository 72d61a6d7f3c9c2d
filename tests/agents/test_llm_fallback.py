"""The LLM path against a local OpenAI-compatible server: valid output is used (numbers from the rules
win); invalid JSON, schema violations, timeouts, 500s and refusals fall back to the rule engine."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import anyio
import httpx
import pytest
from tests.api.test_chat import send, start
from tests.conftest import LiveServer, make_settings, start_server
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.supabase_auth import mint_hs256

from stack8s.agents.architect.narrate import Prose, narrate
from stack8s.planning.plan import CostEstimate, DeploymentPlan, Sizing
from stack8s.planning.spec import WorkloadSpec

SECRET = "llm-test-secret-that-is-32-characters"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory, db_dsn: str, fake: FakeOpenAI) -> Iterator[LiveServer]:
    settings = make_settings(
        tmp_path_factory.mktemp("llm"),
        DATABASE_URL=db_dsn,
        SUPABASE_JWT_SECRET=SECRET,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=fake.base_url,
        STACK8S_LLM_TIMEOUT=1.0,
    )
    server = start_server(settings)
    yield server
    server.stop()


@pytest.fixture
def client(llm_server: LiveServer) -> Iterator[httpx.Client]:
    token = mint_hs256(SECRET, str(uuid.uuid4()))
    with httpx.Client(base_url=llm_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        yield c


FULL_SPEC = {
    "spec": {
        "task_type": "inference",
        "domain": "nlp",
        "gpu_needed": True,
        "model_needs": "customer support chat assistant",
        "budget_monthly_usd": 99999,
        "provider": "gcp",
    }
}


def test_valid_llm_output_is_used_and_rule_numbers_win(client: httpx.Client, fake: FakeOpenAI) -> None:
    fake.mode, fake.reply = "valid", FULL_SPEC
    cid = start(client)
    body = send(client, cid, "I want to deploy a model, budget $2,000 a month").json()
    assert body["response_type"] == "deployment_plan"
    spec = body["workload_spec"]
    assert spec["provider"] == "gcp"  # from the LLM (the rules found no provider)
    assert spec["budget_monthly_usd"] == 2000  # the rule engine's number wins
    chat_calls = [r for r in fake.requests if r["path"].endswith("/chat/completions")]
    assert chat_calls and chat_calls[-1]["body"]["response_format"] == {"type": "json_object"}


def test_one_retry_with_the_errors_recovers(client: httpx.Client, fake: FakeOpenAI) -> None:
    fake.mode, fake.reply = "invalid_then_valid", FULL_SPEC
    before = len(fake.requests)
    body = send(client, start(client), "I want to deploy a model").json()
    assert body["response_type"] == "deployment_plan" and body["workload_spec"]["provider"] == "gcp"
    retry = next(r for r in fake.requests[before:] if len(r["body"]["messages"]) > 2)
    assert "invalid" in retry["body"]["messages"][-1]["content"]


@pytest.mark.parametrize("mode", ["invalid_json", "schema", "timeout", "error", "refusal"])
def test_failures_fall_back_to_the_rule_engine(client: httpx.Client, fake: FakeOpenAI, mode: str) -> None:
    fake.mode = mode
    cid = start(client)
    first = send(client, cid, "I want to deploy a model")
    assert first.status_code == 200 and first.json()["response_type"] == "clarification"
    second = send(client, cid, "Mistral 7B Instruct on AWS for a chatbot")
    assert second.status_code == 200 and second.json()["response_type"] == "deployment_plan"
    assert {r["provider"] for r in second.json()["deployment_plan"]["gpu_recommendations"]} == {"aws"}


class _Rewriter:
    name = "stub"

    def __init__(self, prose: Prose) -> None:
        self.prose = prose

    async def structured(self, system: str, user: str, schema: type) -> Prose:
        return self.prose


def _plan() -> DeploymentPlan:
    cost = CostEstimate(
        compute_monthly_usd=730, storage_monthly_usd=0, other_monthly_usd=0, total_monthly_usd=730, breakdown=[]
    )
    return DeploymentPlan(
        understanding="It needs 24 GB at $1/h.",
        assumptions=[],
        workload_spec=WorkloadSpec(),
        sizing=Sizing(),
        gpu_recommendations=[],
        model_recommendations=[],
        kubernetes_stack=[],
        deployment_steps=[],
        cost_estimate=cost,
        tradeoffs=["Spot is 60% cheaper."],
    )


def test_narration_may_rephrase_but_never_change_numbers() -> None:
    good = Prose(understanding="You need 24 GB of GPU memory, about $1 an hour.", tradeoffs=["Spot saves 60%."])
    assert anyio.run(narrate, _plan(), _Rewriter(good), 5.0).understanding == good.understanding
    bad = Prose(understanding="You need 16 GB at $0.50/h.", tradeoffs=["Spot is 60% cheaper."])
    assert anyio.run(narrate, _plan(), _Rewriter(bad), 5.0).understanding == "It needs 24 GB at $1/h."
