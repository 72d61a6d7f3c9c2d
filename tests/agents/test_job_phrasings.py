"""Job phrasings -> WorkloadSpec job fields: training tokens and their basis, epochs, deadlines, one-off
budgets, full fine-tuning, batch volumes and schedules. Serving messages get none of them."""

from __future__ import annotations

from typing import Any

import pytest
from tests.agents.test_requirements import CATALOG, catalog_rows, spec_of

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.llm_extract import merge
from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.agents.requirements.rules import JOB_FIELDS, extract_spec
from stack8s.planning.spec import WorkloadSpec

NIGHTLY = 730 / 24  # runs per month of a nightly job, with the cost model's 730-hour month
WEEKLY = 730 / 168


def differs(got: Any, want: Any) -> bool:
    """Exact, type included; floats to 0.01 (runs per month are rounded to cents)."""
    if isinstance(want, float):
        return not (isinstance(got, float) and got == pytest.approx(want, abs=0.01))
    return got != want or type(got) is not type(want)


def exact(spec: WorkloadSpec, expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    dumped = spec.model_dump()
    return {name: (dumped[name], want) for name, want in expected.items() if differs(dumped[name], want)}


def check(messages: list[str], expected: dict[str, Any]) -> None:
    assert exact(spec_of(*messages), expected) == {}


# --------------------------------------------------------------------------- 1. training tokens

TOKENS: list[tuple[str, dict[str, Any]]] = [
    ("Fine-tune Llama 3.1 8B on 50 million tokens", {"training_tokens": 50_000_000}),
    ("Fine-tune Llama 3.1 8B on 50M tokens", {"training_tokens": 50_000_000}),
    ("Pretrain a 7B model on 100B tokens", {"training_tokens": 100_000_000_000}),
    ("Pretrain a 70B LLM on 1.5 trillion tokens", {"training_tokens": 1_500_000_000_000}),
    ("What would it cost to fine-tune Mistral 7B on 10 million tokens?", {"training_tokens": 10_000_000}),
    ("Fine-tune Qwen2.5 7B on 10,000,000 tokens", {"training_tokens": 10_000_000}),
    ("Our training data is 2B tokens; train a 1B model", {"training_tokens": 2_000_000_000}),
    # a context length or a sequence length in the same message is not the dataset
    ("Fine-tune Llama 3.1 8B with 128k context on 10M tokens", {"training_tokens": 10_000_000}),
    ("Fine-tune Llama 3.1 8B on 10M tokens with sequences of 4096 tokens", {"training_tokens": 10_000_000}),
    ("Fine-tune Llama 3.1 8B with a 4096 tokens context", {"training_tokens": None}),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS, ids=[t for t, _ in TOKENS])
def test_stated_training_tokens(text: str, expected: dict[str, Any]) -> None:
    basis = "stated" if expected["training_tokens"] else None
    check([text], {**expected, "training_tokens_basis": basis})


CONVERTED: list[tuple[str, int, str]] = [
    (
        "Fine-tune Mistral 7B on 20,000 examples of about 500 tokens",
        10_000_000,
        "20,000 examples x 500 tokens",
    ),
    ("Fine-tune Mistral 7B on 20k examples, about 500 tokens each", 10_000_000, "20,000 examples x 500 tokens"),
    ("Fine-tune Mistral 7B on 20,000 500-token examples", 10_000_000, "20,000 examples x 500 tokens"),
    (
        "Fine-tune Mistral 7B on 20,000 examples",
        20_000 * lx.DEFAULT_TOKENS_PER_EXAMPLE,
        "20,000 examples x 512 tokens per example (assumed; no length was given)",
    ),
    (
        "Fine-tune Llama 3.1 8B on 5 million words of support tickets",
        6_500_000,
        "5,000,000 words x 1.3 tokens per word",
    ),
    (
        "Fine-tune Llama 3.1 8B on 10,000 pages of manuals",
        6_500_000,
        "10,000 pages x 500 words per page x 1.3 tokens per word",
    ),
]


@pytest.mark.parametrize(("text", "tokens", "basis"), CONVERTED, ids=[t for t, _, _ in CONVERTED])
def test_training_tokens_from_examples_words_and_pages(text: str, tokens: int, basis: str) -> None:
    check([text], {"training_tokens": tokens, "training_tokens_basis": basis, "task_type": "fine_tuning"})


def test_the_conversion_constants() -> None:
    assert (lx.DEFAULT_TOKENS_PER_EXAMPLE, lx.TOKENS_PER_WORD, lx.WORDS_PER_PAGE) == (512, 1.3, 500)


def test_gigabytes_of_text_stay_gigabytes() -> None:
    check(["Fine-tune Llama 3.1 8B on 500 GB of text"], {"dataset_size_gb": 500.0, "training_tokens": None})


def test_examples_of_a_non_text_model_are_not_tokens() -> None:
    check(["Fine-tune Whisper on 10,000 samples"], {"domain": "audio", "training_tokens": None})


def test_images_a_vision_model_trains_on_are_job_items() -> None:
    # the images are the samples of a vision training run (the planner prices FLOPs per image x images),
    # and their size on disk stays in dataset_size_gb
    check(
        ["I want to train a ResNet-50 image classifier on about 1.2M images"],
        {"task_type": "training", "job_items": 1_200_000.0, "training_tokens": None, "dataset_size_gb": 132.0},
    )


# --------------------------------------------------------------------------- 2. epochs

EPOCHS: list[tuple[str, float]] = [
    ("Fine-tune Llama 3.1 8B on 10M tokens, 2 epochs", 2.0),
    ("Fine-tune Llama 3.1 8B for three epochs", 3.0),
    ("Fine-tune Llama 3.1 8B, 1 epoch", 1.0),
    ("Fine-tune Llama 3.1 8B for a single epoch", 1.0),
    ("Train a 1B model, epochs: 4", 4.0),
]


@pytest.mark.parametrize(("text", "epochs"), EPOCHS, ids=[t for t, _ in EPOCHS])
def test_epochs(text: str, epochs: float) -> None:
    check([text], {"epochs": epochs})


def test_a_later_message_changes_only_the_epochs() -> None:
    first = spec_of("LoRA fine-tune Llama 3.1 8B on 50 million tokens, 2 epochs, within 10 days")
    second = spec_of("LoRA fine-tune Llama 3.1 8B on 50 million tokens, 2 epochs, within 10 days", "make it 3 epochs")
    assert (first.epochs, second.epochs) == (2.0, 3.0)
    assert first.model_dump(exclude={"epochs"}) == second.model_dump(exclude={"epochs"})


# --------------------------------------------------------------------------- 3. deadlines

DEADLINES: list[tuple[str, float]] = [
    ("Fine-tune Llama 3.1 8B within a month", 730.0),
    ("Fine-tune Llama 3.1 8B in two weeks", 336.0),
    ("Fine-tune Llama 3.1 8B in 3 weeks", 504.0),
    ("Train a 1B model, it must be done in 3 weeks", 504.0),
    ("Fine-tune Llama 3.1 8B by tomorrow", 24.0),
    ("Fine-tune Llama 3.1 8B in 48 hours", 48.0),
    ("Fine-tune Llama 3.1 8B within 10 days", 240.0),
    ("Fine-tune Llama 3.1 8B overnight", 12.0),
    ("Fine-tune Llama 3.1 8B by the end of the week", 168.0),
    ("Summarise 1 million documents with Mistral 7B in 2 days", 48.0),
]


@pytest.mark.parametrize(("text", "hours"), DEADLINES, ids=[t for t, _ in DEADLINES])
def test_deadlines(text: str, hours: float) -> None:
    check([text], {"deadline_hours": hours})


def test_a_deadline_next_to_a_monthly_budget_breaks_neither() -> None:
    expected = {"deadline_hours": 730.0, "budget_monthly_usd": 500.0, "budget_total_usd": None}
    check(["Fine-tune Llama 3.1 8B within a month, budget $500 a month"], expected)
    check(["Fine-tune Llama 3.1 8B with $500 a month, done within a month"], expected)


def test_a_service_has_no_deadline() -> None:
    check(
        ["Deploy Llama 3.1 8B within a month, budget $500 a month"],
        {"task_type": "inference", "deadline_hours": None, "budget_monthly_usd": 500.0},
    )


# --------------------------------------------------------------------------- 4. one-off budgets

ONE_OFF: list[tuple[str, float]] = [
    ("$500 in total", 500.0),
    ("we have $500 in total", 500.0),
    ("a total budget of $2,000", 2000.0),
    ("$300 for the whole run", 300.0),
    ("one-off budget of $1k", 1000.0),
    ("at most $50 for the job", 50.0),
    ("Fine-tune Llama 3.1 8B, $2000 for the whole job", 2000.0),
]


@pytest.mark.parametrize(("text", "total"), ONE_OFF, ids=[t for t, _ in ONE_OFF])
def test_one_off_budgets(text: str, total: float) -> None:
    check([text], {"budget_total_usd": total, "budget_monthly_usd": None})


@pytest.mark.parametrize(
    ("text", "monthly"),
    [("$500 a month", 500.0), ("budget $800", 800.0), ("a total budget of $2,000 per month", 2000.0)],
)
def test_monthly_budgets_stay_monthly(text: str, monthly: float) -> None:
    check([text], {"budget_monthly_usd": monthly, "budget_total_usd": None})


def test_a_monthly_and_a_one_off_budget_in_one_message() -> None:
    check(
        ["Fine-tune Llama 3.1 8B for $1,000 in total, then serve it for $300 a month"],
        {"budget_total_usd": 1000.0, "budget_monthly_usd": 300.0},
    )


def test_the_llm_does_not_turn_a_one_off_budget_into_a_monthly_one() -> None:
    rules = spec_of("We have $500 in total to fine-tune Llama 3.1 8B")
    llm = WorkloadSpec(task_type="fine_tuning", budget_monthly_usd=500, deadline_hours=100)
    merged = merge(rules, llm)
    assert (merged.budget_total_usd, merged.budget_monthly_usd, merged.deadline_hours) == (500.0, None, 100.0)


# --------------------------------------------------------------------------- 5. full fine-tuning

FULL: list[str] = [
    "fully fine-tune Llama 3.1 8B (not LoRA)",
    "full fine-tuning of Mistral 7B",
    "a full-parameter fine-tune of Qwen2.5 7B",
    "Fine-tune Llama 3.1 8B fully, not with LoRA: a full fine-tune",
]


@pytest.mark.parametrize("text", FULL)
def test_full_fine_tuning(text: str) -> None:
    check([text], {"task_type": "fine_tuning", "fine_tuning_method": "full"})


@pytest.mark.parametrize("text", ["fine-tune Llama 3.1 8B, no LoRA", "fine-tune Llama 3.1 8B but not LoRA"])
def test_a_ruled_out_lora_is_not_lora(text: str) -> None:
    check([text], {"task_type": "fine_tuning", "fine_tuning_method": None})


def test_taking_lora_back() -> None:
    check(["LoRA fine-tune Llama 3.1 8B", "actually not LoRA"], {"fine_tuning_method": None})
    check(["LoRA fine-tune Llama 3.1 8B", "make it a full fine-tune"], {"fine_tuning_method": "full"})


# --------------------------------------------------------------------------- 6. batch volumes and schedules

BATCH: list[tuple[str, dict[str, Any]]] = [
    (
        "Transcribe ~2000 hours of recordings per month with Whisper large-v3",
        {"task_type": "batch_inference", "audio_hours": 2000.0, "runs_per_month": 1.0, "job_items": None},
    ),
    ("Transcribe 500 hours of podcasts weekly", {"audio_hours": 500.0, "runs_per_month": WEEKLY}),
    ("Transcribe 90,000 minutes of call recordings", {"audio_hours": 1500.0, "runs_per_month": None}),
    (
        "summarise 1 million documents with Llama 3.1 8B",
        {"task_type": "batch_inference", "job_items": 1_000_000.0, "runs_per_month": None},
    ),
    ("classify 200k images", {"task_type": "batch_inference", "job_items": 200_000.0}),
    ("embed 10M documents with e5-large", {"task_type": "batch_inference", "job_items": 10_000_000.0}),
    ("Embed 50M documents with bge-m3 as a batch job", {"task_type": "batch_inference", "job_items": 5e7}),
    (
        "Process a backlog of 2M scanned invoices with an OCR model",
        {"task_type": "batch_inference", "job_items": 2_000_000.0},
    ),
    ("Summarise 1 million documents every night with Mistral 7B", {"job_items": 1e6, "runs_per_month": NIGHTLY}),
    ("embed 10M documents nightly", {"job_items": 1e7, "runs_per_month": NIGHTLY}),
    ("process 5M records daily", {"job_items": 5e6, "runs_per_month": NIGHTLY}),
    ("Summarise 50k documents a day with Mistral 7B", {"job_items": 50_000.0, "runs_per_month": NIGHTLY}),
    ("classify 200k images every week", {"job_items": 200_000.0, "runs_per_month": WEEKLY, "requests_per_day": None}),
    ("caption 30k product photos every month", {"job_items": 30_000.0, "runs_per_month": 1.0}),
    ("Run Whisper medium every night to transcribe our podcast back catalogue", {"runs_per_month": NIGHTLY}),
    (
        "Summarise 1 million documents every night with Mistral 7B, budget $50 a day",
        {"runs_per_month": NIGHTLY, "budget_monthly_usd": 50 * 730 / 24},
    ),
]


@pytest.mark.parametrize(("text", "expected"), BATCH, ids=[t for t, _ in BATCH])
def test_batch_volumes(text: str, expected: dict[str, Any]) -> None:
    check([text], {"task_type": "batch_inference", **expected})


def test_serving_volumes_stay_serving() -> None:
    check(
        ["Serve Llama 3.1 8B for 1 million requests per day"],
        {"task_type": "inference", "requests_per_day": 1e6, "job_items": None, "runs_per_month": None},
    )


def test_a_service_for_users_is_not_a_batch_job() -> None:
    check(
        ["Summarise 1 million documents with Llama 3.1 8B", "actually serve it as an API for 200 users"],
        {"task_type": "inference", "job_items": None, "total_users": 200},
    )


# --------------------------------------------------------------------------- 7. the issue's examples, end to end

ISSUE: list[tuple[list[str], dict[str, Any]]] = [
    (
        ["Pretrain a 1.3B GPT-style model on 50B tokens within a month"],
        {
            "task_type": "training",
            "params_billion": 1.3,
            "training_tokens": 50_000_000_000,
            "training_tokens_basis": "stated",
            "deadline_hours": 730.0,
        },
    ),
    (
        ["What would it cost to fine-tune Llama 3.1 8B on 10 million tokens?"],
        {"task_type": "fine_tuning", "training_tokens": 10_000_000, "training_tokens_basis": "stated"},
    ),
    (
        ["Transcribe ~2000 hours of recordings per month with Whisper large-v3"],
        {
            "task_type": "batch_inference",
            "audio_hours": 2000.0,
            "runs_per_month": 1.0,
            "model_id": "openai/whisper-large-v3",
        },
    ),
    (
        ["We have $500 in total to fully fine-tune Llama 3.1 8B (not LoRA) on 20M tokens"],
        {
            "task_type": "fine_tuning",
            "fine_tuning_method": "full",
            "budget_total_usd": 500.0,
            "budget_monthly_usd": None,
            "training_tokens": 20_000_000,
        },
    ),
    (
        ["LoRA fine-tune Llama 3.1 8B on 50 million tokens, 2 epochs"],
        {"task_type": "fine_tuning", "fine_tuning_method": "lora", "training_tokens": 50_000_000, "epochs": 2.0},
    ),
    (
        ["Train a 3B parameter language model from scratch on 100B tokens, it must be done in 3 weeks"],
        {"task_type": "training", "deadline_hours": 504.0, "training_tokens": 100_000_000_000, "params_billion": 3.0},
    ),
    (
        ["Fine-tune Llama 3.1 8B on 10 million tokens", "make it 3 epochs"],
        {"task_type": "fine_tuning", "training_tokens": 10_000_000, "epochs": 3.0},
    ),
]


@pytest.fixture(scope="module")
def catalog_lexicon() -> ModelLexicon:
    if not list(CATALOG.glob("*.yaml")):
        pytest.skip("no catalog yaml")
    return ModelLexicon.from_rows(catalog_rows())


@pytest.mark.parametrize(("messages", "expected"), ISSUE, ids=[" | ".join(m)[:60] for m, _ in ISSUE])
def test_issue_examples(messages: list[str], expected: dict[str, Any]) -> None:
    assert exact(spec_of(*messages), expected) == {}


@pytest.mark.parametrize(("messages", "expected"), ISSUE, ids=[" | ".join(m)[:60] for m, _ in ISSUE])
def test_issue_examples_with_the_real_catalog(
    messages: list[str], expected: dict[str, Any], catalog_lexicon: ModelLexicon
) -> None:
    assert exact(extract_spec(messages, catalog_lexicon), expected) == {}


# --------------------------------------------------------------------------- serving messages get no job fields

SERVING = [
    ["Serve Llama 3.1 70B, 1,500-token prompts, 300-token answers, 100 requests per second"],
    ["our budget is $800 per month"],
    ["Serve Llama 3.1 8B at 5000 tokens/s with a 32k context, 10M tokens a day"],
    ["Deploy Mistral 7B for 200 users, prompts of 2k tokens, we launch in two weeks"],
    ["Serve Qwen2.5 7B at 10 requests per second, about 500-token prompts and 200-token answers"],
    ["Llama 3 8B chatbot, 20,000 conversations a day"],
]


@pytest.mark.parametrize("messages", SERVING, ids=[m[0][:60] for m in SERVING])
def test_serving_messages_get_no_job_fields(messages: list[str]) -> None:
    spec = spec_of(*messages)
    assert {name: getattr(spec, name) for name in JOB_FIELDS} == dict.fromkeys(JOB_FIELDS)


def test_serving_message_keeps_its_load_fields() -> None:
    check(
        ["Serve Llama 3.1 70B, 1,500-token prompts, 300-token answers, 100 requests per second"],
        {"task_type": "inference", "input_tokens": 1500, "output_tokens": 300, "requests_per_second": 100.0},
    )
    check(["our budget is $800 per month"], {"budget_monthly_usd": 800.0, "budget_total_usd": None})
