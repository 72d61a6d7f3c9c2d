"""Loaders for the curated catalog shipped inside the package (`catalogs/data/`).

Formats (fixed):

* ``instances.csv`` – leading ``#`` comment lines, then the header ``provider, instance_type, region,
  gpu_model, gpu_count, vram_per_gpu_gb, vcpu, ram_gb, price_hourly_usd, spot_price_hourly_usd, source,
  as_of``. Empty ``gpu_model`` = CPU-only. GPU names go through `normalize_gpu` (canonical names are left
  unchanged). A repeated (provider, instance_type, region) is an error.
* ``charts.yaml`` – ``as_of``, ``sources: [{key, url, note}]``, ``charts: [{name, repository, ...}]``.
* ``models/*.yaml`` – ``as_of``, ``source_note``, ``models: [{model_id, ..., aliases, card}]``; each
  ``card`` becomes a ModelCard for its model. Row source: ``stack8s-curated:<file name>``.

YAML numbers are read as text and converted field by field, so ``version: 1.10`` stays "1.10".
Bad rows become RowErrors (file, 1-based line); these loaders never raise for bad data.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml

from stack8s.catalogs.gpus import normalize_gpu
from stack8s.catalogs.importers.base import ImportResult, RowError, RowProblem, as_float, as_int
from stack8s.catalogs.rows import ChartRow, HFModelRow, InstanceRow, ModelCard

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
T = TypeVar("T")

INSTANCE_COLUMNS = (
    "provider",
    "instance_type",
    "region",
    "gpu_model",
    "gpu_count",
    "vram_per_gpu_gb",
    "vcpu",
    "ram_gb",
    "price_hourly_usd",
    "spot_price_hourly_usd",
    "source",
    "as_of",
)
_QUANTIZATIONS = frozenset({"awq", "gptq", "fp8", "mxfp4", "nvfp4", "int4", "gguf"})
_TORCH_DTYPES = frozenset({"bfloat16", "float16", "float32"})


def default_paths() -> dict[str, Path]:
    """Where the shipped catalog files live: keys ``instances``, ``charts``, ``models``."""
    return {
        "instances": DATA_DIR / "instances.csv",
        "charts": DATA_DIR / "charts.yaml",
        "models": DATA_DIR / "models",
    }


# ---------------------------------------------------------------- shared helpers


class _TextNumberLoader(yaml.SafeLoader):
    """SafeLoader that leaves ints and floats as strings (booleans, nulls and dates still resolve)."""


_TextNumberLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if not tag.endswith((":int", ":float"))]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(value: Any, what: str = "as_of") -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise RowProblem(f"invalid {what} {value!r} (want YYYY-MM-DD)") from None


def _required(record: dict[str, Any], key: str) -> str:
    value = _text(record.get(key))
    if not value:
        raise RowProblem(f"missing {key}")
    return value


def _bool(value: Any, what: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    raise RowProblem(f"{what} must be true or false, not {value!r}")


def _optional_bool(value: Any, what: str) -> bool | None:
    """true / false, or None when the key is missing or empty (unknown, unlike `_bool`)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    raise RowProblem(f"{what} must be true or false, not {value!r}")


def _load_yaml(path: Path, list_key: str) -> tuple[dict[str, Any], list[tuple[int, Any]]]:
    """(document, [(line, item) of document[list_key]]); raises RowProblem for unusable files."""
    loader = _TextNumberLoader(path.read_text(encoding="utf-8"))
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RowProblem(f"invalid YAML{f' at line {mark.line + 1}' if mark else ''}: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(data.get(list_key), list):
        raise RowProblem(f"expected a mapping with a '{list_key}' list")
    return data, list(zip(_item_lines(root, list_key), data[list_key], strict=False))


def _item_lines(root: yaml.Node | None, key: str) -> list[int]:
    for key_node, value in root.value if isinstance(root, yaml.MappingNode) else []:
        if key_node.value == key and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _collect(
    items: list[tuple[int, Any]], build: Callable[[dict[str, Any]], T], file: str, result: ImportResult[T]
) -> None:
    for line, item in items:
        try:
            if not isinstance(item, dict):
                raise RowProblem("entry is not a mapping")
            result.rows.append(build(item))
        except RowProblem as problem:
            result.errors.append(RowError(file, line, str(problem)))


def _file_as_of(data: dict[str, Any], path: Path) -> date:
    try:
        return _date(data.get("as_of")) if data.get("as_of") else date.fromtimestamp(path.stat().st_mtime)
    except RowProblem:
        log.warning("catalog.shipped.bad_as_of file=%s value=%r", path.name, data.get("as_of"))
        return date.fromtimestamp(path.stat().st_mtime)


# ---------------------------------------------------------------- instances.csv


def _csv_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for every line that is neither blank nor a `#` comment."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                yield number, next(csv.reader([line]))


def _instance(record: dict[str, str], default_source: str) -> InstanceRow:
    name = _text(record.get("gpu_model"))
    per_gpu = as_float(record.get("vram_per_gpu_gb"), "vram_per_gpu_gb") or 0.0
    model = normalize_gpu(name, per_gpu or None) if name else None
    count = (as_int(record.get("gpu_count"), "gpu_count") or 0) if model else 0
    if model and not count:
        raise RowProblem(f"gpu_model {name!r} with gpu_count 0")
    price = as_float(record.get("price_hourly_usd"), "price_hourly_usd")
    if price is None:
        raise RowProblem("missing price_hourly_usd")
    return InstanceRow(
        provider=_required(record, "provider").lower(),
        instance_type=_required(record, "instance_type"),
        region=_required(record, "region"),
        gpu_model=model,
        gpu_count=count,
        vram_per_gpu_gb=per_gpu if model else 0.0,
        total_vram_gb=round(per_gpu * count, 2) if model else 0.0,
        vcpu=as_float(record.get("vcpu"), "vcpu") or 0.0,
        ram_gb=as_float(record.get("ram_gb"), "ram_gb") or 0.0,
        price_hourly_usd=price,
        spot_price_hourly_usd=as_float(record.get("spot_price_hourly_usd"), "spot_price_hourly_usd"),
        source=_text(record.get("source")) or default_source,
        as_of=_date(record.get("as_of")),
    )


def load_instances(path: Path) -> ImportResult[InstanceRow]:
    """The shipped instance catalog CSV (see module docstring)."""
    path = Path(path)
    result: ImportResult[InstanceRow] = ImportResult()
    lines = _csv_lines(path)
    number, header = next(lines, (0, []))
    header = [h.strip() for h in header]
    missing = [c for c in INSTANCE_COLUMNS if c not in header]
    if missing:
        result.errors.append(RowError(path.name, number, f"header lacks columns {missing}"))
        return result
    seen: dict[tuple[str, str, str], int] = {}
    for number, fields in lines:
        try:
            row = _instance(dict(zip(header, fields, strict=False)), f"stack8s-curated:{path.name}")
            _check_unique(seen, (row.provider, row.instance_type, row.region), number)
            result.rows.append(row)
        except RowProblem as problem:
            result.errors.append(RowError(path.name, number, str(problem)))
    return result


def _check_unique(seen: dict[tuple[str, str, str], int], key: tuple[str, str, str], line: int) -> None:
    if key in seen:
        raise RowProblem(f"duplicate of line {seen[key]} for {key}")
    seen[key] = line


# ---------------------------------------------------------------- charts.yaml


def _chart(entry: dict[str, Any], as_of: date, default_source: str) -> ChartRow:
    keywords = entry.get("keywords") or []
    if not isinstance(keywords, list):
        raise RowProblem("keywords must be a list")
    return ChartRow(
        name=_required(entry, "name"),
        repository=_required(entry, "repository"),
        repository_url=_text(entry.get("repository_url")),
        description=_text(entry.get("description")),
        keywords=tuple(_text(k) for k in keywords if _text(k)),
        version=_required(entry, "version"),
        app_version=_text(entry.get("app_version")) or None,
        stars=as_int(entry.get("stars"), "stars") or 0,
        official=_bool(entry.get("official"), "official"),
        home=_text(entry.get("home")) or None,
        deprecated=_bool(entry.get("deprecated"), "deprecated"),
        source=_text(entry.get("source")) or default_source,
        as_of=as_of,
    )


def load_charts(path: Path) -> ImportResult[ChartRow]:
    """The shipped Helm chart catalog YAML (see module docstring)."""
    path = Path(path)
    result: ImportResult[ChartRow] = ImportResult()
    try:
        data, items = _load_yaml(path, "charts")
    except (RowProblem, OSError, UnicodeDecodeError) as problem:
        result.errors.append(RowError(path.name, 0, str(problem)))
        return result
    as_of, default_source = _file_as_of(data, path), f"stack8s-curated:{path.name}"
    _collect(items, lambda entry: _chart(entry, as_of, default_source), path.name, result)
    _drop_duplicates(result, lambda row: (row.repository, row.name), path.name)
    _note_unknown_sources(data, result)
    return result


def _note_unknown_sources(data: dict[str, Any], result: ImportResult[ChartRow]) -> None:
    keys = {_text(s.get("key")) for s in data.get("sources") or [] if isinstance(s, dict)}
    unknown = sorted({row.source for row in result.rows} - keys - {""})
    if keys and unknown:
        result.notes.append(f"chart source keys not listed under sources: {unknown}")


def _drop_duplicates(result: ImportResult[T], key: Callable[[T], object], file: str) -> None:
    """Keep the last row per key; note how many were replaced."""
    by_key = {key(row): row for row in result.rows}
    replaced = len(result.rows) - len(by_key)
    if replaced:
        result.notes.append(f"{file}: {replaced} duplicate entries, the last one of each was kept")
    result.rows = list(by_key.values())


# ---------------------------------------------------------------- models/*.yaml


def _quantization(value: Any) -> str | None:
    text = _text(value).lower()
    if text and text not in _QUANTIZATIONS:
        raise RowProblem(f"quantization must be one of {sorted(_QUANTIZATIONS)}, not {value!r}")
    return text or None


def _torch_dtype(value: Any) -> str | None:
    text = _text(value).lower()
    if text and text not in _TORCH_DTYPES:
        raise RowProblem(f"torch_dtype must be one of {sorted(_TORCH_DTYPES)}, not {value!r}")
    return text or None


def _aliases(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RowProblem("aliases must be a list")
    return tuple(_text(a) for a in value if _text(a))


def _model(entry: dict[str, Any], as_of: date, source: str) -> HFModelRow:
    def count(key: str) -> int | None:
        return as_int(entry.get(key), key)

    return HFModelRow(
        model_id=_required(entry, "model_id"),
        pipeline_tag=_text(entry.get("pipeline_tag")) or None,
        library=_text(entry.get("library")) or None,
        license=_text(entry.get("license")) or None,
        downloads=count("downloads") or 0,
        likes=count("likes") or 0,
        params_billion=as_float(entry.get("params_billion"), "params_billion"),
        num_layers=count("num_layers"),
        hidden_size=count("hidden_size"),
        num_attention_heads=count("num_attention_heads"),
        num_kv_heads=count("num_kv_heads"),
        head_dim=count("head_dim"),
        max_context=count("max_context"),
        num_experts=count("num_experts"),
        active_params_billion=as_float(entry.get("active_params_billion"), "active_params_billion"),
        kv_bytes_per_token=count("kv_bytes_per_token"),
        vocab_size=count("vocab_size"),
        tie_word_embeddings=_optional_bool(entry.get("tie_word_embeddings"), "tie_word_embeddings"),
        intermediate_size=count("intermediate_size"),
        num_experts_per_tok=count("num_experts_per_tok"),
        sliding_window=count("sliding_window"),
        torch_dtype=_torch_dtype(entry.get("torch_dtype")),
        quantization=_quantization(entry.get("quantization")),
        family=_text(entry.get("family")) or None,
        aliases=_aliases(entry.get("aliases")),
        source=source,
        as_of=as_of,
        full_attention_layers=count("full_attention_layers"),
    )


def _card_for(entry: dict[str, Any], source: str) -> ModelCard | None:
    text = entry.get("card")
    if not isinstance(text, str) or not text.strip():
        return None
    license_ = _text(entry.get("license"))
    extra = {"license": license_} if license_ else {}
    extra["header"] = card_header(entry)
    return ModelCard((_text(entry["model_id"]),), text.strip() + "\n", source, extra)


def card_header(entry: dict[str, Any]) -> str:
    """A contextual first line (id, task in words, library, license), so every chunk's embedding
    carries what the model does; the card bodies alone embed close to each other."""
    task = _text(entry.get("pipeline_tag")).replace("-", " ")
    facts = [f"{task} model" if task else "", _text(entry.get("library")), _text(entry.get("license"))]
    return f"{_text(entry['model_id'])}: {', '.join(f for f in facts if f)}.\n"


def _load_model_file(path: Path, result: ImportResult[HFModelRow], cards: dict[str, ModelCard]) -> None:
    try:
        data, items = _load_yaml(path, "models")
    except (RowProblem, OSError, UnicodeDecodeError) as problem:
        result.errors.append(RowError(path.name, 0, str(problem)))
        return
    as_of, source = _file_as_of(data, path), f"stack8s-curated:{path.name}"
    before = len(result.rows)
    _collect(items, lambda entry: _model(entry, as_of, source), path.name, result)
    good = {row.model_id for row in result.rows[before:]}
    for _, entry in items:
        valid = isinstance(entry, dict) and _text(entry.get("model_id")) in good
        card = _card_for(entry, source) if valid else None
        if card is not None:
            cards[card.model_ids[0]] = card


def load_models(folder: Path) -> tuple[ImportResult[HFModelRow], list[ModelCard]]:
    """Every `*.yaml` in the models folder (or one file): model rows and one card per model."""
    folder = Path(folder)
    files = [folder] if folder.is_file() else sorted(folder.glob("*.yaml"))
    result: ImportResult[HFModelRow] = ImportResult()
    cards: dict[str, ModelCard] = {}
    for path in files:
        _load_model_file(path, result, cards)
    _drop_duplicates(result, lambda row: row.model_id, folder.name)
    return result, list(cards.values())
