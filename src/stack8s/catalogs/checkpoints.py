"""The published quantised checkpoints of catalog models (``catalogs/data/checkpoints.yaml``, generated
by scripts/published_checkpoints.py): which repository a plan serves when it sizes a model in FP8 or FP4."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from stack8s.catalogs.datafile import read_mapping

DATA_FILE = Path(__file__).parent / "data" / "checkpoints.yaml"


@cache
def _checkpoints() -> dict[str, dict[str, str]]:
    raw = read_mapping(DATA_FILE, frozenset({"checkpoints"}))
    return {
        str(base): {str(f): str(repo) for f, repo in formats.items()} for base, formats in raw["checkpoints"].items()
    }


def published_checkpoint(model_id: str | None, weight_format: str) -> str | None:
    """The repository of `model_id` exported in `weight_format` (fp8, nvfp4, mxfp4, int4), if one is published."""
    return _checkpoints().get(model_id or "", {}).get(weight_format)
