"""The `stack8s` console script, run as a user would, on a fresh embedded database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli.cli_run import nobody_url
from tests.conftest import SHARED, needs_shared

BIN = Path(sys.executable).parent / "stack8s"


def run(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STACK8S_DATA_DIR": str(data_dir),
        "STACK8S_SEED_CATALOGS": "false",
        "STACK8S_LOG_LEVEL": "WARNING",
        "STACK8S_URL": nobody_url(),  # `ask` works on this data folder in-process, never on a stray local server
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


def test_help_and_module_entry_point() -> None:
    result = subprocess.run([sys.executable, "-m", "stack8s", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "serve" in result.stdout and "catalog" in result.stdout


def test_db_migrate_and_status(data_dir: Path) -> None:
    first = run(data_dir, "db", "migrate")
    assert "0001_chat.sql" in first.stderr
    assert "up to date" in run(data_dir, "db", "migrate").stderr
    status = run(data_dir, "db", "status")
    assert "0004_hf_models.sql" in status.stderr and "CHANGED" not in status.stderr


def test_bad_rows_are_reported_and_skipped(data_dir: Path, tmp_path: Path) -> None:
    csv = tmp_path / "aws_vms.csv"
    csv.write_text(
        "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region\n"
        "g5.xlarge,A10G,1,4,16,,1.006,0.45,us-east-1\n"
        "broken.row,A10G,one,4,16,,not-a-price,,us-east-1\n"
        "m7i.large,,,2,8,,0.1008,,us-east-1\n"
    )
    result = run(data_dir, "catalog", "import", "skypilot", str(csv))
    assert "2 rows, 1 skipped" in result.stderr
    assert f"{csv.name}:3" in result.stderr or "aws_vms.csv:3" in result.stderr
    again = run(data_dir, "catalog", "import", "skypilot", str(csv))
    assert "2 rows" in again.stderr
    stats = json.loads(run(data_dir, "catalog", "stats", "--json").stdout)
    assert stats["instances"]["by_provider"]["aws"] == 2


@needs_shared()
def test_import_real_shared_catalogs_and_plan(data_dir: Path) -> None:
    data = SHARED / "data"
    run(data_dir, "catalog", "import", "helm", str(data / "helm"))
    run(data_dir, "catalog", "import", "skypilot", str(data / "skypilot" / "anycloud" / "lambda_vms.csv"))
    run(data_dir, "catalog", "import", "skypilot", str(data / "skypilot" / "aws-vantage"))
    run(data_dir, "catalog", "import", "hf", str(data / "hf" / "llmfit_hf_models.json"))
    stats = json.loads(run(data_dir, "catalog", "stats", "--json").stdout)
    assert stats["charts"]["total"] >= 180
    assert stats["instances"]["by_provider"]["lambda"] > 300 and stats["instances"]["by_provider"]["aws"] > 500
    assert stats["models"]["total"] >= 1800
    sources = {s["source"] for s in stats["sources"]}
    assert {"helm:bitnami-charts.yaml", "skypilot:lambda_vms.csv", "hf:llmfit_hf_models.json"} <= sources
    reply = json.loads(run(data_dir, "ask", "Serve Llama 3.1 8B Instruct on Lambda", "--json").stdout)
    assert reply["response_type"] == "deployment_plan"
    plan = reply["deployment_plan"]
    assert plan["gpu_recommendations"] and {r["provider"] for r in plan["gpu_recommendations"]} == {"lambda"}


def test_a_second_process_on_the_same_data_folder_shares_the_server(live) -> None:  # type: ignore[no-untyped-def]
    """A CLI process attaches to the running embedded server and, on exit, leaves it running."""
    import httpx

    result = run(live.settings.data_dir, "db", "status")
    assert "0001_chat.sql" in result.stderr
    assert httpx.get(f"{live.url}/health").json()["database"] == "ok"


def test_migrations_apply_with_plain_psql(db_dsn: str) -> None:
    import shutil
    import uuid

    import psycopg

    from stack8s.db.migrate import load_migrations

    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql client not installed")
    name = f"psql_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = db_dsn.replace("/postgres?", f"/{name}?")
    folder = Path(__file__).resolve().parents[2] / "src" / "stack8s" / "db" / "migrations"
    for migration in load_migrations():
        done = subprocess.run(
            [psql, dsn, "-v", "ON_ERROR_STOP=1", "-1", "-q", "-f", str(folder / migration.name)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT to_regclass('hf.card_chunks') IS NOT NULL").fetchone()[0]
