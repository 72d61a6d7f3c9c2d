"""Sizing rules checked against published numbers (sources in comments) and by property tests."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stack8s.planning.arch import ModelArch, kv_bytes_per_token
from stack8s.planning.non_llm import cpu_ram_gb, size_cpu_only, size_non_llm
from stack8s.planning.precision import weight_bytes_per_param
from stack8s.planning.sizing import nodes_needed, tensor_parallel_gpus
from stack8s.planning.training import lora_adapter_params_billion, size_training, training_activations_gb
from stack8s.planning.vllm_memory import (
    LINEAR_BYTES_PER_PARAM,
    WeightFormat,
    kv_bytes_per_token_per_gpu,
    replica_need,
    weight_format,
)

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


QWEN35_397B = ModelArch(
    params_billion=397.0,
    num_layers=60,
    num_attention_heads=32,
    num_kv_heads=2,
    head_dim=256,
    full_attention_layers=15,  # layer_types: one full-attention layer in four, the rest gated linear attention
)


def test_only_full_attention_layers_cache_every_token() -> None:
    # 2 x 15 layers x 2 KV heads x 256 x 2 B; the 45 linear-attention layers hold a fixed-size state
    assert kv_bytes_per_token(QWEN35_397B, "fp16") == 30_720
    per_gpu = kv_bytes_per_token_per_gpu(QWEN35_397B, value_bytes=2, tensor_parallel=2)
    assert per_gpu == 15_360  # one KV head per rank
    everywhere = ModelArch(params_billion=397.0, num_layers=60, num_attention_heads=32, num_kv_heads=2, head_dim=256)
    assert kv_bytes_per_token(everywhere, "fp16") == 4 * 30_720


def test_fp4_precisions_carry_their_block_scales() -> None:
    assert weight_bytes_per_param("nvfp4") == 4.5 / 8  # E2M1 + one FP8 scale per 16 values
    assert weight_bytes_per_param("mxfp4") == 4.25 / 8  # E2M1 + one E8M0 scale per 32 values


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


# --- weights ---------------------------------------------------------------------------------------


def serve(params: float, precision: str, arch: ModelArch | None = None, **kw):
    """One replica's memory by the one serving model (vllm_memory.replica_need), TP 1."""
    return replica_need(
        arch or ModelArch(params_billion=params),
        fmt=weight_format(precision),
        kv_dtype=kw.get("kv_dtype", "auto"),
        sequences=kw.get("concurrent_sequences", 1),
        tokens_per_sequence=kw.get("context_length", 4096),
    )


def test_weights_published_sizes() -> None:
    # Llama-3.1-70B: 70.55B params x 2 B = 141 GB of safetensors
    assert serve(70.55, "fp16", LLAMA31_70B).weights_gb == pytest.approx(141.1)
    # 4-bit AWQ/GPTQ 70B checkpoints are ~35-40 GB (group scales, 16-bit embeddings and lm_head)
    assert 35 <= serve(70.55, "int4", LLAMA31_70B).weights_gb <= 40
    # Llama-3.1-405B-FP8: ~405 GB of weights (embeddings and lm_head stay 16-bit: a little more)
    assert serve(405, "fp8", LLAMA31_405B).weights_gb == pytest.approx(405, rel=0.01)
    # Mixtral 8x7B has 46.7B total params; every expert is loaded: ~93 GB in fp16
    assert serve(46.7, "fp16", MIXTRAL_8X7B).weights_gb == pytest.approx(93.4)


def test_int4_bytes_are_one_fact() -> None:
    """The training and non-LLM sizings and the vLLM memory model count int4 weights the same way."""
    assert weight_bytes_per_param("int4") == LINEAR_BYTES_PER_PARAM[WeightFormat.int4] == 0.5 + 2.5 / 128
    assert weight_bytes_per_param("bf16") == LINEAR_BYTES_PER_PARAM[WeightFormat.bf16] == 2


# --- inference -------------------------------------------------------------------------------------


def test_mistral_7b_16k_context_4_users() -> None:
    s = serve(7.24, "fp16", MISTRAL_7B, context_length=16_384, concurrent_sequences=4)
    assert s.kv_cache_gb == 8.59  # 131,072 B x 16,384 x 4 = 8.59e9 B
    assert s.weights_gb == pytest.approx(14.5, abs=0.05)
    assert s.required_gb == pytest.approx(s.weights_gb + s.kv_cache_gb + s.overhead_gb, abs=0.011)


def test_fp8_weights_keep_16_bit_kv_unless_asked() -> None:
    """vLLM's --kv-cache-dtype auto keeps the compute dtype, also next to FP8 weights; fp8 KV is asked for."""
    fp16 = serve(70.55, "fp16", LLAMA31_70B, context_length=8192, concurrent_sequences=8)
    fp8 = serve(70.55, "fp8", LLAMA31_70B, context_length=8192, concurrent_sequences=8)
    fp8_kv = serve(70.55, "fp8", LLAMA31_70B, context_length=8192, concurrent_sequences=8, kv_dtype="fp8")
    int4 = serve(70.55, "int4", LLAMA31_70B, context_length=8192, concurrent_sequences=8)
    assert fp8.kv_cache_gb == fp16.kv_cache_gb == int4.kv_cache_gb
    assert fp8_kv.kv_cache_gb == pytest.approx(fp16.kv_cache_gb / 2, abs=0.01)


def test_tensor_parallel_70b_fp16_on_80gb_depends_on_kv() -> None:
    # 141 GB of weights + a little KV fits 2 x 80 GB x 0.9 = 144 GB; more KV needs 4
    assert tensor_parallel_gpus(141.1 + 2.0, 80) == 2
    assert tensor_parallel_gpus(141.1 + 20.0, 80) == 4
    assert tensor_parallel_gpus(1000, 80) is None
    assert tensor_parallel_gpus(0, 80) == 1


def test_beyond_one_node() -> None:
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
@given(params, params, contexts, contexts, users, users, precisions, archs)
def test_serving_need_is_monotone(p1, p2, c1, c2, n1, n2, prec, arch) -> None:
    """More parameters, context or sequences never need less memory (the bound the search prunes with)."""
    (p_lo, p_hi), (c_lo, c_hi), (n_lo, n_hi) = sorted((p1, p2)), sorted((c1, c2)), sorted((n1, n2))
    if arch is not None:
        p_lo = p_hi = arch.params_billion
    a = serve(p_lo, prec, arch, context_length=c_lo, concurrent_sequences=n_lo)
    b = serve(p_hi, prec, arch, context_length=c_hi, concurrent_sequences=n_lo)
    c = serve(p_hi, prec, arch, context_length=c_hi, concurrent_sequences=n_hi)
    assert all(x >= 0 for x in (a.weights_gb, a.kv_cache_gb, a.overhead_gb))
    assert a.required_gb <= b.required_gb <= c.required_gb
    assert a.weights_gb <= b.weights_gb and a.kv_cache_gb <= b.kv_cache_gb <= c.kv_cache_gb


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
