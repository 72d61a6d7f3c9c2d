"""Canonical GPU names, their per-GPU memory, and the mapping from the many spellings found in data.

Everything is table driven:

* `GPU_MEMORY_GB` – canonical name -> memory of one GPU in GB (vendor spec sheets).
* `_FAMILY_PATTERNS` – ordered regexes over a cleaned, dash-separated upper-case spelling
  (e.g. ``"NVIDIA H100 80GB HBM3"`` -> ``"H100-80GB-HBM3"``) -> canonical name (template).
  The first match wins, so more specific patterns come first (``L40S`` before ``L40`` before ``L4``).
* `_MEMORY_VARIANTS` – families whose canonical name depends on the memory size (A100, V100, H100).
  The memory comes from the name itself (``A100-80GB``) or else from the ``memory_gb`` argument.

A spelling that matches no pattern keeps its cleaned upper-case form (``"tpu v5p"`` -> ``"TPU-V5P"``),
so `normalize_gpu` is idempotent: ``normalize_gpu(normalize_gpu(x)) == normalize_gpu(x)``.
"""

from __future__ import annotations

import re
from functools import lru_cache

GPU_MEMORY_GB: dict[str, float] = {
    # NVIDIA data centre
    "T4": 16,
    "L4": 24,
    "A10G": 24,
    "A10": 24,
    "A16": 16,
    "A30": 24,
    "A40": 48,
    "L40S": 48,
    "L40": 48,
    "V100": 16,
    "V100-32GB": 32,
    "P100": 16,
    "P40": 24,
    "P4": 8,
    "K80": 12,
    "K520": 4,
    "M60": 8,
    "A100-40GB": 40,
    "A100-80GB": 80,
    "H100": 80,
    "H100-NVL": 94,
    "H20": 96,
    "H200": 141,
    "GH200": 96,
    "B200": 180,
    "B300": 288,
    "GB200": 186,
    "GB300": 288,
    # NVIDIA workstation / consumer
    "RTX-A6000": 48,
    "A5000": 24,
    "A4000": 16,
    "P4000": 8,
    "M4000": 8,
    "RTX-6000": 24,
    "RTX-6000-Ada": 48,
    "RTX-5880-Ada": 48,
    "RTX-PRO-6000": 96,
    "RTX-3060": 12,
    "RTX-3070": 8,
    "RTX-3080": 10,
    "RTX-3090": 24,
    "RTX-4060": 8,
    "RTX-4070": 12,
    "RTX-4080": 16,
    "RTX-4090": 24,
    "RTX-5070": 12,
    "RTX-5080": 16,
    "RTX-5090": 32,
    # AMD / Intel
    "MI25": 16,
    "MI100": 32,
    "MI210": 64,
    "MI250": 128,
    "MI250X": 128,
    "MI300X": 192,
    "MI325X": 256,
    "MI355X": 288,
    "RADEON-PRO-V520": 8,
    "Gaudi2": 96,
    "Gaudi3": 128,
}

# Ordered (regex, canonical template). Regexes are anchored at the start and may not be followed by a digit.
_FAMILY_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"GH200", "GH200"),
    (r"GB200", "GB200"),
    (r"GB300", "GB300"),
    (r"H100-?NVL(?!INK)", "H100-NVL"),
    (r"H100", "H100"),
    (r"H200", "H200"),
    (r"H20", "H20"),
    (r"B200", "B200"),
    (r"B300", "B300"),
    (r"A100", "A100"),
    (r"A10G", "A10G"),
    (r"A10", "A10"),
    (r"A16", "A16"),
    (r"A30", "A30"),
    (r"A40", "A40"),
    (r"(?:RTX-?)?A4000", "A4000"),
    (r"(?:RTX-?)?A5000", "A5000"),
    (r"(?:RTX-?)?A6000", "RTX-A6000"),
    (r"RTX-?PRO-?6000", "RTX-PRO-6000"),
    (r"RTX-?6000-?ADA", "RTX-6000-Ada"),
    (r"RTX-?(\d{4})-?ADA", r"RTX-\1-Ada"),
    (r"RTX-?6000", "RTX-6000"),
    (r"(?:RTX-?)?([2-5]0[5-9]0)", r"RTX-\1"),
    (r"L40S", "L40S"),
    (r"L40", "L40"),
    (r"L4", "L4"),
    (r"T4", "T4"),
    (r"V100", "V100"),
    (r"P100", "P100"),
    (r"P4000", "P4000"),
    (r"P40", "P40"),
    (r"P4", "P4"),
    (r"M4000", "M4000"),
    (r"M60", "M60"),
    (r"K80", "K80"),
    (r"K520", "K520"),
    (r"MI(\d{2,3}X?)", r"MI\1"),
    (r"GAUDI-?(\d)", r"Gaudi\1"),
    (r"RADEON-?PRO-?V520", "RADEON-PRO-V520"),
)
_COMPILED = tuple((re.compile(rf"^(?:{regex})(?![0-9])"), template) for regex, template in _FAMILY_PATTERNS)

# family -> ((minimum GB, canonical), ...) checked in order; the last entry is the default.
_MEMORY_VARIANTS: dict[str, tuple[tuple[float, str], ...]] = {
    "A100": ((60, "A100-80GB"), (0, "A100-40GB")),
    "V100": ((24, "V100-32GB"), (0, "V100")),
    "H100": ((90, "H100-NVL"), (0, "H100")),
}

_VENDOR_WORDS = frozenset({"NVIDIA", "TESLA", "AMD", "INSTINCT", "INTEL", "HABANA", "GEFORCE", "GRID", "QUADRO"})
_NOT_A_GPU = frozenset({"", "CPU", "NONE", "NULL", "NAN", "NA", "N-A"})
_MEMORY_IN_NAME = re.compile(r"(?:^|-)(\d{2,3})-?G(?:I?B)?(?=-|$)")


def _clean(name: str) -> str:
    """Upper-case alphanumeric tokens without vendor words, joined by dashes."""
    tokens = re.findall(r"[A-Z0-9]+", name.upper())
    return "-".join(t for t in tokens if t not in _VENDOR_WORDS)


def _memory_in_name(cleaned: str) -> float | None:
    found = _MEMORY_IN_NAME.search(cleaned)
    return float(found.group(1)) if found else None


def _family(cleaned: str) -> str | None:
    for regex, template in _COMPILED:
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
    family = _family(cleaned)
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
        family = _family(cleaned)
        if family is not None:
            memory = _memory_in_name(cleaned)
            # "A100" with no memory stated means any A100: the family name prefix-matches every variant.
            return _variant(family, memory) if memory or family not in _MEMORY_VARIANTS else family
    return None
