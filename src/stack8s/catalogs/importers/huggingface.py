"""Hugging Face model metadata, model cards, and the card chunker used for RAG.

Metadata formats (`parse_hf_metadata`, dispatched on suffix and JSON shape):

* llmfit JSON list (``name``, ``parameters_raw``, architecture fields, ...). Rules:
  ``pipeline_tag`` "unknown" -> None; ``head_dim`` derived as hidden/heads when missing;
  ``vocab_size`` as is; ``intermediate_size`` from ``moe_intermediate_size`` (per expert for MoE, the
  ordinary FFN size for dense models); ``num_experts_per_tok`` from ``active_experts``;
  ``max_context`` is None when the value is not trustworthy: >= 1,048,576 (RoPE-scaled artefacts such as
  1048576 / 4194304 / 6553600) or 4096 on a Llama 3.1 / 3.2 / 3.3 model (llmfit's placeholder);
  ``quantization`` comes from the repository name (AWQ / GPTQ / GGUF / FP8 markers) or a ``format`` of
  awq / gptq — llmfit's default ``format: gguf`` / ``Q4_K_M`` is its own sizing assumption, not a property
  of the repository, so it is ignored; ``family`` is the HF ``model_type`` (``architecture``).
* model_info CSV (``modelId, downloads, task_category, ...``): likes 0, license None, no architecture.
* gpu_poor JSON object keyed by model id, values are config.json excerpts in Llama (``hidden_size``),
  GPT-2 (``n_embd``) or T5 (``d_model``) naming; family from ``architectures[0]``. Any config.json map
  in this shape also gives ``vocab_size``, ``intermediate_size`` (``moe_intermediate_size`` first),
  ``num_experts_per_tok`` (or ``num_experts_per_token`` / ``experts_per_token`` / ``moe_topk``),
  ``tie_word_embeddings``, ``torch_dtype`` (or ``dtype``; bfloat16 / float16 / float32, else None) and
  ``sliding_window`` — None when ``use_sliding_window`` is false or the window is not smaller than
  ``max_position_embeddings`` (it then never applies).

Duplicated model ids: the last one wins and a note is added to the result.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from stack8s.catalogs.importers.base import ImportResult, RowError, RowProblem, as_int
from stack8s.catalogs.rows import HFModelRow, ModelCard

log = logging.getLogger(__name__)

CHUNKER_VERSION = "md-v1"
MIN_CHUNK_WORD_CHARS = 40

_UNTRUSTED_CONTEXT = 1_048_576
_LLAMA_31_33 = re.compile(r"llama[-_ ]?3[._]?[123](?![0-9])", re.IGNORECASE)
_QUANT_MARKERS = (("AWQ", "awq"), ("GPTQ", "gptq"), ("GGUF", "gguf"), ("FP8", "fp8"))
_CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "num_layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "hidden_size": ("hidden_size", "n_embd", "d_model"),
    "num_attention_heads": ("num_attention_heads", "n_head", "num_heads"),
    "num_kv_heads": ("num_key_value_heads", "num_kv_heads"),
    "head_dim": ("head_dim",),
    "max_context": ("max_position_embeddings", "n_positions", "n_ctx"),
    "num_experts": ("num_local_experts", "num_experts", "n_routed_experts"),
    "vocab_size": ("vocab_size", "padded_vocab_size"),
    "intermediate_size": ("moe_intermediate_size", "intermediate_size", "ffn_hidden_size", "n_inner", "d_ff"),
    "num_experts_per_tok": ("num_experts_per_tok", "num_experts_per_token", "experts_per_token", "moe_topk"),
    "sliding_window": ("sliding_window", "sliding_window_size"),
}
_TORCH_DTYPES = {
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float16": "float16",
    "fp16": "float16",
    "half": "float16",
    "float32": "float32",
    "fp32": "float32",
    "float": "float32",
}


@dataclass(frozen=True, slots=True)
class _Context:
    file: str
    source: str
    as_of: date


# ---------------------------------------------------------------- value helpers


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any, what: str) -> int | None:
    return as_int(value, what)


def _billions(value: Any, what: str) -> float | None:
    count = _int(value, what)
    return float(f"{count / 1e9:.6g}") if count else None


def _head_dim(head_dim: int | None, hidden: int | None, heads: int | None) -> int | None:
    if head_dim:
        return head_dim
    return hidden // heads if hidden and heads else None


def torch_dtype_of(value: Any) -> str | None:
    """bfloat16 | float16 | float32 from a config's dtype text ("bf16", "torch.float16", ...); else None."""
    text = _text(value).lower().removeprefix("torch.")
    return _TORCH_DTYPES.get(text)


def _pipeline_tag(value: Any) -> str | None:
    tag = _text(value)
    return None if tag.lower() in {"", "unknown", "none"} else tag


def trusted_context(model_id: str, value: Any) -> int | None:
    """Context length unless it is one of llmfit's known-bad values (see module docstring)."""
    context = _int(value, "context_length")
    if not context or context >= _UNTRUSTED_CONTEXT:
        return None
    if context == 4096 and _LLAMA_31_33.search(model_id):
        return None
    return context


def quantization_of(model_id: str, file_format: Any = None) -> str | None:
    """awq | gptq | gguf | fp8 from name markers, else from an awq/gptq `format`; None otherwise."""
    upper = model_id.upper()
    for marker, name in _QUANT_MARKERS:
        if re.search(rf"(?<![A-Z0-9]){marker}(?![A-Z])", upper):
            return name
    fmt = _text(file_format).lower()
    return fmt if fmt in {"awq", "gptq"} else None


def _line_of(text: str, needle: str) -> int:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else 0


# ---------------------------------------------------------------- llmfit JSON


def _llmfit_row(entry: Any, ctx: _Context) -> HFModelRow:
    if not isinstance(entry, dict):
        raise RowProblem("entry is not an object")
    model_id = _text(entry.get("name"))
    if not model_id:
        raise RowProblem("entry without name")
    hidden = _int(entry.get("hidden_size"), "hidden_size")
    heads = _int(entry.get("num_attention_heads"), "num_attention_heads")
    return HFModelRow(
        model_id=model_id,
        pipeline_tag=_pipeline_tag(entry.get("pipeline_tag")),
        library=None,
        license=None,
        downloads=_int(entry.get("hf_downloads"), "hf_downloads") or 0,
        likes=_int(entry.get("hf_likes"), "hf_likes") or 0,
        params_billion=_billions(entry.get("parameters_raw"), "parameters_raw"),
        num_layers=_int(entry.get("num_hidden_layers"), "num_hidden_layers"),
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=_int(entry.get("num_key_value_heads"), "num_key_value_heads"),
        head_dim=_head_dim(_int(entry.get("head_dim"), "head_dim"), hidden, heads),
        max_context=trusted_context(model_id, entry.get("context_length")),
        num_experts=_int(entry.get("num_experts"), "num_experts") or None,
        active_params_billion=_billions(entry.get("active_parameters"), "active_parameters"),
        vocab_size=_int(entry.get("vocab_size"), "vocab_size") or None,
        intermediate_size=_int(entry.get("moe_intermediate_size"), "moe_intermediate_size") or None,
        num_experts_per_tok=_int(entry.get("active_experts"), "active_experts") or None,
        quantization=quantization_of(model_id, entry.get("format")),
        family=_text(entry.get("architecture")) or None,
        source=ctx.source,
        as_of=ctx.as_of,
    )


def _parse_llmfit(entries: list[Any], text: str, ctx: _Context, result: ImportResult[HFModelRow]) -> None:
    for index, entry in enumerate(entries):
        try:
            result.rows.append(_llmfit_row(entry, ctx))
        except RowProblem as problem:
            name = entry.get("name") if isinstance(entry, dict) else None
            line = _line_of(text, json.dumps(name)) if name else 0
            result.errors.append(RowError(ctx.file, line, f"entry {index}: {problem}"))


# ---------------------------------------------------------------- gpu_poor config JSON


def _config_value(config: dict[str, Any], field: str) -> int | None:
    for key in _CONFIG_KEYS[field]:
        if config.get(key) is not None:
            return _int(config[key], key)
    return None


def _config_bool(config: dict[str, Any], key: str) -> bool | None:
    value = config.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise RowProblem(f"{key} must be true or false, not {value!r}")


def _sliding_window(config: dict[str, Any], window: int | None, max_context: int | None) -> int | None:
    """The window when the model uses one (see module docstring)."""
    if not window or config.get("use_sliding_window") is False:
        return None
    return None if max_context and window >= max_context else window


def _family_of(config: dict[str, Any]) -> str | None:
    architectures = config.get("architectures")
    first = architectures[0] if isinstance(architectures, list) and architectures else None
    if not first:
        return _text(config.get("model_type")) or None
    return re.sub(r"(For[A-Z]\w*|LMHeadModel|Model)$", "", str(first)).lower() or None


def _config_row(model_id: str, config: Any, ctx: _Context) -> HFModelRow:
    if not isinstance(config, dict):
        raise RowProblem(f"config of {model_id!r} is not an object")
    if not model_id.strip():
        raise RowProblem("empty model id")
    values = {field: _config_value(config, field) for field in _CONFIG_KEYS}
    hidden, heads = values["hidden_size"], values["num_attention_heads"]
    return HFModelRow(
        model_id=model_id.strip(),
        pipeline_tag=None,
        library=None,
        license=None,
        downloads=0,
        likes=0,
        params_billion=None,
        num_layers=values["num_layers"],
        hidden_size=hidden,
        num_attention_heads=heads,
        num_kv_heads=values["num_kv_heads"],
        head_dim=_head_dim(values["head_dim"], hidden, heads),
        max_context=values["max_context"],
        num_experts=values["num_experts"] or None,
        vocab_size=values["vocab_size"] or None,
        tie_word_embeddings=_config_bool(config, "tie_word_embeddings"),
        intermediate_size=values["intermediate_size"] or None,
        num_experts_per_tok=values["num_experts_per_tok"] or None,
        sliding_window=_sliding_window(config, values["sliding_window"], values["max_context"]),
        torch_dtype=torch_dtype_of(config.get("torch_dtype") or config.get("dtype")),
        family=_family_of(config),
        source=ctx.source,
        as_of=ctx.as_of,
    )


def _parse_configs(configs: dict[str, Any], text: str, ctx: _Context, result: ImportResult[HFModelRow]) -> None:
    for model_id, config in configs.items():
        try:
            result.rows.append(_config_row(str(model_id), config, ctx))
        except RowProblem as problem:
            result.errors.append(RowError(ctx.file, _line_of(text, json.dumps(model_id)), str(problem)))


# ---------------------------------------------------------------- model_info CSV


def _csv_row(record: dict[str, str], ctx: _Context) -> HFModelRow:
    model_id = _text(record.get("modelId") or record.get("model_id"))
    if not model_id:
        raise RowProblem("empty modelId")
    tag = _pipeline_tag(record.get("task_category") or record.get("pipeline_tag"))
    return HFModelRow(
        model_id=model_id,
        pipeline_tag=tag,
        library=_text(record.get("library_name")) or None,
        license=None,
        downloads=_int(_text(record.get("downloads")), "downloads") or 0,
        likes=0,
        params_billion=None,
        source=ctx.source,
        as_of=ctx.as_of,
    )


def _parse_csv(path: Path, ctx: _Context, result: ImportResult[HFModelRow]) -> None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for record in reader:
            try:
                result.rows.append(_csv_row(record, ctx))
            except RowProblem as problem:
                result.errors.append(RowError(ctx.file, reader.line_num, str(problem)))


# ---------------------------------------------------------------- metadata entry point


def _dedupe_models(result: ImportResult[HFModelRow], file: str) -> None:
    by_id: dict[str, HFModelRow] = {}
    for row in result.rows:
        by_id[row.model_id] = row
    duplicates = len(result.rows) - len(by_id)
    if duplicates:
        result.notes.append(f"{file}: {duplicates} duplicate model ids, the last one of each was kept")
        log.warning("catalog.import.duplicates file=%s count=%d", file, duplicates)
    result.rows = list(by_id.values())


def _parse_json(path: Path, ctx: _Context, result: ImportResult[HFModelRow]) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except ValueError as exc:
        result.errors.append(RowError(ctx.file, getattr(exc, "lineno", 0), f"invalid JSON: {exc}"))
        return
    if isinstance(data, list):
        _parse_llmfit(data, text, ctx, result)
    elif isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()) and "models" not in data:
        _parse_configs(data, text, ctx, result)
    else:
        message = "unsupported JSON shape (want an llmfit list or a gpu_poor object)"
        result.errors.append(RowError(ctx.file, 1, message))


def _source_prefix(path: Path) -> str:
    if path.suffix.lower() == ".csv":
        return "hf-model-info"
    name = path.name.lower()
    return "llmfit" if "llmfit" in name else "gpu_poor" if "config" in name else "hf"


def parse_hf_metadata(path: Path, as_of: date | None = None) -> ImportResult[HFModelRow]:
    """Model metadata from an llmfit JSON list, a model_info CSV or a gpu_poor config JSON object."""
    path = Path(path)
    ctx = _Context(path.name, f"{_source_prefix(path)}:{path.name}", as_of or date.fromtimestamp(path.stat().st_mtime))
    result: ImportResult[HFModelRow] = ImportResult()
    try:
        if path.suffix.lower() == ".csv":
            _parse_csv(path, ctx, result)
        else:
            _parse_json(path, ctx, result)
    except UnicodeDecodeError as exc:
        result.errors.append(RowError(ctx.file, 0, f"not valid UTF-8: {exc}"))
    _dedupe_models(result, ctx.file)
    log.info("catalog.import file=%s models=%d errors=%d", ctx.file, len(result.rows), len(result.errors))
    return result


# ---------------------------------------------------------------- model cards


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_CARD_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
# Lower-case name prefix -> Hugging Face organisation, longest prefixes first (used for Docker cards).
_ORG_BY_PREFIX: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (
            ("deepseek", "deepseek-ai"),
            ("deepcoder", "agentica-org"),
            ("functiongemma", "google"),
            ("gemma", "google"),
            ("gpt-oss", "openai"),
            ("granite", "ibm-granite"),
            ("kimi", "moonshotai"),
            ("llama", "meta-llama"),
            ("magistral", "mistralai"),
            ("ministral", "mistralai"),
            ("mistral", "mistralai"),
            ("devstral", "mistralai"),
            ("moondream", "vikhyatk"),
            ("mxbai", "mixedbread-ai"),
            ("nomic", "nomic-ai"),
            ("phi", "microsoft"),
            ("qwen", "Qwen"),
            ("qwq", "Qwen"),
            ("seed", "ByteDance-Seed"),
            ("smol", "HuggingFaceTB"),
            ("arctic", "Snowflake"),
            ("snowflake", "Snowflake"),
        ),
        key=lambda pair: -len(pair[0]),
    )
)
_ORG_RENAMES = {"qwenlm": "Qwen"}
_LICENSE_CELL = re.compile(r"^\|\s*\*\*License\*\*\s*\|\s*(.+?)\s*\|?\s*$", re.MULTILINE | re.IGNORECASE)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter mapping, body). When the block is not a YAML mapping (e.g. a Markdown rule
    followed by prose), nothing is stripped and the mapping is empty."""
    text = text.lstrip("\ufeff")
    found = _FRONT_MATTER.match(text)
    if not found:
        return {}, text
    try:
        meta = yaml.safe_load(found.group(1) or "")
    except yaml.YAMLError:
        return {}, text
    if meta is not None and not isinstance(meta, dict):
        return {}, text
    return meta or {}, text[found.end() :]


def _clean_title(title: str) -> str:
    """'Qwen2.5-7B Instruct' -> 'Qwen2.5-7B'; "Snowflake's Arctic-embed" -> 'Arctic-embed'."""
    title = re.sub(r"[*_`]", "", title)
    title = re.sub(r"\([^)]*\)", " ", title.split(":")[0])
    title = re.sub(r"[\u2010-\u2015\u2212]", "-", title)
    title = re.sub(r"^\S+'s\s+", "", title.strip())
    name = re.sub(r"[\s-]+", "-", title).strip("-")
    return re.sub(r"-Instruct$", "", name, flags=re.IGNORECASE)


def _org_for(name: str) -> str | None:
    lower = name.lower()
    return next((org for prefix, org in _ORG_BY_PREFIX if lower.startswith(prefix)), None)


def derive_card_id(entry: dict[str, Any]) -> str:
    """HF-style id for an index.jsonl entry (a family prefix where the card covers several models):

    * meta-llama/llama-models ``models/llama3_1/...`` -> ``meta-llama/Llama-3.1``;
    * docker/model-cards -> ``<org>/<cleaned title>`` (org from `_ORG_BY_PREFIX`);
    * a model's own repository (deepseek-ai/DeepSeek-R1, QwenLM/Qwen3) -> that repository, with
      GitHub-only owner names mapped to the HF organisation (QwenLM -> Qwen).
    """
    repository = _text(entry.get("source_repository"))
    if repository == "meta-llama/llama-models":
        found = re.search(r"llama(\d+)(?:_(\d+))?", _text(entry.get("source_path")))
        if found:
            return f"meta-llama/Llama-{found.group(1)}" + (f".{found.group(2)}" if found.group(2) else "")
    if repository == "docker/model-cards" or not repository:
        name = _clean_title(_text(entry.get("title"))) or Path(_text(entry.get("file"))).stem
        org = _org_for(name)
        return f"{org}/{name}" if org else name
    owner, _, repo = repository.partition("/")
    return f"{_ORG_RENAMES.get(owner.lower(), owner)}/{repo}"


def _expand_ids(card_id: str, known: list[tuple[str, str]] | None) -> tuple[str, ...]:
    """The derived id, then every known id it is a prefix of (case-insensitive, followed by - or _).

    `known` is a sorted list of (lower-case id, id), so the matches are found by bisection."""
    prefix = card_id.lower()
    matches = []
    for lower, original in (known or [])[bisect.bisect_right(known or [], (prefix, "\uffff")) :]:
        if not lower.startswith(prefix):
            break
        if lower[len(prefix)] in "-_":
            matches.append(original)
    return (card_id, *sorted(matches))


def _read_index(folder: Path, result: ImportResult[ModelCard]) -> list[dict[str, Any]]:
    index = folder / "index.jsonl"
    if not index.is_file():
        return []
    entries = []
    for number, line in enumerate(index.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            result.errors.append(RowError("index.jsonl", number, f"invalid JSON line: {exc}"))
            continue
        if isinstance(entry, dict) and _text(entry.get("file")):
            entries.append(entry)
        else:
            result.errors.append(RowError("index.jsonl", number, "index line without 'file'"))
    return entries


def _index_entry(relative: str, entries: list[dict[str, Any]]) -> dict[str, Any] | None:
    for entry in entries:
        file = _text(entry.get("file")).replace("\\", "/")
        if file == relative or file.endswith("/" + relative):
            return entry
    return None


def _table_license(body: str) -> str | None:
    found = _LICENSE_CELL.search(body)
    if not found:
        return None
    cell = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", found.group(1)).strip(" |")
    return cell or None


def _from_index(entry: dict[str, Any], body: str) -> tuple[str, dict[str, str], str]:
    """(card id, extra, source) for a card listed in index.jsonl."""
    keys = ("title", "license", "source_repository", "source_path", "commit")
    extra = {k: _text(entry.get(k)) for k in keys}
    if "_VISION" in _text(entry.get("source_path")).upper():
        extra["variant"] = "vision"
    if extra["source_repository"] == "docker/model-cards":
        extra["docker_model"] = f"ai/{Path(extra['source_path']).stem}"
    model_license = _table_license(body)
    if model_license:
        extra["model_license"] = model_license
    source = f"github:{extra['source_repository']}/{extra['source_path']}"
    return derive_card_id(entry), {k: v for k, v in extra.items() if v}, source


def _from_front_matter(meta: dict[str, Any], stem: str) -> tuple[str, dict[str, str]]:
    extra: dict[str, str] = {}
    for key in ("base_model", "license", "pipeline_tag", "tags", "library_name", "language"):
        value = meta.get(key)
        if value:
            extra[key] = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return _text(meta.get("model_id")) or stem, extra


def _card_files(path: Path) -> tuple[Path, list[Path]]:
    """(folder the relative names and index.jsonl refer to, card files)."""
    if path.is_file():
        parents = list(path.parents)[:3]
        return next((p for p in parents if (p / "index.jsonl").is_file()), path.parent), [path]
    files = [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _CARD_SUFFIXES]
    return path, sorted(p for p in files if "LICENSE" not in p.name.upper())


def _read_card(file: Path) -> str:
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RowProblem(f"not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise RowProblem("empty card")
    return text


def _card(file: Path, relative: str, entries: list[dict[str, Any]], known: list[tuple[str, str]] | None) -> ModelCard:
    meta, body = split_front_matter(_read_card(file))
    if not body.strip():
        raise RowProblem("card has front matter but no text")
    entry = _index_entry(relative, entries)
    if entry is not None:
        card_id, extra, source = _from_index(entry, body)
    else:
        (card_id, extra), source = _from_front_matter(meta, file.stem), f"model-card:{relative}"
    return ModelCard(model_ids=_expand_ids(card_id, known), text=body, source=source, extra=extra)


def parse_model_cards(path: Path, known_ids: Iterable[str] | None = None) -> ImportResult[ModelCard]:
    """Model cards from a folder of Markdown files (recursively) or one file.

    Ids: from `index.jsonl` next to the cards when it lists the file (`derive_card_id`), else front matter
    ``model_id``, else the file stem. With `known_ids`, each card also lists the known model ids its id is
    a prefix of (``meta-llama/Llama-3.1`` -> ``meta-llama/Llama-3.1-8B-Instruct``). ``*LICENSE*`` files
    are skipped; non-UTF-8 or empty files are RowErrors.
    """
    path = Path(path)
    result: ImportResult[ModelCard] = ImportResult()
    if not path.exists():
        result.errors.append(RowError(path.name, 0, f"not found: {path}"))
        return result
    folder, files = _card_files(path)
    entries = _read_index(folder, result)
    known = sorted((k.lower(), k) for k in known_ids) if known_ids is not None else None
    for file in files:
        relative = file.relative_to(folder).as_posix()
        try:
            result.rows.append(_card(file, relative, entries, known))
        except RowProblem as problem:
            result.errors.append(RowError(relative, 0, str(problem)))
    log.info("catalog.import cards=%d errors=%d path=%s", len(result.rows), len(result.errors), path)
    return result


# ---------------------------------------------------------------- chunker


def normalize_ws(text: str) -> str:
    return " ".join(text.split())


def content_hash(text: str) -> str:
    """sha256 hex of the whitespace-normalised text (so re-wrapped chunks hash alike)."""
    return hashlib.sha256(normalize_ws(text).encode("utf-8")).hexdigest()


def _word_chars(text: str) -> int:
    return len(re.findall(r"\w", text))


def _blocks(text: str) -> Iterator[tuple[bool, str]]:
    """(is_heading, block) per Markdown heading or paragraph; spaces collapsed inside each line."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = normalize_ws(raw)
        heading = bool(re.match(r"#{1,6}(\s|$)", line))
        if (not line or heading) and lines:
            yield False, "\n".join(lines)
            lines = []
        if heading:
            yield True, line
        elif line:
            lines.append(line)
    if lines:
        yield False, "\n".join(lines)


def _cut(text: str, start: int, end: int) -> int:
    """End of a window: the last whitespace in its second half, else `end`."""
    middle = start + (end - start) // 2
    space = max(text.rfind(" ", middle, end), text.rfind("\n", middle, end))
    return space if space > start else end


def _word_start(text: str, position: int, limit: int) -> int:
    """First word start at or after `position` (before `limit`), else `position`."""
    if position == 0 or text[position - 1] in " \n":
        return position
    space = min((i for i in (text.find(" ", position, limit), text.find("\n", position, limit)) if i >= 0), default=-1)
    return space + 1 if space >= 0 else position


def _split_long(text: str, max_chars: int, overlap: int) -> list[str]:
    """Windows of at most `max_chars`, overlapping by about `overlap`, cut at whitespace when possible."""
    pieces, start = [], 0
    while True:
        end = len(text) if len(text) - start <= max_chars else _cut(text, start, start + max_chars)
        pieces.append(text[start:end].strip())
        if end >= len(text):
            break
        start = max(_word_start(text, max(end - overlap, start + 1), end), start + 1)
    if len(pieces) > 1 and _word_chars(pieces[-1]) < MIN_CHUNK_WORD_CHARS:
        tail_start = _word_start(text, len(text) - max_chars, len(text))
        pieces[-1] = text[tail_start:].strip()
    return [p for p in pieces if p]


def _pack(blocks: Iterable[tuple[bool, str]], max_chars: int, overlap: int) -> list[tuple[str, bool]]:
    """Greedy packing of paragraphs into pieces; a heading starts a new piece. (text, mergeable)."""
    pieces: list[tuple[str, bool]] = []
    current = ""
    for is_heading, block in blocks:
        if is_heading and current:
            pieces.append((current, True))
            current = ""
        joined = f"{current}\n\n{block}" if current else block
        if len(joined) <= max_chars:
            current = joined
        elif len(block) > max_chars:
            pieces.extend((p, False) for p in _split_long(joined, max_chars, overlap))
            current = ""
        else:
            pieces.append((current, True))
            current = block
    if current:
        pieces.append((current, True))
    return pieces


def _merge_small(pieces: list[tuple[str, bool]], max_chars: int) -> list[str]:
    """Join a too-small packed piece to its packed neighbour when it fits; drop what stays too small."""
    merged: list[tuple[str, bool]] = []
    for text, mergeable in pieces:
        if merged and mergeable and merged[-1][1]:
            previous = merged[-1][0]
            small = min(_word_chars(previous), _word_chars(text)) < MIN_CHUNK_WORD_CHARS
            if small and len(previous) + 2 + len(text) <= max_chars:
                merged[-1] = (f"{previous}\n\n{text}", True)
                continue
        merged.append((text, mergeable))
    return [text for text, _ in merged if _word_chars(text) >= MIN_CHUNK_WORD_CHARS]


def chunk_card(text: str, max_chars: int = 1000, overlap: int = 150) -> list[str]:
    """Split a Markdown card into retrieval chunks (deterministic).

    Headings start a new chunk; paragraphs are packed up to `max_chars`; a paragraph longer than that is
    cut into overlapping windows (`overlap` chars) at whitespace. Whitespace is normalised (one space
    inside a line, one blank line between paragraphs); chunks with fewer than 40 word characters are
    merged into a neighbour or dropped. Every chunk is at most `max_chars` long and, whitespace aside,
    a contiguous part of the input.
    """
    if max_chars <= 0 or not 0 <= overlap < max_chars:
        raise ValueError("need max_chars > 0 and 0 <= overlap < max_chars")
    return _merge_small(_pack(_blocks(text), max_chars, overlap), max_chars)
