"""Canonical GPU names, their specs, and the mapping from the many spellings found in data.

Every fact lives in ``catalogs/data/gpus.yaml`` (sources: ``gpus.SOURCES.md``), loaded and validated
once on import:

* ``gpus`` – one row per canonical name -> a `GpuSpec` (memory, bandwidth, dense compute, interconnect).
  `GPU_MEMORY_GB` (canonical name -> memory of one GPU in GB) is built from these rows.
* ``families`` – ordered regexes over a cleaned, dash-separated upper-case spelling
  (e.g. ``"NVIDIA H100 80GB HBM3"`` -> ``"H100-80GB-HBM3"``) -> canonical name (template).
  The first match wins, so more specific patterns come first (``L40S`` before ``L40`` before ``L4``).
  A family with ``variants`` (A100, V100, H100) picks its canonical name by memory size: the memory
  comes from the name itself (``A100-80GB``) or else from the ``memory_gb`` argument.
* ``vendor_words`` – tokens dropped before matching (``"NVIDIA Tesla T4"`` -> ``"T4"``).

A spelling that matches no pattern keeps its cleaned upper-case form (``"tpu v5p"`` -> ``"TPU-V5P"``),
so `normalize_gpu` is idempotent: ``normalize_gpu(normalize_gpu(x)) == normalize_gpu(x)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from stack8s.catalogs.datafile import as_of, check_keys, read_mapping, unique_rows
from stack8s.catalogs.kernels import expected_errors, kernel_ref
from stack8s.planning.hardware import (
    UNKNOWN_MEMORY_TYPE,
    USABLE_FRACTION,
    USABLE_GIB_PER_GB_CEILING,
    GpuSpec,
    usable_memory_rule,
)
from stack8s.planning.op_latency import method_of

DATA_FILE = Path(__file__).parent / "data" / "gpus.yaml"

VENDORS = frozenset({"nvidia", "amd", "intel", "google", "aws"})
INTERCONNECTS = frozenset({"nvlink", "pcie", "xgmi", "ici", "neuronlink", "roce", "none"})
_SPEC_FIELDS = tuple(f.name for f in fields(GpuSpec) if f.name not in ("kernels", "expected_error"))
_TEXT_FIELDS = frozenset({"name", "vendor", "memory_type", "interconnect", "source"})
_USABLE_FIELDS = ("usable_memory_gib", "usable_memory_source")  # both null -> the memory type's rule
_OPTIONAL_FIELDS = frozenset({"fp16_tflops", "bf16_tflops", "fp8_tflops", "int8_tops", "fp4_tflops"})
_FAMILY_KEYS = frozenset({"pattern", "name", "variants"})
_TOP_KEYS = frozenset({"as_of", "gpus", "families", "vendor_words"})


@dataclass(frozen=True, slots=True)
class Family:
    """One spelling rule: `regex` (compiled, anchored, not followed by a digit) -> `template`."""

    pattern: str
    regex: re.Pattern[str]
    template: str
    variants: tuple[tuple[float, str], ...]  # ((minimum GB, canonical), ...); the last one is the default


@dataclass(frozen=True, slots=True)
class GpuCatalog:
    """The validated contents of ``gpus.yaml``."""

    as_of: date
    specs: Mapping[str, GpuSpec]  # canonical name -> spec, in file order
    families: tuple[Family, ...]
    vendor_words: frozenset[str]

    @property
    def variants(self) -> dict[str, tuple[tuple[float, str], ...]]:
        return {f.template: f.variants for f in self.families if f.variants}


# ---------------------------------------------------------------- loading and validation


def load_gpu_catalog(path: Path | None = None) -> GpuCatalog:
    """Read and validate a GPU facts file (default: the shipped ``gpus.yaml``).

    Raises ValueError naming the file and the offending row for any missing key, unknown key, wrong
    type, bad value, duplicate name, bad regex, or family that names a GPU without a row.
    """
    path = Path(path) if path is not None else DATA_FILE
    data = read_mapping(path, _TOP_KEYS)
    specs = _specs(data["gpus"], path.name)
    families = _families(data["families"], specs, path.name)
    return GpuCatalog(
        as_of=as_of(data["as_of"], path.name),
        specs=specs,
        families=families,
        vendor_words=_vendor_words(data["vendor_words"], path.name),
    )


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number, not {value!r}")
    return float(value)


def _spec(entry: Any, where: str) -> GpuSpec:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping, not {entry!r}")
    label = f"{where} ({entry['name']})" if isinstance(entry.get("name"), str) else where
    allowed = frozenset(_SPEC_FIELDS)
    check_keys(entry, allowed, allowed, label)
    values: dict[str, Any] = {}
    for key in _SPEC_FIELDS:
        value = entry[key]
        if key in _USABLE_FIELDS:
            continue
        if key in _TEXT_FIELDS:
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{label}: {key} must be non-empty text, not {value!r}")
            values[key] = value.strip()
        elif key in _OPTIONAL_FIELDS and value is None:
            values[key] = None
        else:
            number = _number(value, f"{label}: {key}")
            if number < 0 or (number == 0 and key != "interconnect_gbps"):
                raise ValueError(f"{label}: {key} must be > 0, not {value!r}")
            values[key] = number
    if values["vendor"] not in VENDORS:
        raise ValueError(f"{label}: vendor must be one of {sorted(VENDORS)}, not {values['vendor']!r}")
    if values["interconnect"] not in INTERCONNECTS:
        raise ValueError(
            f"{label}: interconnect must be one of {sorted(INTERCONNECTS)}, not {values['interconnect']!r}"
        )
    if values["memory_type"] not in USABLE_FRACTION:
        raise ValueError(
            f"{label}: memory_type must be one of {sorted(USABLE_FRACTION)}, not {values['memory_type']!r}"
        )
    values.update(_usable(entry, values["memory_gb"], values["memory_type"], label))
    return GpuSpec(**values)


def _usable(entry: dict[str, Any], memory_gb: float, memory_type: str, label: str) -> dict[str, Any]:
    """The published usable memory and its source, or the memory type's rule when both are null."""
    figure, source = entry["usable_memory_gib"], entry["usable_memory_source"]
    if figure is None and source is None:
        rule = f"rule: {memory_gb:g} GB x {USABLE_FRACTION[memory_type]:g} ({memory_type}; no published figure)"
        return {"usable_memory_gib": usable_memory_rule(memory_gb, memory_type), "usable_memory_source": rule}
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{label}: usable_memory_gib needs a usable_memory_source (or both null for the rule)")
    usable = _number(figure, f"{label}: usable_memory_gib")
    if not 0 < usable <= memory_gb * USABLE_GIB_PER_GB_CEILING:
        raise ValueError(f"{label}: usable_memory_gib must be in (0, memory_gb], not {figure!r}")
    return {"usable_memory_gib": usable, "usable_memory_source": source.strip()}


def _specs(entries: Any, file: str) -> dict[str, GpuSpec]:
    specs = unique_rows(entries, f"{file}: gpus", _spec, lambda spec: spec.name, "name")
    errors = expected_errors()
    out = {}
    for name, spec in specs.items():
        ref = kernel_ref(spec, specs)
        out[name] = replace(spec, kernels=ref, expected_error=errors.get(method_of(ref)))
    return out


def _variants(value: Any, specs: Mapping[str, GpuSpec], where: str) -> tuple[tuple[float, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: variants must be a non-empty list of [minimum GB, name]")
    variants = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str)):
            raise ValueError(f"{where}: variant {item!r} must be [minimum GB, name]")
        minimum = _number(item[0], f"{where}: variant {item!r} minimum")
        if item[1] not in specs:
            raise ValueError(f"{where}: variant names GPU {item[1]!r}, which has no row in 'gpus'")
        variants.append((minimum, item[1]))
    if variants[-1][0] != 0:
        raise ValueError(f"{where}: the last variant is the default and must have minimum 0")
    return tuple(variants)


def _family(entry: Any, specs: Mapping[str, GpuSpec], where: str) -> Family:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping, not {entry!r}")
    pattern = entry.get("pattern")
    label = f"{where} ({pattern})" if isinstance(pattern, str) else where
    check_keys(entry, frozenset({"pattern", "name"}), _FAMILY_KEYS, label)
    template = entry["name"]
    if not isinstance(pattern, str) or not pattern or not isinstance(template, str) or not template:
        raise ValueError(f"{label}: pattern and name must be non-empty text")
    try:
        regex = re.compile(rf"^(?:{pattern})(?![0-9])")
    except re.error as exc:
        raise ValueError(f"{label}: invalid regex: {exc}") from None
    variants = _variants(entry.get("variants"), specs, label)
    templated = "\\" in template
    if variants and templated:
        raise ValueError(f"{label}: a family with variants needs a plain name, not a template")
    if not variants and not templated and template not in specs:
        raise ValueError(f"{label}: names GPU {template!r}, which has no row in 'gpus'")
    return Family(pattern, regex, template, variants)


def _families(entries: Any, specs: Mapping[str, GpuSpec], file: str) -> tuple[Family, ...]:
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{file}: 'families' must be a non-empty list")
    families = tuple(_family(entry, specs, f"{file}: families[{i}]") for i, entry in enumerate(entries))
    with_variants = [f.template for f in families if f.variants]
    if len(with_variants) != len(set(with_variants)):
        raise ValueError(f"{file}: two families with variants share a name: {with_variants}")
    return families


def _vendor_words(value: Any, file: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(w, str) and re.fullmatch(r"[A-Z0-9]+", w) for w in value):
        raise ValueError(f"{file}: vendor_words must be a list of upper-case words, not {value!r}")
    return frozenset(value)


_CATALOG = load_gpu_catalog(DATA_FILE)  # once, on import
GPU_MEMORY_GB: dict[str, float] = {name: spec.memory_gb for name, spec in _CATALOG.specs.items()}
_FAMILIES = tuple((f.regex, f.template) for f in _CATALOG.families)
_MEMORY_VARIANTS = _CATALOG.variants
_VENDOR_WORDS = _CATALOG.vendor_words
_NOT_A_GPU = frozenset({"", "CPU", "NONE", "NULL", "NAN", "NA", "N-A"})
_MEMORY_IN_NAME = re.compile(r"(?:^|-)(\d{2,3})-?G(?:I?B)?(?=-|$)")


# ---------------------------------------------------------------- names


def _clean(name: str) -> str:
    """Upper-case alphanumeric tokens without vendor words, joined by dashes."""
    tokens = re.findall(r"[A-Z0-9]+", name.upper())
    return "-".join(t for t in tokens if t not in _VENDOR_WORDS)


def _memory_in_name(cleaned: str) -> float | None:
    found = _MEMORY_IN_NAME.search(cleaned)
    return float(found.group(1)) if found else None


def _family_of(cleaned: str) -> str | None:
    for regex, template in _FAMILIES:
        found = regex.match(cleaned)
        if found:
            return found.expand(template)
    return None


def _variant(family: str, memory_gb: float | None) -> str:
    variants = _MEMORY_VARIANTS.get(family)
    if not variants:
        return family
    memory = memory_gb or 0
    return next(name for minimum, name in variants if memory >= minimum)


@lru_cache(maxsize=4096)
def normalize_gpu(name: str, memory_gb: float | None = None) -> str | None:
    """Canonical GPU name for a spelling from the data; None for empty / CPU.

    Memory written in the name wins over `memory_gb` (which may come from a buggy column).
    """
    cleaned = _clean(name or "")
    if cleaned in _NOT_A_GPU:
        return None
    family = _family_of(cleaned)
    if family is None:
        return cleaned
    return _variant(family, _memory_in_name(cleaned) or memory_gb)


def gpu_memory_gb(canonical: str | None) -> float | None:
    """Memory of one GPU in GB, or None when the model is unknown."""
    if not canonical:
        return None
    if canonical in GPU_MEMORY_GB:
        return float(GPU_MEMORY_GB[canonical])
    normalized = normalize_gpu(canonical)
    return float(GPU_MEMORY_GB[normalized]) if normalized in GPU_MEMORY_GB else None


def usable_memory_gib(gpu_model: str | None, listed_gb: float) -> float:
    """One GPU's usable memory in GiB (the CUDA total vLLM's utilisation multiplies): the GPU row's figure,
    else the rule applied to the GB an instance lists, with the most cautious memory type. The one place
    that answers "how much of this GPU can vLLM use" for callers that may hold an unknown GPU."""
    spec = gpu_spec(gpu_model)
    return spec.usable_memory_gib if spec is not None else usable_memory_rule(listed_gb, UNKNOWN_MEMORY_TYPE)


def gpu_spec(name: str | None) -> GpuSpec | None:
    """The spec of a GPU from any spelling ("NVIDIA H100 80GB HBM3", "a100-80g"); None when unknown.

    A bare family with memory variants ("A100") gets its default variant (A100-40GB), as in `normalize_gpu`.
    """
    if not name:
        return None
    spec = _CATALOG.specs.get(name)
    if spec is not None:
        return spec
    normalized = normalize_gpu(name)
    return _CATALOG.specs.get(normalized) if normalized else None


def all_gpu_specs() -> tuple[GpuSpec, ...]:
    """Every GPU row of ``gpus.yaml``, in file order."""
    return tuple(_CATALOG.specs.values())


def gpu_named(text: str) -> str:
    """The canonical GPU a filter names ("h100", "a100 80gb", "rtx 4090"); ValueError when the text names no
    GPU at all ("!!!", "%", a space, NUL): such a filter is refused, never dropped."""
    canonical = match_gpu_preference(text) or normalize_gpu(text)
    if not canonical:
        raise ValueError(f"gpu {text!r} names no GPU: give one such as H100, A100-80GB or 'rtx 4090'")
    return canonical


def gpu_matches(row_gpu: str | None, wanted: str) -> bool:
    """The named GPU and its variants ("A100" takes A100-80GB, "H100" takes H100-NVL), never a longer
    name ("L4" is not L40S): the rule the compute search uses to rule GPUs out."""
    name, wanted = (row_gpu or "").lower(), wanted.lower()
    return name == wanted or name.startswith(wanted + "-")


def match_gpu_preference(text: str) -> str | None:
    """First GPU mentioned in free user text ("two h100s", "a100 80gb", "RTX 4090"), canonical; else None.

    Looks at windows of up to three words starting at each word, so a size that follows the model
    ("a100 80 gb") picks the memory variant. Only known families match (no fallback names).
    Plurals work because a pattern may be followed by letters ("H100S").
    """
    tokens = re.findall(r"[A-Z0-9]+", (text or "").upper())
    for start, token in enumerate(tokens):
        if token in _VENDOR_WORDS:
            continue
        cleaned = _clean("-".join(tokens[start : start + 3]))
        family = _family_of(cleaned)
        if family is not None:
            memory = _memory_in_name(cleaned)
            # "A100" with no memory stated means any A100: the family name prefix-matches every variant.
            return _variant(family, memory) if memory or family not in _MEMORY_VARIANTS else family
    return None


# ---------------------------------------------------------------- free text (requirements lexicon)


def _free_text(pattern: str) -> str:
    """A family regex over cleaned spellings -> the same over lower/upper free text.

    A dash between tokens stands for a dash or a space ("-?" -> "[- ]?"); groups become non-capturing.
    Dashes inside character classes ("[2-5]") are ranges and stay.
    """
    out: list[str] = []
    in_class = escaped = False
    for i, char in enumerate(pattern):
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif in_class:
            out.append(char)
            in_class = char != "]"
        elif char == "[":
            out.append(char)
            in_class = True
        elif char == "-":
            out.append("[- ]")
        elif char == "(" and not pattern.startswith("(?", i):
            out.append("(?:")
        else:
            out.append(char)
    return "".join(out)


def gpu_name_regex() -> str:
    """Regex (use case-insensitively) for a GPU model named in free text: "H100", "nvidia a100 80gb",
    "RTX 4090", "amd instinct mi355x", "gaudi 3". Built from the families of ``gpus.yaml``; not
    anchored at the start, never followed by a digit."""
    vendors = "|".join(sorted(w.lower() for w in _VENDOR_WORDS))
    names = "|".join(f"(?:{_free_text(f.pattern)})" for f in _CATALOG.families)
    return rf"(?:(?:{vendors})\s+){{0,2}}(?:{names})(?![0-9])"
