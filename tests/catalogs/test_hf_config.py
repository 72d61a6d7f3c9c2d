"""A config.json read into a catalog row: the count from the shapes, the layers that cache every token, the
MLA cache and the checkpoint's weight format, on configs written here (no package needed)."""

from __future__ import annotations

from typing import Any

import pytest

from stack8s.catalogs.importers.base import RowProblem
from stack8s.catalogs.importers.hf_config import count_params, quantization_of_config, row_from_config

DENSE = {
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_hidden_layers": 4,
    "num_attention_heads": 8,
    "num_key_value_heads": 2,
    "head_dim": 128,
    "vocab_size": 1000,
    "tie_word_embeddings": True,
}
# embeddings 1000 x 1024 (tied) + 4 x (q, o 2 x 1024 x 1024 + k, v 2 x 1024 x 256 + MLP 3 x 1024 x 4096)
DENSE_PARAMS = 1000 * 1024 + 4 * (2 * 1024 * 1024 + 2 * 1024 * 256 + 3 * 1024 * 4096)


def test_a_dense_count_is_every_matrix() -> None:
    counted = count_params(DENSE)
    assert counted.total_billion == round(DENSE_PARAMS / 1e9, 2) and counted.active_billion is None


def test_moe_layers_count_all_experts_and_the_routed_ones_as_active() -> None:
    moe = {**DENSE, "num_local_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 512}
    expert, router = 3 * 1024 * 512, 8 * 1024
    attention = 2 * 1024 * 1024 + 2 * 1024 * 256
    total = 1000 * 1024 + 4 * (attention + router + 8 * expert)
    active = 1000 * 1024 + 4 * (attention + router + 2 * expert)
    assert count_params(moe).total_billion == round(total / 1e9, 2)
    assert count_params(moe).active_billion == round(active / 1e9, 2)


@pytest.mark.parametrize(
    ("extra", "full"),
    [
        ({"layer_types": ["linear_attention"] * 3 + ["full_attention"]}, 1),
        # sliding-window layers keep their share of vLLM's cache per token (its allocator gives every layer
        # group the same blocks): only linear attention and Mamba drop out
        ({"layer_types": ["sliding_attention", "full_attention"] * 2}, None),
        ({"layer_types": ["full_attention"] * 4}, None),
        ({"hybrid_override_pattern": "M*M-"}, 1),
        ({"hybrid_layer_pattern": [0, 1, 1, 1]}, None),
    ],
)
def test_only_layers_that_cache_per_token_are_counted(extra: dict[str, Any], full: int | None) -> None:
    assert row_from_config("t/x", {**DENSE, **extra}).full_attention_layers == full


def test_an_mla_config_carries_its_latent_cache() -> None:
    mla = {**DENSE, "kv_lora_rank": 512, "qk_rope_head_dim": 64, "q_lora_rank": 256}
    assert row_from_config("t/mla", mla).kv_bytes_per_token == 2 * 4 * (512 + 64)


@pytest.mark.parametrize(
    ("quantization_config", "expected"),
    [
        ({"quant_method": "fp8", "weight_block_size": [128, 128]}, "fp8"),
        ({"quant_method": "mxfp4"}, "mxfp4"),
        ({"quant_method": "awq", "bits": 4}, "awq"),
        (
            {"config_groups": {"g": {"weights": {"num_bits": 4, "type": "float", "group_size": 16}}}},
            "nvfp4",
        ),
        ({"config_groups": {"g": {"weights": {"num_bits": 4, "type": "int", "group_size": 32}}}}, "int4"),
        ({"config_groups": {"g": {"format": "mxfp4-pack-quantized", "weights": {"num_bits": 4}}}}, "mxfp4"),
    ],
)
def test_the_checkpoint_format_is_read(quantization_config: dict[str, Any], expected: str) -> None:
    assert quantization_of_config({**DENSE, "quantization_config": quantization_config}) == expected


def test_a_config_without_a_hidden_size_is_refused() -> None:
    with pytest.raises(RowProblem, match="no hidden_size"):
        row_from_config("t/cnn", {"model_type": "resnet"})
