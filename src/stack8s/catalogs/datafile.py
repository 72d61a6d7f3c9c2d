"""Checks shared by the loaders of the curated data files in `catalogs/data/` (GPUs, regions, exchange
rates): each bad value raises a ValueError that names the file and the entry, so a typo in a data file
fails at load with a message saying what to fix."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


def check_keys(entry: Mapping[Any, Any], required: frozenset[str], allowed: frozenset[str], where: str) -> None:
    """Every required key present, no key outside `allowed`."""
    missing = sorted(required - entry.keys())
    if missing:
        raise ValueError(f"{where}: missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}")
    unknown = sorted(str(k) for k in entry.keys() - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}")


def as_of(value: Any, file: str) -> date:
    """The file's `as_of` date (YAML may hand it over as a date or as text)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{file}: as_of must be a date (YYYY-MM-DD), not {value!r}") from None


def read_mapping(path: Path, top_keys: frozenset[str], optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The YAML file at `path` as a mapping with every one of `top_keys`, and perhaps some of `optional`."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a mapping with keys {sorted(top_keys)}")
    check_keys(data, top_keys, top_keys | optional, path.name)
    return data


def unique_rows(
    entries: Any, where: str, parse: Callable[[Any, str], T], key: Callable[[T], str], noun: str
) -> dict[str, T]:
    """The non-empty list `entries` (at `where`, e.g. "gpus.yaml: gpus"), each parsed with its place
    ("gpus.yaml: gpus[3]"), keyed by `key`; a repeated key is an error naming the `noun` ("name", "code")."""
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where} must be a non-empty list")
    rows: dict[str, T] = {}
    for index, entry in enumerate(entries):
        row = parse(entry, f"{where}[{index}]")
        if key(row) in rows:
            raise ValueError(f"{where}[{index}] ({key(row)}): duplicate {noun}")
        rows[key(row)] = row
    return rows
