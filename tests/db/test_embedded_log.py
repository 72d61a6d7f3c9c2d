"""A first `stack8s db migrate` on a fresh data dir keeps pgserver's initdb and pg_ctl output out of the
terminal: it goes to <data dir>/postgres.log, and one log line says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHATTER = ("initdb", "pg_ctl", "Running commandline", "PG_VERSION", "Successful postgres command", "NOTICE")


def test_a_first_migrate_keeps_postgres_output_in_a_log_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SUPABASE_DB_URL"}}
    env |= {"STACK8S_DATA_DIR": str(data_dir), "STACK8S_LOG_LEVEL": "INFO"}  # INFO: our own lines are shown
    done = subprocess.run(
        [str(Path(sys.executable).parent / "stack8s"), "db", "migrate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    terminal = done.stdout + done.stderr
    leaked = [line for line in terminal.splitlines() if any(word in line for word in CHATTER)]
    assert not leaked, "\n".join(leaked)
    assert "applied: 0001_chat.sql" in terminal
    log_path = data_dir / "postgres.log"
    said = [line for line in terminal.splitlines() if str(log_path) in line]
    assert len(said) == 1 and "db.embedded.started" in said[0], terminal
    log = log_path.read_text(encoding="utf-8")
    assert "bin/initdb" in log and "Success. You can now start the database server" in log
    assert "server started" in log and "'stop']" in log  # pg_ctl start, and the stop at exit
