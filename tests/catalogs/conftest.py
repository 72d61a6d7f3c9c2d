"""Fixtures shared by the catalog tests."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from stack8s.catalogs.gpus import DATA_FILE


@pytest.fixture
def data() -> dict[str, Any]:
    """The shipped gpus.yaml as a mapping, to change and load as a copy."""
    loaded: dict[str, Any] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return loaded


def gpu_row(data: dict[str, Any], name: str) -> dict[str, Any]:
    """One GPU row of that mapping."""
    return next(r for r in data["gpus"] if r["name"] == name)
