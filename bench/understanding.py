"""How much of the blind phrasing corpus (tests/phrasings/) the rule engine reads, printed (issue 19).

Each request is read alone (one user message) by `extract_spec` with the shipped model catalog, and every
expected field is compared as tests/phrasings/README.md says (numbers within 3%, a size taken from a model
name within 10%, list fields must contain every listed item, only the listed `slo` keys, GPU names as the
planner normalises them). Printed: the share of expected fields read and of requests read in full, for the
open and the sealed part apart, and per language and meaning on the open part. The sealed part's failures
are never printed: it measures generalisation only while nobody tuning the rules has seen it.

    .venv/bin/python bench/understanding.py            # both parts, summary
    .venv/bin/python bench/understanding.py --misses   # also the open part's misses, for development
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.agents.requirements.rules import extract_spec
from stack8s.catalogs.gpus import normalize_gpu
from stack8s.catalogs.shipped import default_paths, load_models

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "phrasings"
OPEN_FILES = ("open.yaml", "open2.yaml", "open3.yaml")  # later batches were written blind too, after rules changed
NUMBER_TOLERANCE = 0.03
SIZE_FROM_NAME_TOLERANCE = 0.10


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def matches(name: str, expected: Any, actual: Any) -> bool:
    """One expected field against what the parser read (the README's comparison rules)."""
    actual = _plain(actual)
    if actual is None:
        return False
    if isinstance(expected, bool) or isinstance(actual, bool):
        return bool(expected) == bool(actual)
    if isinstance(expected, int | float):
        if not isinstance(actual, int | float):
            return False
        tolerance = SIZE_FROM_NAME_TOLERANCE if name == "params_billion" else NUMBER_TOLERANCE
        return math.isclose(float(actual), float(expected), rel_tol=tolerance, abs_tol=1e-9)
    if isinstance(expected, list):
        have = {str(_plain(v)).lower() for v in actual} if isinstance(actual, list | tuple | set) else set()
        if name == "excluded_gpus":
            have = {(normalize_gpu(v) or v).lower() for v in have}
            return all((normalize_gpu(str(e)) or str(e)).lower() in have for e in expected)
        return all(str(e).lower() in have for e in expected)
    if isinstance(expected, Mapping):
        got = actual if isinstance(actual, Mapping) else getattr(actual, "__dict__", {})
        if hasattr(actual, "model_dump"):
            got = actual.model_dump()
        return all(k in got and matches(k, v, got[k]) for k, v in expected.items())
    if name == "gpu_preference":
        return (normalize_gpu(str(expected)) or str(expected)).lower() == (
            normalize_gpu(str(actual)) or str(actual)
        ).lower()
    return str(expected).strip().lower() == str(actual).strip().lower()


@dataclass
class Score:
    fields: int = 0
    fields_read: int = 0
    requests: int = 0
    requests_read: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, entry: Mapping[str, Any], spec: Any) -> None:
        wrong = [
            f"{k}: want {v!r}, got {_plain(getattr(spec, k, None))!r}"
            for k, v in entry["expect"].items()
            if not matches(k, v, getattr(spec, k, None))
        ]
        self.fields += len(entry["expect"])
        self.fields_read += len(entry["expect"]) - len(wrong)
        self.requests += 1
        self.requests_read += not wrong
        if wrong:
            self.misses.append(f"{entry['id']}: {entry['text']!r}\n    " + "\n    ".join(wrong))

    def line(self, label: str) -> str:
        return (
            f"{label:<28} fields {100 * self.fields_read / max(self.fields, 1):5.1f}% of {self.fields:>4}   "
            f"requests read in full {100 * self.requests_read / max(self.requests, 1):5.1f}% of {self.requests:>3}"
        )


def score(entries: list[dict[str, Any]], lexicon: ModelLexicon) -> tuple[Score, dict[str, Score], dict[str, Score]]:
    total, by_lang, by_meaning = Score(), defaultdict(Score), defaultdict(Score)
    for entry in entries:
        spec = extract_spec([entry["text"]], lexicon)
        total.add(entry, spec)
        by_lang[entry["lang"]].add(entry, spec)
        for meaning in entry.get("meanings", []):
            by_meaning[meaning].add(entry, spec)
    return total, by_lang, by_meaning


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="print the open part's misses (never the sealed)")
    args = parser.parse_args()
    rows, _ = load_models(default_paths()["models"])
    lexicon = ModelLexicon.from_rows(rows.rows)
    open_entries = [e for name in OPEN_FILES for e in yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))]
    sealed_entries = yaml.safe_load((CORPUS / "sealed.yaml").read_text(encoding="utf-8"))
    opened, by_lang, by_meaning = score(open_entries, lexicon)
    sealed, _, _ = score(sealed_entries, lexicon)
    print("Blind phrasing corpus (tests/phrasings), one message each, rule engine:")
    print(opened.line("open part"))
    print(sealed.line("sealed part"))
    print("open part by language:")
    for lang, s in sorted(by_lang.items()):
        print(s.line(f"  {lang}"))
    print("open part by meaning:")
    for meaning, s in sorted(by_meaning.items()):
        print(s.line(f"  {meaning}"))
    if args.misses:
        print("\nopen part misses:")
        print("\n".join(opened.misses))


if __name__ == "__main__":
    main()
