"""`stack8s catalog import` (one message per line, skipped files summed up) and `catalog stats` (a table, or
JSON), run as a user would on a fresh embedded database of their own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.cli.cli_run import ok, stack8s
from tests.conftest import SHARED, needs_shared

HEADER = "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("catalog-cli")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder as people have them: one good catalog and four files that are not one, deep in a long path."""
    root = tmp_path / ("a-rather-long-folder-name-for-downloaded-price-lists" * 2) / "skypilot"
    root.mkdir(parents=True)
    (root / "lambda_vms.csv").write_text(
        HEADER + "gpu_1x_a10,A10,1,30,200,,0.75,,us-east-1\ngpu_8x_h100_sxm5,H100,8,208,1800,,23.92,,us-east-1\n"
    )
    (root / "billing_vms.csv").write_text("invoice,amount\n2026-01,12.50\n")
    (root / "empty_vms.csv").write_text("")
    (root / "header_only_vms.csv").write_text(HEADER)
    (root / "README.md").write_text("downloaded from the SkyPilot catalog\n")
    return root


def test_import_names_each_skipped_file_and_sums_them_up(data_dir: Path, folder: Path) -> None:
    result = ok(stack8s("catalog", "import", "skypilot", str(folder), data_dir=data_dir, columns=60))
    lines = result.stderr.splitlines()
    assert "instances skypilot:lambda_vms.csv: 2 rows, 0 skipped " in lines
    for name, why in (
        ("billing_vms.csv", "not a SkyPilot catalog CSV"),
        ("empty_vms.csv", "empty"),
        ("header_only_vms.csv", "empty"),
        ("README.md", "not an instance catalog (want *vms.csv or an instances.vantage.sh .json)"),
    ):
        assert f"skipped {folder / name}: {why}" in lines, result.stderr  # whole, though far over 60 columns
    assert "skipped 4 files: 2 empty, 1 not a SkyPilot catalog CSV, 1 not an instance catalog" in result.stderr
    assert "imported 1 file in" in lines[-1]
    stats = json.loads(ok(stack8s("catalog", "stats", "--json", data_dir=data_dir)).stdout)
    sources = {s["source"] for s in stats["sources"]}
    assert "skypilot:lambda_vms.csv" in sources and not sources & {"skypilot:billing_vms.csv", "skypilot:empty_vms.csv"}


def test_a_file_named_on_the_command_line_is_tried_whatever_its_name(data_dir: Path, tmp_path: Path) -> None:
    file = tmp_path / "prices.csv"
    file.write_text(HEADER + "g5.xlarge,A10G,1,4,16,,1.006,0.45,us-east-1\n")
    result = ok(stack8s("catalog", "import", "skypilot", str(file), data_dir=data_dir))
    assert "instances skypilot:prices.csv: 1 rows, 0 skipped " in result.stderr.splitlines()
    assert not [line for line in result.stderr.splitlines() if line.startswith("skipped")]


@needs_shared()
def test_a_real_skypilot_catalog_beside_a_file_that_is_not_one(data_dir: Path, tmp_path: Path) -> None:
    real = SHARED / "data" / "skypilot" / "v8" / "hyperbolic_vms.csv"
    shutil.copy(real, tmp_path / real.name)
    (tmp_path / "notes_vms.csv").write_text("this is not,a catalog\n1,2\n")
    result = ok(stack8s("catalog", "import", "skypilot", str(tmp_path), data_dir=data_dir))
    rows = len(real.read_text().strip().splitlines()) - 1
    assert f"instances skypilot:hyperbolic_vms.csv: {rows} rows, 0 skipped" in result.stderr
    assert "skipped 1 file: 1 not a SkyPilot catalog CSV" in result.stderr


def test_stats_is_a_table_and_json_on_request(data_dir: Path, folder: Path) -> None:
    ok(stack8s("catalog", "import", "skypilot", str(folder), data_dir=data_dir))
    stats = json.loads(ok(stack8s("catalog", "stats", "--json", data_dir=data_dir)).stdout)
    assert set(stats) == {"instances", "charts", "models", "embeddings", "sources"}
    table = ok(stack8s("catalog", "stats", data_dir=data_dir, columns=120)).stdout
    lines = table.splitlines()
    assert {"Catalog", "Instances by provider", "Sources (newest import of each)"} <= set(lines)
    for provider, count in stats["instances"]["by_provider"].items():
        assert any(line.split() == [provider, f"{count:,}"] for line in lines), (provider, table)
    instances = next(line.split() for line in lines if line.split()[:1] == ["instances"])
    assert instances[1] == f"{stats['instances']['total']:,}"
    for source in stats["sources"]:
        row = next(line for line in lines if f" {source['source']} " in line)
        assert str(source["as_of"]) in row and str(source["imported_at"])[:10] in row
    with pytest.raises(json.JSONDecodeError):
        json.loads(table)


# --- one model from its config.json (issue 18, item 3) ------------------------------------------------------

ZETA_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "num_key_value_heads": 4,
    "head_dim": 128,
    "max_position_embeddings": 32768,
    "vocab_size": 64000,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
# embeddings 2 x 64000 x 2048 + 24 x (attention 2 x 2048 x 2048 + 2 x 2048 x 512 + MLP 3 x 2048 x 8192)
ZETA_PARAMS = round((2 * 64000 * 2048 + 24 * (2 * 2048 * 2048 + 2 * 2048 * 512 + 3 * 2048 * 8192)) / 1e9, 2)


def test_a_config_json_is_imported_with_its_architecture_and_planned(data_dir: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "Zeta-2-Chat"
    checkout.mkdir()
    (checkout / "config.json").write_text(json.dumps(ZETA_CONFIG))
    result = ok(stack8s("catalog", "import", "hf", str(checkout), "--model-id", "acme/Zeta-2-Chat", data_dir=data_dir))
    assert f"acme/Zeta-2-Chat: {ZETA_PARAMS:g}B parameters (counted from the config's shapes), 24 layers" in (
        result.stderr
    )
    assert "models hf:acme/Zeta-2-Chat: 1 rows, 0 skipped" in result.stderr
    reply = json.loads(ok(stack8s("ask", "serve acme/Zeta-2-Chat on an L4", "--json", data_dir=data_dir)).stdout)
    spec, sizing = reply["workload_spec"], reply["deployment_plan"]["sizing"]
    assert spec["model_id"] == sizing["model_id"] == "acme/Zeta-2-Chat" and spec["unknown_model"] is None
    assert sizing["params_billion"] == ZETA_PARAMS
    # 24 layers x 4 KV heads x 128 x K and V x 2 B = 49,152 B per token, the config's GQA cache
    assert sizing["kv_cache_gb"] == pytest.approx(49_152 * sizing["max_model_len"] / 1e9, abs=0.01), sizing["method"]


def test_a_stated_parameter_count_wins_over_the_count(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(ZETA_CONFIG))
    args = ("catalog", "import", "hf", str(config), "--model-id", "acme/Zeta-2-Base", "--params-billion", "2.5")
    assert "acme/Zeta-2-Base: 2.5B parameters (as given), 24 layers" in ok(stack8s(*args, data_dir=data_dir)).stderr


def test_a_config_import_needs_a_model_id_and_a_config(data_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(ZETA_CONFIG))
    missing = stack8s("catalog", "import", "hf", str(config), data_dir=data_dir)
    assert missing.returncode == 2 and "--model-id" in missing.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "config.json").write_text(json.dumps({"model_type": "resnet"}))
    bad = stack8s("catalog", "import", "hf", str(tmp_path / "bad"), "--model-id", "acme/Bad", data_dir=data_dir)
    assert bad.returncode == 1 and "no hidden_size" in bad.stderr
