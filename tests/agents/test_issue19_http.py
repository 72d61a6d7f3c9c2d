"""Issue 19 ("Understanding that generalises") through HTTP: each example is one plain message to the chat API of
the real app over real PostgreSQL, and the test reads what the plan made of it: concurrency said with any noun,
a context length said in passing, numbers in German and French, jobs read from the work they describe, "N x, M
each" multipliers, abbreviations (RAG, OCR, ASR, TTS) and compound tasks."""

from __future__ import annotations

import math
import re

import httpx
import pytest
from tests.agents.test_architect import check_invariants, plan_for
from tests.agents.test_jobs_http import check_job
from tests.agents.test_rag_http import VISION_TAGS, parts_of

from stack8s.planning.load import PEAK_FACTOR

DAY_S = 86_400
JOB_ARTIFACTS = {"kubernetes-job", "skypilot-task"}


def plan_of(client: httpx.Client, message: str) -> dict:
    """The plan for one message: a plan, not a clarifying question."""
    body = plan_for(client, message)
    assert body["response_type"] == "deployment_plan", body.get("clarifying_questions") or body["response"]
    return body["deployment_plan"]


def carries_concurrency(plan: dict, sequences: int) -> None:
    """An LLM plan sized for `sequences` in flight: stated as such, in the memory and on the fleet."""
    check_invariants(plan)
    load = plan["load"]
    assert load["concurrent_sequences"] == sequences and load["source"] == "stated"
    # the memory is sized for one replica's share of the sequences, the top fleet's replicas carry them all
    per_replica = re.search(r"KV [\d.]+ GB for (\d+) sequence\(s\)", plan["sizing"]["method"])
    assert per_replica is not None, plan["sizing"]["method"]
    top = plan["gpu_recommendations"][0]
    assert int(per_replica.group(1)) == math.ceil(sequences / top["replicas"])
    for r in plan["gpu_recommendations"]:
        assert r["replicas"] * r["performance"]["max_concurrent_sequences"] >= sequences, r["instance_type"]


def carries_daily_volume(plan: dict, per_day: float) -> None:
    """A serving plan for a daily volume: the peak rate derived from it, and a fleet that carries that rate."""
    check_invariants(plan)
    assert plan["workload_spec"]["requests_per_day"] == pytest.approx(per_day, rel=0.03)
    load = plan["load"]
    assert load["requests_per_day"] == pytest.approx(per_day, rel=0.03)
    assert load["requests_per_second"] == pytest.approx(per_day * PEAK_FACTOR / DAY_S, rel=0.03)
    top = plan["gpu_recommendations"][0]
    assert top["replicas"] * top["performance"]["requests_per_s"] >= load["requests_per_second"]


# --------------------------------------------------------------------------- 1. concurrency, whatever the noun


def test_support_agents_typing_at_the_same_time_are_twelve_sequences(client: httpx.Client) -> None:
    plan = plan_of(client, "Serve Qwen2.5 7B for 12 support agents typing at the same time")
    spec = plan["workload_spec"]
    assert spec["concurrent_users"] == 12 and spec["total_users"] is None
    assert spec["model_id"] == "Qwen/Qwen2.5-7B-Instruct" and spec["task_type"] == "inference"
    carries_concurrency(plan, 12)


def test_simultaneous_video_streams_are_concurrent_vision_work(client: httpx.Client) -> None:
    plan = plan_of(client, "Detect objects in 8 simultaneous video streams")
    check_invariants(plan)
    spec = plan["workload_spec"]
    assert spec["concurrent_users"] == 8 and spec["domain"] == "computer_vision"
    tags = {m["pipeline_tag"] for m in plan["model_recommendations"]}
    assert tags and tags <= VISION_TAGS


def test_parallel_ide_sessions_are_concurrent_sequences(client: httpx.Client) -> None:
    plan = plan_of(client, "25 parallel sessions from our IDE plugin with Qwen2.5 Coder 7B")
    spec = plan["workload_spec"]
    assert spec["concurrent_users"] == 25 and spec["model_id"] == "Qwen/Qwen2.5-Coder-7B-Instruct"
    carries_concurrency(plan, 25)


@pytest.mark.parametrize(
    ("message", "use_case"),
    [
        pytest.param(
            "Serve Qwen2.5 7B for 12 support agents typing at the same time",
            "chat",
        ),
        pytest.param(
            "25 parallel sessions from our IDE plugin with Qwen2.5 Coder 7B",
            "code",
        ),
    ],
)
def test_the_kind_of_traffic_comes_from_who_sends_it(client: httpx.Client, message: str, use_case: str) -> None:
    """Beyond the issue's list: the people who send the requests decide the token sizes of the load."""
    plan = plan_of(client, message)
    assert plan["workload_spec"]["use_case"] == use_case
    assert f"answer tokens per request ({use_case})" in plan["load"]["method"]


# --------------------------------------------------------------------------- 2. a context length said in passing


def test_prompts_of_roughly_16k_tokens_size_the_requests(client: httpx.Client) -> None:
    plan = plan_of(client, "Llama 3.1 8B chatbot, prompts run to roughly 16k tokens")
    check_invariants(plan)
    spec, load = plan["workload_spec"], plan["load"]
    assert spec["input_tokens"] == 16_000 and spec["model_id"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert load["input_tokens"] == 16_000
    assert plan["vllm"]["max_model_len"] >= load["input_tokens"] + load["output_tokens"]


# --------------------------------------------------------------------------- 3. numbers in other languages


def test_two_million_requests_a_day_in_german(client: httpx.Client) -> None:
    plan = plan_of(client, "Wir brauchen Llama 3.1 8B für zwei Millionen Anfragen pro Tag")
    assert plan["workload_spec"]["model_id"] == "meta-llama/Llama-3.1-8B-Instruct"
    carries_daily_volume(plan, 2_000_000)


def test_french_pretraining_on_gcp_a100s_within_ten_days_is_a_priced_job(client: httpx.Client) -> None:
    text = (
        "Pré-entraîner un modèle de 1 milliard de paramètres sur 3 milliards de tokens avec des A100 chez GCP, "
        "en moins de 10 jours"
    )
    plan = plan_of(client, text)
    spec = plan["workload_spec"]
    assert spec["task_type"] == "training" and spec["provider"] == "gcp"
    assert spec["training_tokens"] == pytest.approx(3e9, rel=0.03)
    assert spec["params_billion"] == pytest.approx(1.0, rel=0.03)
    assert spec["deadline_hours"] == pytest.approx(240, rel=0.03)
    job = check_job(plan)
    assert job["provider"] == "gcp" and job["wall_clock_hours"] > 0 and job["job_cost_usd"] > 0
    assert job["deadline_hours"] == pytest.approx(240, rel=0.03) and job["meets_deadline"] is not None
    assert job["flops"] == pytest.approx(6 * 1e9 * 3e9, rel=0.1)  # 6 x parameters x tokens (+ attention)
    assert all(r["provider"] == "gcp" and r["gpu_model"].startswith("A100") for r in plan["gpu_recommendations"])


def test_a_german_total_budget_with_a_thousands_dot(client: httpx.Client) -> None:
    text = "Budget insgesamt 1.200 Dollar für das Fine-Tuning von Mistral 7B mit LoRA auf 20 Millionen Tokens"
    plan = plan_of(client, text)
    spec = plan["workload_spec"]
    assert spec["budget_total_usd"] == pytest.approx(1200, rel=0.03) and spec["budget_monthly_usd"] is None
    assert spec["task_type"] == "fine_tuning" and spec["fine_tuning_method"] == "lora"
    assert spec["training_tokens"] == pytest.approx(2e7, rel=0.03)
    job = check_job(plan)
    assert job["budget_total_usd"] == pytest.approx(1200, rel=0.03)
    assert job["within_budget"] is (job["job_cost_usd"] <= job["budget_total_usd"])


# --------------------------------------------------------------------------- 4. jobs read from the work


def test_an_image_classifier_for_40_epochs_within_3_days(client: httpx.Client) -> None:
    plan = plan_of(client, "Train an image classifier (ResNet-50) on 150,000 images for 40 epochs within 3 days")
    spec = plan["workload_spec"]
    assert spec["task_type"] == "training" and spec["domain"] == "computer_vision"
    assert spec["epochs"] == 40 and spec["job_items"] == pytest.approx(150_000, rel=0.03)
    assert spec["deadline_hours"] == pytest.approx(72, rel=0.03)
    job = check_job(plan)
    assert job["gpu_hours"] > 0 and job["job_cost_usd"] > 0 and job["meets_deadline"] is not None
    assert job["flops"] == pytest.approx(3 * 4.09e9 * 150_000 * 40, rel=0.03)  # forward + backward per image


def check_one_off_job(plan: dict) -> dict:
    """A one-off batch job priced by its duration; no serving fleet (load, vLLM, serving artifacts) behind it."""
    job = check_job(plan)
    assert job["wall_clock_hours"] > 0 and job["job_cost_usd"] > 0 and job["runs_per_month"] is None
    assert plan["load"] is None and plan["vllm"] is None
    assert {a["format"] for a in plan["artifacts"]} == JOB_ARTIFACTS
    assert plan["cost_estimate"]["job_cost_usd"] == pytest.approx(job["job_cost_usd"], abs=0.01)
    return job


def test_embedding_two_million_articles_once_is_a_job_not_a_fleet(client: httpx.Client) -> None:
    body = plan_for(client, "Embed our 2 million support articles once with bge-base")
    assert body["response_type"] == "deployment_plan", body["response"]
    plan = body["deployment_plan"]
    spec = plan["workload_spec"]
    assert spec["task_type"] == "batch_inference" and spec["model_id"] == "BAAI/bge-base-en-v1.5"
    assert spec["job_items"] == pytest.approx(2e6, rel=0.03)
    job = check_one_off_job(plan)
    # the answer is the job's price; the month of the instances is only what keeping them would cost
    assert f"### Cost: ${job['job_cost_usd']:,.2f} for the job" in body["response"]


def test_transcribing_3000_hours_by_next_week_is_a_priced_job(client: httpx.Client) -> None:
    text = "Transcribe 3,000 hours of call recordings with Whisper large-v3 by next week"
    plan = plan_of(client, text)
    spec = plan["workload_spec"]
    assert spec["task_type"] == "batch_inference" and spec["domain"] == "audio"
    assert spec["audio_hours"] == pytest.approx(3000, rel=0.03) and spec["model_id"] == "openai/whisper-large-v3"
    job = check_one_off_job(plan)
    assert job["deadline_hours"] == pytest.approx(168, rel=0.03) and job["meets_deadline"] is not None


# --------------------------------------------------------------------------- 5. multipliers


def test_chats_a_day_times_turns_each(client: httpx.Client) -> None:
    plan = plan_of(client, "Qwen2.5 7B Instruct for our help desk: 40k chats a day, about 8 turns each")
    assert plan["workload_spec"]["model_id"] == "Qwen/Qwen2.5-7B-Instruct"
    carries_daily_volume(plan, 40_000 * 8)


# --------------------------------------------------------------------------- 6. abbreviations and compound tasks


def test_a_rag_chatbot_has_a_generator_and_an_embedder(client: httpx.Client) -> None:
    plan = plan_of(client, "RAG chatbot over our wiki with Llama 3.1 8B, 50 people at the same time")
    spec = plan["workload_spec"]
    assert spec["use_case"] == "rag" and spec["concurrent_users"] == 50
    parts = parts_of(plan)
    assert parts["generator"]["model_id"] == spec["model_id"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert parts["embedder"]["model_id"] and parts["embedder"]["model_id"] != parts["generator"]["model_id"]
    carries_concurrency(plan, 50)


def test_fraud_detection_at_500_per_second_is_tabular(client: httpx.Client) -> None:
    plan = plan_of(client, "fraud detection on card transactions, 500 per second")
    check_invariants(plan)
    spec = plan["workload_spec"]
    assert spec["domain"] == "tabular" and spec["task_type"] == "inference"
    assert spec["requests_per_second"] == pytest.approx(500, rel=0.03)
    assert not {m["pipeline_tag"] for m in plan["model_recommendations"]} & VISION_TAGS


def test_ocr_of_scanned_invoices_is_vision(client: httpx.Client) -> None:
    plan = plan_of(client, "OCR for scanned invoices, 3 pages per second")
    check_invariants(plan)
    spec = plan["workload_spec"]
    assert spec["domain"] == "computer_vision" and spec["task_type"] == "inference"
    assert spec["requests_per_second"] == pytest.approx(3, rel=0.03)


def test_a_rate_of_pages_is_not_a_dataset(client: httpx.Client) -> None:
    """Beyond the issue's list: the same message states no data to store."""
    plan = plan_of(client, "OCR for scanned invoices, 3 pages per second")
    assert plan["workload_spec"]["dataset_size_gb"] is None


def test_asr_for_simultaneous_calls_is_audio(client: httpx.Client) -> None:
    plan = plan_of(client, "ASR for 10 simultaneous calls")
    check_invariants(plan)
    spec = plan["workload_spec"]
    assert spec["domain"] == "audio" and spec["concurrent_users"] == 10
    assert "automatic-speech-recognition" in {m["pipeline_tag"] for m in plan["model_recommendations"]}


def test_tts_with_first_audio_under_300_ms(client: httpx.Client) -> None:
    plan = plan_of(client, "TTS for our IVR, first audio under 300 ms")
    check_invariants(plan)
    spec = plan["workload_spec"]
    assert spec["domain"] == "audio" and spec["slo"]["ttft_ms"] == pytest.approx(300, rel=0.03)
    assert "text-to-speech" in {m["pipeline_tag"] for m in plan["model_recommendations"]}
