"""Jobs priced by how long they run (planning/jobs.py): golden numbers with their sources, and properties."""

from __future__ import annotations

import itertools

import pytest

from stack8s.catalogs.gpus import gpu_spec
from stack8s.planning import jobs
from stack8s.planning.arch import ModelArch
from stack8s.planning.hardware import GpuSpec
from stack8s.planning.vllm_memory import WeightFormat

LLAMA_2_7B = ModelArch(params_billion=6.74, num_layers=32, hidden_size=4096, num_attention_heads=32, head_dim=128)
LLAMA_2_70B = ModelArch(
    params_billion=68.98, num_layers=80, hidden_size=8192, num_attention_heads=64, num_kv_heads=8, head_dim=128
)
LLAMA_31_8B = ModelArch(
    params_billion=8.03,
    num_layers=32,
    hidden_size=4096,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    intermediate_size=14336,
)


def gpu(name: str) -> GpuSpec:
    spec = gpu_spec(name)
    assert spec is not None, name
    return spec


def test_the_issue_pretraining_example_is_6_n_d() -> None:
    # "Pretrain a 1.3B GPT-style model on 50B tokens": 6 x 1.3e9 x 5e10 = 3.9e20 FLOPs, plus attention
    arch = ModelArch(params_billion=1.3, num_layers=24, hidden_size=2048, num_attention_heads=16, head_dim=128)
    work = jobs.llm_training_work(arch, 50e9, 1, "full", 2048, pretraining=True)
    # Kaplan et al. 2020: C = (6N + 6 x layers x context x d_attn) per token; attention adds 7.7% here
    assert work.flops == pytest.approx((6 * 1.3e9 + 6 * 24 * 2048 * 2048) * 50e9)
    assert work.flops == pytest.approx(3.9e20, rel=0.08)
    # an A40 (149.7 dense bf16 TFLOPS) at MFU 0.35 needs ~2,000 hours: the month deadline needs more instances
    run = jobs.run_on(work, gpu("A40"), 1, 0.4, deadline_hours=730)
    assert run is not None
    single = jobs.run_on(work, gpu("A40"), 1, 0.4)
    assert single is not None and 1800 < single.wall_clock_hours < 2400 and single.meets_deadline is None
    assert run.instances >= 3 and run.meets_deadline is True and run.wall_clock_hours <= 730


@pytest.mark.parametrize(
    ("arch", "tokens", "published_gpu_hours"),
    [
        # Touvron et al. 2023, 'Llama 2', Table 2 (CO2 emissions): 7B 184,320 and 70B 1,720,320 A100-80GB
        # GPU-hours for the 2T-token pretraining run (4,096-token sequences).
        (LLAMA_2_7B, 2e12, 184_320),
        (LLAMA_2_70B, 2e12, 1_720_320),
    ],
)
def test_published_training_gpu_hours_within_25_percent(
    arch: ModelArch, tokens: float, published_gpu_hours: int
) -> None:
    work = jobs.llm_training_work(arch, tokens, 1, "full", 4096, pretraining=True)
    run = jobs.run_on(work, gpu("A100-80GB"), 8, 1.0)
    assert run is not None
    assert run.gpu_hours == pytest.approx(published_gpu_hours, rel=0.25)


def test_lora_is_two_thirds_of_full_and_qlora_slower() -> None:
    full = jobs.llm_training_work(LLAMA_31_8B, 1e7, 1, "full", 2048, pretraining=False)
    lora = jobs.llm_training_work(LLAMA_31_8B, 1e7, 1, "lora", 2048, pretraining=False)
    qlora = jobs.llm_training_work(LLAMA_31_8B, 1e7, 1, "qlora", 2048, pretraining=False)
    assert full.flops is not None and lora.flops is not None
    assert lora.flops == pytest.approx(full.flops * 4 / 6)
    h100 = gpu("H100")
    lora_run, qlora_run = jobs.run_on(lora, h100, 1, 2.0), jobs.run_on(qlora, h100, 1, 2.0)
    assert lora_run is not None and qlora_run is not None
    assert qlora_run.wall_clock_hours == pytest.approx(lora_run.wall_clock_hours * jobs.QLORA_SLOWDOWN)


def test_fine_tuning_an_8b_model_on_10m_tokens_is_a_few_gpu_hours() -> None:
    # the issue: "the honest answer is a run of a few GPU-hours costing a few dollars"
    work = jobs.llm_training_work(LLAMA_31_8B, 1e7, 3, "lora", 2048, pretraining=False)
    run = jobs.run_on(work, gpu("A100-80GB"), 1, 1.5)
    assert run is not None and 0.5 < run.gpu_hours < 10 and run.cost_usd < 20


def test_whisper_real_time_factor() -> None:
    # insanely-fast-whisper: 150 min of audio in 98 s on an A100 (large-v3, fp16, batch 24, FA2) = 91.8x
    work = jobs.speech_work(150 / 60, 1.55)
    run = jobs.run_on(work, gpu("A100-80GB"), 1, 1.0)
    assert run is not None and run.wall_clock_hours * 3600 == pytest.approx(98, rel=0.01)
    # 2,000 hours of audio a month: tens of GPU-hours on an L4-class GPU, not a box rented 24/7
    month = jobs.run_on(jobs.speech_work(2000, 1.55), gpu("L4"), 1, 0.7)
    assert month is not None and 10 < month.gpu_hours < 200


def test_batch_llm_uses_the_serving_estimator_at_full_batch() -> None:
    work = jobs.llm_batch_work(LLAMA_31_8B, WeightFormat.bf16, 1e6, 4096, 512)
    run = jobs.run_on(work, gpu("H100"), 1, 3.0)
    assert run is not None
    # a million 4,096-token prompts: at least the prefill FLOPs at the GPU's peak
    floor_s = 2 * 8.03e9 * 4096 * 1e6 / (gpu("H100").peak_tflops_16bit or 1) / 1e12
    assert run.wall_clock_hours * 3600 > floor_s
    two = jobs.run_on(work, gpu("H100"), 2, 6.0)
    assert two is not None and two.wall_clock_hours == pytest.approx(run.wall_clock_hours / 2, rel=0.01)


@pytest.mark.parametrize("gpu_name", ["H100", "A100-80GB", "L4", "A10G"])
def test_cost_is_hours_times_instances_times_price_and_the_deadline_agrees(gpu_name: str) -> None:
    work = jobs.llm_training_work(LLAMA_31_8B, 2e9, 1, "full", 2048, pretraining=False)
    for deadline in (None, 2000.0, 200.0, 20.0, 1.0):
        run = jobs.run_on(work, gpu(gpu_name), 8, 10.0, deadline)
        assert run is not None
        assert run.cost_usd == pytest.approx(run.wall_clock_hours * run.instances * 10.0)
        assert run.gpu_hours == pytest.approx(run.wall_clock_hours * run.instances * 8)
        if deadline is None:
            assert run.meets_deadline is None
        else:
            assert run.meets_deadline is (run.wall_clock_hours <= deadline)


def test_more_tokens_never_cost_less_and_a_tighter_deadline_never_fewer_gpus() -> None:
    h100 = gpu("H100")
    costs = []
    for tokens in (1e8, 1e9, 1e10, 1e11):
        run = jobs.run_on(jobs.llm_training_work(LLAMA_31_8B, tokens, 1, "full", 2048, False), h100, 8, 30.0)
        assert run is not None
        costs.append(run.cost_usd)
    assert costs == sorted(costs)
    work = jobs.llm_training_work(LLAMA_31_8B, 1e11, 1, "full", 2048, False)
    gpus = []
    for deadline in (10_000.0, 1_000.0, 300.0, 100.0, 30.0, 10.0):
        run = jobs.run_on(work, h100, 8, 30.0, deadline)
        assert run is not None
        gpus.append(run.instances * run.gpus_per_instance)
    assert all(a <= b for a, b in itertools.pairwise(gpus))


def test_an_impossible_deadline_says_so() -> None:
    work = jobs.llm_training_work(LLAMA_2_70B, 2e12, 1, "full", 4096, pretraining=True)
    run = jobs.run_on(work, gpu("H100"), 8, 98.0, deadline_hours=24)
    assert run is not None and run.instances == jobs.MAX_INSTANCES and run.meets_deadline is False


def test_ranking_prefers_meeting_the_deadline_then_cost_then_hours() -> None:
    def run(cost: float, hours: float, meets: bool | None) -> jobs.JobRun:
        return jobs.JobRun(1, 1, hours, hours, cost, cost / hours, None, meets, 1.0, "")

    cheap_slow, same_fast, late = run(100, 10, True), run(102, 5, True), run(50, 50, False)
    runs = [late, cheap_slow, same_fast]
    ranked = sorted(runs, key=lambda r: jobs.rank_key(r, 100, None))
    assert ranked == [same_fast, cheap_slow, late]  # within 3% of the cheapest: the faster first
    assert sorted(runs, key=lambda r: jobs.rank_key(r, 100, 101))[0] is cheap_slow  # budget $101


def test_speech_training_counts_encoder_positions() -> None:
    # 1 h = 120 windows of 30 s; per window 6 x (N/2 x 1,500 + N/2 x 100)
    work = jobs.speech_training_work(1.0, 1.55, 1.0)
    assert work.flops == pytest.approx(120 * 6 * 0.775e9 * 1600)


def test_vision_jobs_use_flops_per_image_of_the_named_architecture() -> None:
    train = jobs.vision_training_work("microsoft/resnet-50", 1.2e6, 90)
    assert train is not None and train.flops == pytest.approx(3 * 4.09e9 * 1.2e6 * 90)
    # ResNet-50 at MFU 0.10 on an A100: 312e12 x 0.1 / (3 x 4.09e9) = 2,540 images/s (the DeepLearningExamples figure)
    run = jobs.run_on(train, gpu("A100-80GB"), 1, 1.0)
    assert run is not None
    assert 1.2e6 * 90 / (run.wall_clock_hours * 3600) == pytest.approx(2540, rel=0.02)
    batch = jobs.vision_batch_work("microsoft/resnet-50", 1e6)
    assert batch is not None and batch.independent_items and batch.flops == pytest.approx(4.09e15)
    assert jobs.vision_training_work("some/unknown-cnn", 1e6, 1) is None
