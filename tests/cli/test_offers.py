"""`stack8s offers` (alias `gpus`) over the test server's catalog: through GET /api/v1/offers and in-process."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from tests.cli.cli_run import ok, stack8s
from tests.conftest import LiveServer, token_for

from stack8s.api import offers as offers_api


@pytest.fixture(scope="module")
def server(live: LiveServer) -> LiveServer:
    """The session server, with GET /api/v1/offers mounted when the app does not register it yet."""
    app = live.server.config.app
    if not any(getattr(route, "path", None) == "/api/v1/offers" for route in app.routes):
        app.include_router(offers_api.router, prefix="/api/v1")
    return live


def remote(server: LiveServer, *args: str, columns: int = 200) -> Any:
    """`stack8s offers ARGS` against the server with a user's token; stdout parsed when --json."""
    token = token_for(str(uuid.uuid4()))
    result = ok(stack8s("offers", *args, "--url", server.url, "--token", token, columns=columns))
    assert "in-process" not in result.stderr, result.stderr
    return json.loads(result.stdout) if "--json" in args else result


def local(live: LiveServer, *args: str) -> Any:
    """`stack8s offers ARGS` with no server: the same database, read in-process."""
    result = ok(stack8s("offers", *args, data_dir=live.settings.data_dir))
    return json.loads(result.stdout) if "--json" in args else result


def test_every_row_matches_every_filter(server: LiveServer) -> None:
    args = ("--gpu", "a100", "--min-count", "2", "--max-price", "40", "--provider", "gcp,azure", "--provider", "aws")
    body = remote(server, *args, "--limit", "0", "--json")
    assert body["gpu"] == "A100" and body["total"] == body["shown"] == len(body["offers"]) > 0
    for row in body["offers"]:
        assert row["gpu_model"] in ("A100-40GB", "A100-80GB"), row
        assert row["gpu_count"] >= 2 and row["price_hourly_usd"] <= 40 and row["provider"] in {"gcp", "azure", "aws"}
    spot = remote(server, "--count", "8", "--min-memory", "80", "--spot", "--limit", "0", "--json")["offers"]
    assert spot and all(r["gpu_count"] == 8 and r["vram_per_gpu_gb"] >= 80 for r in spot)
    assert all(r["spot_price_hourly_usd"] is not None for r in spot)
    assert [r["spot_price_hourly_usd"] for r in spot] == sorted(r["spot_price_hourly_usd"] for r in spot)


def test_server_and_in_process_list_the_same_offers(server: LiveServer) -> None:
    args = ("--gpu", "L40S", "--min-total-memory", "96", "--limit", "0", "--json")
    over_http, in_process = remote(server, *args), local(server, *args)
    assert in_process["origin"] == "in-process" and over_http["origin"].startswith("server")
    assert over_http["offers"] == in_process["offers"] and over_http["total"] > 0
    assert all(r["gpu_model"] == "L40S" and r["total_vram_gb"] >= 96 for r in over_http["offers"])


def test_gpu_names_are_read_as_the_planner_reads_them(server: LiveServer) -> None:
    l4 = remote(server, "--gpu", "l4", "--limit", "0", "--json")
    assert l4["gpu"] == "L4" and {r["gpu_model"] for r in l4["offers"]} == {"L4"}  # not L40 or L40S
    big = remote(server, "--gpu", "nvidia a100 80gb", "--limit", "0", "--json")
    assert big["gpu"] == "A100-80GB" and {r["gpu_model"] for r in big["offers"]} == {"A100-80GB"}


def test_a_filter_that_matches_nothing_says_so(server: LiveServer) -> None:
    result = remote(server, "--gpu", "H100", "--max-price", "0.01")
    assert result.stdout == "" and "No offers match --gpu H100 --max-price 0.01" in result.stderr
    body = remote(server, "--gpu", "H100", "--max-price", "0.01", "--json")
    assert body["offers"] == [] and body["total"] == 0


def test_the_limit_says_how_many_are_hidden(server: LiveServer) -> None:
    everything = remote(server, "--limit", "0", "--json")
    default = remote(server, "--json")
    assert default["shown"] == len(default["offers"]) == 25 and default["total"] == everything["total"] > 25
    assert default["hidden"] == everything["total"] - 25 and default["offers"] == everything["offers"][:25]
    table = remote(server, "--limit", "7")
    assert f"{everything['total']:,} offers, 7 shown, {everything['total'] - 7:,} hidden" in table.stderr
    assert len([line for line in table.stdout.splitlines() if line.strip()]) == 7 + 2  # header and rule


def test_sorts(server: LiveServer) -> None:
    by_memory = remote(server, "--sort", "memory", "--limit", "0", "--json")["offers"]
    memory = [r["total_vram_gb"] for r in by_memory]
    assert memory == sorted(memory, reverse=True)
    by_price = remote(server, "--limit", "0", "--json")["offers"]
    assert [r["price_hourly_usd"] for r in by_price] == sorted(r["price_hourly_usd"] for r in by_price)
    by_gpu = remote(server, "--sort", "gpu", "--limit", "0", "--json")["offers"]
    assert [r["gpu_model"] for r in by_gpu] == sorted(r["gpu_model"] for r in by_gpu)


def test_group_by_gpu_has_one_row_per_gpu(server: LiveServer) -> None:
    rows = remote(server, "--provider", "aws", "--limit", "0", "--json")["offers"]
    groups = remote(server, "--provider", "aws", "--group-by", "gpu", "--limit", "0", "--json")
    names = [g["gpu"] for g in groups["groups"]]
    assert sorted(names) == sorted({r["gpu_model"] for r in rows}) and groups["offers"] == len(rows)
    for group in groups["groups"]:
        mine = [r for r in rows if r["gpu_model"] == group["gpu"]]
        assert group["offers"] == len(mine) and group["gpu_counts"] == sorted({r["gpu_count"] for r in mine})
        assert group["min_price_hourly_usd"] == min(r["price_hourly_usd"] for r in mine)
        assert group["providers"] == ["aws"]
    table = remote(server, "--provider", "aws", "--group-by", "gpu", "--limit", "0").stdout.splitlines()
    for name in names:
        assert len([line for line in table if line.split() and line.split()[0] == name]) == 1, (name, table)


def test_group_by_provider(server: LiveServer) -> None:
    rows = remote(server, "--gpu", "H100", "--limit", "0", "--json")["offers"]
    groups = remote(server, "--gpu", "H100", "--group-by", "provider", "--json")["groups"]
    assert sorted(g["provider"] for g in groups) == sorted({r["provider"] for r in rows})
    assert sum(g["offers"] for g in groups) == len(rows)
    assert all(set(g["gpus"]) <= {"H100", "H100-NVL", "H100-PCIE", "H100-MEGA"} for g in groups)


def test_names_stay_whole_in_an_80_column_terminal(server: LiveServer) -> None:
    rows = remote(server, "--provider", "azure", "--limit", "0", "--json")["offers"]
    lines = remote(server, "--provider", "azure", "--limit", "0", columns=80).stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    named = [line for line in lines if any(r["instance_type"] in line for r in rows)]
    assert len(named) == len(rows) > 0  # a GPU cell may wrap ("8x A100-80GB / 80GB"), never a name
    for row, line in zip(rows, named, strict=True):
        assert f" {row['instance_type']} " in line and f" {row['region']} " in line, line


def test_without_a_token_the_server_says_why(server: LiveServer) -> None:
    result = stack8s("offers", "--url", server.url)
    assert result.returncode == 2 and "401" in result.stderr and result.stdout == ""


def test_gpus_is_an_alias(server: LiveServer) -> None:
    token = token_for(str(uuid.uuid4()))
    alias = ok(stack8s("gpus", "--gpu", "T4", "--json", "--url", server.url, "--token", token))
    assert json.loads(alias.stdout) == remote(server, "--gpu", "T4", "--json")


def test_without_a_server_a_fresh_data_folder_gets_the_shipped_catalog(tmp_path: Path) -> None:
    """No server, a new data folder: offers loads the shipped catalog in-process (as `serve` does; the card
    vectors ship with it, so no model loads) and lists it."""
    result = ok(stack8s("offers", "--gpu", "h100", "--json", data_dir=tmp_path / "data", STACK8S_SEED_CATALOGS="true"))
    listing = json.loads(result.stdout)
    assert listing["origin"] == "in-process" and listing["total"] > 0
    assert all(row["gpu_model"] in ("H100", "H100-NVL", "H100-PCIE") for row in listing["offers"])  # H100 and variants


@pytest.mark.parametrize("gpu", ["!!!", "%", " "])
def test_a_gpu_that_names_nothing_is_refused(server: LiveServer, gpu: str) -> None:
    """As the API answers 422: the filter is refused, never dropped (issue 21)."""
    for result in (
        stack8s("offers", "--gpu", gpu, "--url", server.url, "--token", token_for(str(uuid.uuid4()))),
        stack8s("offers", "--gpu", gpu, data_dir=server.settings.data_dir),
    ):
        assert result.returncode == 2 and "names no GPU" in result.stderr and result.stdout == "", result.stderr
