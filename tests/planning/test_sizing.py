"""Sizing rules checked against published numbers (sources in comments) and by property tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stack8s.planning.arch import ModelArch, kv_bytes_per_token
from stack8s.planning.non_llm import cpu_ram_gb, size_cpu_only, size_non_llm
from stack8s.planning.precision import kv_precision_for, weight_bytes_per_param
from stack8s.planning.sizing import nodes_needed, size_inference, tensor_parallel_gpus
from stack8s.planning.training import lora_adapter_params_billion, size_training, training_activations_gb

# Architectures from the models' config.json on Hugging Face.
LLAMA31_8B = ModelArch(
    8.03,
    num_layers=32,
    hidden_size=4096,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=128,
    max_context=131072,
)
LLAMA31_70B = ModelArch(
    70.55,
    num_layers=80,
    hidden_size=8192,
    num_attention_heads=64,
    num_kv_heads=8,
    head_dim=128,
    max_context=131072,
)
LLAMA31_405B = ModelArch(
    405.0,
    num_layers=126,
    hidden_size=16384,
    num_attention_heads=128,
    num_kv_heads=8,
    head_dim=128,
    max_context=131072,
)
MISTRAL_7B = ModelArch(
    7.24,
    num_layers=32,
    hidden_size=4096,
    num_attention_heads=32,
    num_kv_heads=8,
    head_dim=128,
    max_context=32768,
)
LLAMA2_7B = ModelArch(6.74, num_layers=32, hidden_size=4096, num_attention_heads=32, max_context=4096)
LLAMA2_70B = ModelArch(68.98, num_layers=80, hidden_size=8192, num_attention_heads=64, num_kv_heads=8, max_context=4096)
MIXTRAL_8X7B = ModelArch(
    46.7,
    num_layers=32,
    hidden_size=4096,
    num_attention_heads=32,
    num_kv_heads=8,
    max_context=32768,
    num_experts=8,
    active_params_billion=12.9,
)


def sizing_sum(s) -> float:
    return round(s.weights_gb + s.kv_cache_gb + s.overhead_gb + s.optimizer_gb + s.activations_gb, 2)


# --- KV cache per token ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arch", "expected"),
    [
        # 2 x 80 layers x 8 KV heads x 128 x 2 B; vLLM / published calculators: 0.3125 MiB per token
        (LLAMA31_70B, 327_680),
        (LLAMA31_8B, 131_072),  # 2 x 32 x 8 x 128 x 2
        (MISTRAL_7B, 131_072),  # Mistral-7B config: 32 layers, 8 KV heads, head_dim 128
        (LLAMA2_7B, 524_288),  # no GQA: 2 x 32 x 32 heads x 128 x 2 (0.5 MiB per token)
        (LLAMA2_70B, 327_680),  # Llama-2-70B uses GQA with 8 KV heads (Touvron et al. 2023, §2.2)
        (MIXTRAL_8X7B, 131_072),  # experts do not add KV heads
        (LLAMA31_405B, 516_096),  # 2 x 126 x 8 x 128 x 2
    ],
)
def test_kv_bytes_per_token_published(arch: ModelArch, expected: int) -> None:
    assert kv_bytes_per_token(arch, "fp16") == expected


def test_kv_bytes_70b_is_0_3125_mib() -> None:
    assert kv_bytes_per_token(LLAMA31_70B) / 2**20 == 0.3125


def test_kv_precision_scales_bytes() -> None:
    assert kv_bytes_per_token(LLAMA31_70B, "fp8") == 163_840
    assert kv_bytes_per_token(LLAMA31_70B, "fp32") == 655_360


def test_head_dim_defaults_to_hidden_over_heads() -> None:
    arch = ModelArch(8.03, num_layers=32, hidden_size=4096, num_attention_heads=32, num_kv_heads=8)
    assert kv_bytes_per_token(arch) == 131_072


@pytest.mark.parametrize("known", [LLAMA31_8B, LLAMA31_70B, LLAMA31_405B])
def test_unknown_arch_estimate_errs_high_but_close(known: ModelArch) -> None:
    estimate, published = kv_bytes_per_token(ModelArch(known.params_billion)), kv_bytes_per_token(known)
    assert published <= estimate <= 1.3 * published


def test_kv_precision_rule() -> None:
    assert kv_precision_for("fp8") == "fp8"
    assert kv_precision_for("int4") == "fp16"
    assert kv_precision_for("bf16") == "fp16"
    assert kv_precision_for("fp32") == "fp32"


# --- weights ---------------------------------------------------------------------------------------


def serve(params: float, precision: str, arch: ModelArch | None = None, **kw):
    kw.setdefault("context_length", 4096)
    kw.setdefault("concurrent_sequences", 1)
    return size_inference(params_billion=params, precision=precision, arch=arch, **kw)


def test_weights_published_sizes() -> None:
    # Llama-3.1-70B: 70.55B params x 2 B = 141 GB of safetensors
    assert serve(70.55, "fp16", LLAMA31_70B).weights_gb == pytest.approx(141.1)
    # 4-bit AWQ/GPTQ 70B checkpoints are ~35-40 GB (4.5 effective bits/param)
    assert 35 <= serve(70.55, "int4", LLAMA31_70B).weights_gb <= 40
    # Llama-3.1-405B-FP8: ~405 GB of weights
    assert serve(405, "fp8", LLAMA31_405B).weights_gb == pytest.approx(405)
    # Mixtral 8x7B has 46.7B total params; every expert is loaded: ~93 GB in fp16
    mixtral = serve(46.7, "fp16", MIXTRAL_8X7B)
    assert mixtral.weights_gb == pytest.approx(93.4)
    assert any("MoE" in n for n in mixtral.notes)


def test_int4_allowance() -> None:
    assert weight_bytes_per_param("int4") == 0.5625
    assert weight_bytes_per_param("bf16") == 2


# --- inference -------------------------------------------------------------------------------------


def test_mistral_7b_16k_context_4_users() -> None:
    s = serve(7.24, "fp16", MISTRAL_7B, context_length=16_384, concurrent_sequences=4)
    assert 8.5 <= s.kv_cache_gb <= 8.6  # 131,072 B x 16,384 x 4 = 8.59e9 B
    assert s.kv_cache_gb == 8.59
    assert s.weights_gb == pytest.approx(14.5, abs=0.05)
    assert s.required_vram_gb >= 23
    assert s.required_vram_gb == sizing_sum(s)
    assert "131,072 B/token" in s.method and "16,384 tokens" in s.method


def test_overhead_rule() -> None:
    assert serve(70.55, "fp16", LLAMA31_70B).overhead_gb == pytest.approx(14.11)
    assert serve(1.0, "fp16").overhead_gb == 1.0  # floor


def test_context_capped_at_model_maximum() -> None:
    capped = serve(7.24, "fp16", MISTRAL_7B, context_length=1_000_000)
    at_max = serve(7.24, "fp16", MISTRAL_7B, context_length=32_768)
    assert capped.kv_cache_gb == at_max.kv_cache_gb
    assert any("capped" in n for n in capped.notes)


def test_fp8_weights_use_fp8_kv() -> None:
    fp16 = serve(70.55, "fp16", LLAMA31_70B, context_length=8192, concurrent_sequences=8)
    fp8 = serve(70.55, "fp8", LLAMA31_70B, context_length=8192, concurrent_sequences=8)
    int4 = serve(70.55, "int4", LLAMA31_70B, context_length=8192, concurrent_sequences=8)
    assert fp8.kv_cache_gb == pytest.approx(fp16.kv_cache_gb / 2, abs=0.01)
    assert int4.kv_cache_gb == fp16.kv_cache_gb


def test_unknown_arch_is_noted() -> None:
    s = serve(13, "fp16")
    assert s.kv_cache_gb > 0
    assert any("unknown" in n for n in s.notes)


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError):
        serve(-1, "fp16")
    with pytest.raises(ValueError):
        serve(7, "fp12")
    with pytest.raises(ValueError):
        serve(float("nan"), "fp16")


# --- tensor parallel -------------------------------------------------------------------------------


def test_tensor_parallel_70b_fp16_on_80gb_depends_on_kv() -> None:
    # 141 GB of weights + a little KV fits 2 x 80 GB x 0.9 = 144 GB; more KV needs 4
    assert tensor_parallel_gpus(141.1 + 2.0, 80) == 2
    assert tensor_parallel_gpus(141.1 + 20.0, 80) == 4
    assert tensor_parallel_gpus(1000, 80) is None
    assert tensor_parallel_gpus(0, 80) == 1


def test_tensor_parallel_70b_sizing() -> None:
    # with the 10% overhead a 70B fp16 server needs 4 x 80 GB (the usual vLLM recipe: TP 4 on A100/H100)
    assert serve(70.55, "fp16", LLAMA31_70B, gpu_memory_gb=80).tensor_parallel == 4
    # H200 (141 GB): 2 GPUs with a small KV cache, 4 with 8 users at 128k context
    small = serve(70.55, "fp16", LLAMA31_70B, context_length=8192, concurrent_sequences=4, gpu_memory_gb=141)
    large = serve(70.55, "fp16", LLAMA31_70B, context_length=131_072, concurrent_sequences=8, gpu_memory_gb=141)
    assert (small.tensor_parallel, large.tensor_parallel) == (2, 4)


def test_tensor_parallel_8b_on_24gb_is_1() -> None:
    s = serve(8.03, "fp16", LLAMA31_8B, context_length=8192, concurrent_sequences=1, gpu_memory_gb=24)
    assert s.tensor_parallel == 1
    assert serve(8.03, "fp16", LLAMA31_8B).tensor_parallel == 1  # no GPU size given


def test_beyond_one_node() -> None:
    s = serve(405, "fp16", LLAMA31_405B, context_length=8192, concurrent_sequences=16, gpu_memory_gb=80)
    assert s.tensor_parallel == 8
    assert any("2 nodes" in n for n in s.notes)
    assert nodes_needed(900, 80) == 2
    assert nodes_needed(100, 80, per_gpu_gb=80) is None


def test_tensor_parallel_rejects_bad_gpu() -> None:
    with pytest.raises(ValueError):
        tensor_parallel_gpus(10, 0)


# --- training --------------------------------------------------------------------------------------


def test_full_fine_tune_13b() -> None:
    # 16 B/param for mixed-precision Adam (ZeRO paper): 13B -> 208 GB before activations
    s = size_training(params_billion=13, method="full")
    assert s.weights_gb + s.optimizer_gb == pytest.approx(208)
    assert s.weights_gb == 26 and s.optimizer_gb == 182
    assert s.required_vram_gb >= 208
    assert s.required_vram_gb == sizing_sum(s)


def test_lora_8b() -> None:
    s = size_training(params_billion=8.03, method="lora", arch=LLAMA31_8B)
    assert s.weights_gb >= 16
    assert s.required_vram_gb >= 17.6
    # rank 64 on all seven projections of Llama-3.1-8B: 64 x 81,920 x 32 = 167,772,160 params
    assert lora_adapter_params_billion(LLAMA31_8B) * 1e9 == pytest.approx(167_772_160)


def test_qlora_70b() -> None:
    s = size_training(params_billion=70.55, method="qlora", arch=LLAMA31_70B)
    assert 35 <= s.weights_gb <= 45
    assert s.required_vram_gb > s.weights_gb
    assert s.precision == "int4"
    assert s.required_vram_gb < size_training(params_billion=70.55, method="lora").required_vram_gb


def test_activation_rule() -> None:
    # 2,048 x 1 x 4,096 x (2 x 32 + 34) B = 0.82 GB (Korthikanti et al. 2022, full recomputation)
    assert training_activations_gb(LLAMA31_8B, 2048, 1) == pytest.approx(0.822, abs=1e-3)


def test_training_sharding() -> None:
    s = size_training(params_billion=13, method="full", gpu_memory_gb=80)
    assert s.tensor_parallel == 4  # 208 GB / 4 + activations + overhead < 72 GB
    assert size_training(params_billion=8.03, method="qlora", gpu_memory_gb=24).tensor_parallel == 1


def test_training_bad_method() -> None:
    with pytest.raises(ValueError):
        size_training(params_billion=7, method="dpo")


def test_full_fine_tune_int4_request_trains_in_bf16() -> None:
    s = size_training(params_billion=7, method="full", precision="int4")
    assert s.weights_gb + s.optimizer_gb == pytest.approx(112)
    assert any("bf16" in n for n in s.notes)


# --- non-LLM ---------------------------------------------------------------------------------------


def test_whisper_matches_readme() -> None:
    # openai/whisper README, 'Required VRAM': large (1550M) ~10 GB, medium (769M) ~5 GB
    large = size_non_llm(params_billion=1.55, task="inference", domain="audio")
    medium = size_non_llm(params_billion=0.769, task="inference", domain="audio")
    assert large.required_vram_gb == pytest.approx(10, rel=0.15)
    assert medium.required_vram_gb == pytest.approx(5, rel=0.15)


def test_resnet50_training_floor() -> None:
    s = size_non_llm(params_billion=0.0256, task="training", domain="computer_vision")
    assert s.required_vram_gb == 16
    assert s.required_vram_gb == sizing_sum(s)


def test_diffusion_rule() -> None:
    sdxl = size_non_llm(params_billion=3.5, task="inference", domain="computer_vision", pipeline_tag="text-to-image")
    assert sdxl.required_vram_gb == pytest.approx(13.4)
    tiny = size_non_llm(params_billion=0.1, task="inference", domain="multimodal", pipeline_tag="text-to-image")
    assert tiny.required_vram_gb == 8


def test_non_llm_defaults() -> None:
    assert size_non_llm(params_billion=0.1, task="inference", domain="tabular").precision == "fp16"
    assert size_non_llm(params_billion=0.1, task="fine_tuning", domain="nlp").precision == "bf16"
    assert size_non_llm(params_billion=0.01, task="inference", domain=None).required_vram_gb == 4


# --- CPU -------------------------------------------------------------------------------------------


def test_cpu_only() -> None:
    s = size_cpu_only(params_billion=0.001, task="training", dataset_size_gb=10)
    assert s.gpu_needed is False and s.required_vram_gb == 0
    assert any(n.startswith("RAM needed: 52.02 GB") for n in s.notes)  # 10 GB x 5 + 2 GB OS + model
    assert cpu_ram_gb(params_billion=0) == 4


# --- architecture parsing --------------------------------------------------------------------------


def test_from_hf_config_and_record() -> None:
    config = {
        "num_hidden_layers": 80,
        "hidden_size": 8192,
        "num_attention_heads": 64,
        "num_key_value_heads": 8,
        "max_position_embeddings": 131072,
    }
    assert kv_bytes_per_token(ModelArch.from_hf_config(70.55, config)) == 327_680
    row = SimpleNamespace(params_billion=7.24, num_layers=32, num_kv_heads=8, head_dim=128, hidden_size=4096)
    arch = ModelArch.from_record(row)
    assert arch is not None and kv_bytes_per_token(arch) == 131_072
    assert ModelArch.from_record(SimpleNamespace(params_billion=None)) is None


# --- properties ------------------------------------------------------------------------------------

params = st.floats(min_value=0, max_value=1000, allow_nan=False)
contexts = st.integers(min_value=1, max_value=262_144)
users = st.integers(min_value=1, max_value=512)
precisions = st.sampled_from(["fp32", "fp16", "bf16", "fp8", "int8", "int4"])
archs = st.sampled_from([None, LLAMA31_8B, LLAMA31_70B, MIXTRAL_8X7B, LLAMA2_7B])
gpus = st.sampled_from([None, 24.0, 48.0, 80.0, 141.0])


def fields(s) -> list[float]:
    return [s.weights_gb, s.kv_cache_gb, s.overhead_gb, s.optimizer_gb, s.activations_gb, s.required_vram_gb]


@settings(max_examples=200)
@given(params, params, contexts, users, precisions, archs, gpus)
def test_inference_monotone_in_params(p1, p2, ctx, n, prec, arch, gpu) -> None:
    lo, hi = sorted((p1, p2))
    a = serve(lo, prec, arch, context_length=ctx, concurrent_sequences=n, gpu_memory_gb=gpu)
    b = serve(hi, prec, arch, context_length=ctx, concurrent_sequences=n, gpu_memory_gb=gpu)
    assert all(x >= 0 for x in fields(a))
    assert a.required_vram_gb == sizing_sum(a)
    assert a.required_vram_gb <= b.required_vram_gb
    assert a.kv_cache_gb <= b.kv_cache_gb and a.weights_gb <= b.weights_gb
    assert a.tensor_parallel <= b.tensor_parallel


@settings(max_examples=200)
@given(params, contexts, contexts, users, users, precisions, archs, gpus)
def test_inference_monotone_in_context_and_users(p, c1, c2, n1, n2, prec, arch, gpu) -> None:
    (c_lo, c_hi), (n_lo, n_hi) = sorted((c1, c2)), sorted((n1, n2))
    a = serve(p, prec, arch, context_length=c_lo, concurrent_sequences=n_lo, gpu_memory_gb=gpu)
    b = serve(p, prec, arch, context_length=c_hi, concurrent_sequences=n_lo, gpu_memory_gb=gpu)
    c = serve(p, prec, arch, context_length=c_hi, concurrent_sequences=n_hi, gpu_memory_gb=gpu)
    assert a.kv_cache_gb <= b.kv_cache_gb <= c.kv_cache_gb
    assert a.required_vram_gb <= b.required_vram_gb <= c.required_vram_gb
    assert a.tensor_parallel <= b.tensor_parallel <= c.tensor_parallel


@settings(max_examples=200)
@given(
    params,
    params,
    st.sampled_from(["full", "lora", "qlora"]),
    st.integers(1, 32_768),
    st.integers(1, 32_768),
    st.integers(1, 16),
    st.sampled_from([None, LLAMA31_8B, LLAMA31_70B]),
    precisions,
)
def test_training_monotone(p1, p2, method, s1, s2, mb, arch, prec) -> None:
    (lo, hi), (s_lo, s_hi) = sorted((p1, p2)), sorted((s1, s2))
    a = size_training(params_billion=lo, method=method, arch=arch, seq_len=s_lo, micro_batch=mb, precision=prec)
    b = size_training(params_billion=hi, method=method, arch=arch, seq_len=s_lo, micro_batch=mb, precision=prec)
    c = size_training(params_billion=hi, method=method, arch=arch, seq_len=s_hi, micro_batch=mb, precision=prec)
    d = size_training(params_billion=hi, method=method, arch=arch, seq_len=s_hi, micro_batch=mb + 1, precision=prec)
    assert all(x >= 0 for x in fields(a))
    assert a.required_vram_gb == sizing_sum(a)
    assert a.required_vram_gb <= b.required_vram_gb <= c.required_vram_gb <= d.required_vram_gb


@settings(max_examples=200)
@given(
    params,
    params,
    st.sampled_from(["inference", "batch_inference", "training", "fine_tuning"]),
    st.sampled_from([None, "nlp", "computer_vision", "audio", "multimodal", "tabular", "other"]),
    st.sampled_from([None, "text-to-image", "image-classification"]),
)
def test_non_llm_monotone(p1, p2, task, domain, tag) -> None:
    lo, hi = sorted((p1, p2))
    a = size_non_llm(params_billion=lo, task=task, domain=domain, pipeline_tag=tag)
    b = size_non_llm(params_billion=hi, task=task, domain=domain, pipeline_tag=tag)
    assert all(x >= 0 for x in fields(a))
    assert a.required_vram_gb == sizing_sum(a)
    assert a.required_vram_gb <= b.required_vram_gb


@given(st.floats(0, 5000), st.floats(0, 5000), st.sampled_from([16.0, 24.0, 80.0, 141.0]))
def test_tensor_parallel_monotone(r1, r2, gpu) -> None:
    lo, hi = sorted((r1, r2))
    a, b = tensor_parallel_gpus(lo, gpu), tensor_parallel_gpus(hi, gpu)
    assert a is None or lo <= a * gpu * 0.9
    assert (a or 99) <= (b or 99)


@given(params, params, st.floats(0, 10_000), st.sampled_from(["inference", "batch_inference", "training"]))
def test_cpu_ram_monotone(p1, p2, data, task) -> None:
    lo, hi = sorted((p1, p2))
    a = cpu_ram_gb(params_billion=lo, task=task, dataset_size_gb=data)
    assert 4 <= a <= cpu_ram_gb(params_billion=hi, task=task, dataset_size_gb=data)


def test_mla_models_use_their_published_kv_bytes() -> None:
    # DeepSeek-V3 config.json: 61 layers, kv_lora_rank 512, qk_rope_head_dim 64; MLA caches the
    # compressed latent plus the rope key: 61 x (512 + 64) x 2 bytes = 70,272 B per token at fp16
    # (vLLM's MLA backend caches exactly these values). The GQA formula with 128 heads would give ~4 MB.
    arch = ModelArch(
        params_billion=671,
        num_layers=61,
        num_attention_heads=128,
        num_kv_heads=128,
        head_dim=128,
        kv_bytes_per_token=70_272,
    )
    assert kv_bytes_per_token(arch) == 70_272
    assert kv_bytes_per_token(arch, "fp8") == 35_136
