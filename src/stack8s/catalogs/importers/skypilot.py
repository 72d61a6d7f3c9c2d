"""Instance catalogs: SkyPilot-format `vms.csv` files and the AWS GPU list from instances.vantage.sh.

Rules (see shared/data/README.md for the quirks they handle):

* Columns are read by header name; rows with more fields than the header (Azure's ``V1,V2``) are fine,
  rows with fewer are errors.
* ``GpuInfo`` is a Python literal, JSON (Verda, with ``null``), lower-case keys (DigitalOcean) or just a
  name (IBM, Paperspace, Azure). Per-GPU memory comes from ``MemoryInfo.SizeInMiB``; values below 1024
  are already GB (Shadeform); 0 or missing -> the canonical table (`gpus.GPU_MEMORY_GB`).
  ``TotalGpuMemoryInMiB`` is ignored (wrong in DigitalOcean, Lambda and Shadeform).
* GPU counts may be floats ("1.0"); a fractional count (Azure NV*ads_A10_v5, AWS g6f: a GPU slice)
  cannot be an integer GPU count and is reported as a RowError.
* GCP: accelerator-only rows (empty InstanceType) price one accelerator bundle per zone. Host rows of
  GPU-bundled families (`_GCP_BUNDLES`) are priced host + the matching accelerator row of the same zone,
  as SkyPilot does; TPU rows and other attachable GPUs (n1 + T4 ...) produce no rows of their own,
  and SkyPilot's TPU-VM host pseudo types (``*-tpu``) are skipped with a note.
* One row per (provider, instance_type, region): the cheapest zone's on-demand price wins; the spot
  price is the cheapest spot price over the region's zones. Spot prices <= 0 (Vast's ``0.00``) -> None.
* Vast's free-text regions lose leading/trailing commas and spaces (``", US, NA"`` -> ``"US, NA"``).
* An instance type that says PCIe names a PCIe card even when its accelerator column does not (Lambda
  ``gpu_1x_h100_pcie``: "H100"; Vast ``2x-A100_PCIE-...``: "A100"): the GPU is read as "<accelerator> PCIe",
  which `normalize_gpu` maps to the PCIe row (H100-PCIE, A100-PCIE-*) when the GPU catalog has one.
* Instance types whose card is documented but spelled like the faster part (`_CARD_BY_TYPE`): Azure's
  NC(C)ads H100 v5 family is the H100 NVL (94 GB, PCIe), listed as plain "H100".
"""

from __future__ import annotations

import ast
import csv
import json
import logging
import math
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from stack8s.catalogs.gpus import gpu_memory_gb, gpu_spec, normalize_gpu
from stack8s.catalogs.importers.base import ImportResult, RowError, RowProblem, as_float
from stack8s.catalogs.rows import InstanceRow

log = logging.getLogger(__name__)

# GCP machine family -> (accelerator row name, GPU count from the machine's number, or a fixed map).
_G2_L4_COUNT = {4: 1, 8: 1, 12: 1, 16: 1, 32: 1, 24: 2, 48: 4, 96: 8}
_GCP_BUNDLES: tuple[tuple[re.Pattern[str], str, dict[int, int] | None], ...] = (
    (re.compile(r"^a2-(?:highgpu|megagpu)-(\d+)g$"), "A100", None),
    (re.compile(r"^a2-ultragpu-(\d+)g$"), "A100-80GB", None),
    (re.compile(r"^a3-(?:highgpu|edgegpu)-(\d+)g(?:-nolssd)?$"), "H100", None),
    (re.compile(r"^a3-megagpu-(\d+)g$"), "H100-MEGA", None),
    (re.compile(r"^a3-ultragpu-(\d+)g(?:-nolssd)?$"), "H200", None),
    (re.compile(r"^a4-highgpu-(\d+)g$"), "B200", None),
    (re.compile(r"^g2-standard-(\d+)$"), "L4", _G2_L4_COUNT),
)
# SkyPilot's pseudo machine types for TPU-VM hosts (e.g. n1-340-48-tpu): not orderable VMs.
_TPU_HOST = re.compile(r"-tpu$")
_NON_GPU_ACCELERATOR = re.compile(r"inferentia|trainium|qualcomm", re.IGNORECASE)
_SIZE = re.compile(r"([\d.]+)\s*(TiB|TB|GiB|GB|MiB|MB)\b", re.IGNORECASE)
_SIZE_FACTOR = {"tib": 1024.0, "tb": 1000.0, "gib": 1.0, "gb": 1.0, "mib": 1 / 1024, "mb": 1 / 1000}
_PCIE_WORD = re.compile(r"(?<![a-z0-9])pcie(?![a-z0-9])", re.IGNORECASE)
# Microsoft Learn, "NCads H100 v5 sizes series" (NC40ads/NC80adis) and the NCCads H100 v5 confidential series:
# NVIDIA H100 NVL, 94 GB per GPU (the shipped instances.csv lists them as H100-NVL too).
_CARD_BY_TYPE: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^Standard_NCC?\d+adi?s_H100_v5$"), "H100", "H100 NVL"),
)


@dataclass(frozen=True, slots=True)
class _Context:
    file: str
    provider: str
    source: str
    as_of: date


@dataclass(frozen=True, slots=True)
class _Offer:
    """One priced row before deduplication; `zone` only matters for GCP bundling."""

    row: InstanceRow
    zone: str


@dataclass(frozen=True, slots=True)
class _Accelerator:
    """A GCP accelerator-only row: price of `count` accelerators in one zone."""

    name: str
    count: int
    zone: str
    price: float
    spot: float | None
    memory_gb: float | None


# ---------------------------------------------------------------- small value parsers


def _number(record: dict[str, str], column: str, default: float | None = None) -> float | None:
    value = as_float(record.get(column), column)
    return default if value is None else value


def _gpu_count(value: float | None, column: str = "AcceleratorCount") -> int:
    if value is None:
        return 0
    if value != int(value):
        raise RowProblem(f"fractional {column} {value:g} (a GPU slice) is not supported")
    return int(value)


def _spot(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def _region(text: str) -> str:
    return text.strip().strip(",").strip()


def _mib_to_gb(value: Any) -> float | None:
    """Per-GPU memory: MiB -> GB; values under 1024 are taken as GB already (Shadeform); 0 -> unknown."""
    if not isinstance(value, int | float) or value <= 0:
        return None
    return float(value) if value < 1024 else round(value / 1024, 1)


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


@lru_cache(maxsize=2048)
def _gpu_info(text: str) -> tuple[str | None, float | None]:
    """(GPU name, per-GPU memory GB) from a GpuInfo cell."""
    text = text.strip()
    if not text:
        return None, None
    if not text.startswith("{"):
        return text, None
    data = _lower_keys(_literal(text))
    gpus = data.get("gpus") if isinstance(data, dict) else None
    first = gpus[0] if isinstance(gpus, list) and gpus and isinstance(gpus[0], dict) else {}
    memory = first.get("memoryinfo") or {}
    return first.get("name"), _mib_to_gb(memory.get("sizeinmib") if isinstance(memory, dict) else None)


def _literal(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(re.sub(r"\bnull\b", "None", text))
    except (ValueError, SyntaxError):
        raise RowProblem(f"unparseable GpuInfo {text[:60]!r}") from None


# ---------------------------------------------------------------- rows


def _gpu_fields(name: str | None, count: int, memory: float | None) -> dict[str, Any]:
    """gpu_model / gpu_count / vram fields of a row; CPU-only when there is no name or no count."""
    memory = _choose_memory(name or "", memory, count, value_is_total=False)
    model = normalize_gpu(name, memory) if name and count else None
    if model is None:
        return {"gpu_model": None, "gpu_count": 0, "vram_per_gpu_gb": 0.0, "total_vram_gb": 0.0}
    per_gpu = memory or gpu_memory_gb(model) or 0.0
    return {
        "gpu_model": model,
        "gpu_count": count,
        "vram_per_gpu_gb": per_gpu,
        "total_vram_gb": round(per_gpu * count, 2),
    }


def _make_row(
    ctx: _Context,
    instance_type: str,
    region: str,
    gpu: tuple[str | None, int, float | None],
    specs: tuple[float, float],
    prices: tuple[float, float | None],
) -> InstanceRow:
    return InstanceRow(
        provider=ctx.provider,
        instance_type=instance_type,
        region=region,
        **_gpu_fields(*gpu),
        vcpu=specs[0],
        ram_gb=specs[1],
        price_hourly_usd=prices[0],
        spot_price_hourly_usd=prices[1],
        source=ctx.source,
        as_of=ctx.as_of,
    )


def _price(record: dict[str, str]) -> tuple[float, float | None]:
    price = _number(record, "Price")
    spot = _spot(_number(record, "SpotPrice"))
    if price is None:
        raise RowProblem("no on-demand Price (only a SpotPrice)" if spot else "empty Price")
    return price, spot


def _accelerator_name(accelerator: str, instance_type: str, memory: float | None) -> str:
    """The accelerator column, told "PCIe" when only the instance type says so and the GPU catalog has a
    PCIe row for it ("H100" in gpu_1x_h100_pcie -> "H100 PCIe" -> H100-PCIE), or the documented card of the
    instance type (`_CARD_BY_TYPE`)."""
    for regex, listed, card in _CARD_BY_TYPE:
        if accelerator == listed and regex.match(instance_type):
            return card
    if not accelerator or not _PCIE_WORD.search(instance_type) or _PCIE_WORD.search(accelerator):
        return accelerator
    pcie = f"{accelerator} PCIe"
    return pcie if gpu_spec(normalize_gpu(pcie, memory)) is not None else accelerator


def _parse_record(record: dict[str, str], ctx: _Context) -> _Offer | _Accelerator:
    instance_type = (record.get("InstanceType") or "").strip()
    accelerator = (record.get("AcceleratorName") or "").strip()
    region = _region(record.get("Region") or "")
    if not region:
        raise RowProblem("empty Region")
    prices = _price(record)
    count = _gpu_count(_number(record, "AcceleratorCount"))
    memory = _gpu_info(record.get("GpuInfo") or "")[1]
    zone = (record.get("AvailabilityZone") or "").strip() or region
    if not instance_type:
        if not accelerator:
            raise RowProblem("empty InstanceType")
        return _Accelerator(accelerator, max(count, 1), zone, prices[0], prices[1], memory)
    specs = (_number(record, "vCPUs", 0.0) or 0.0, _number(record, "MemoryGiB", 0.0) or 0.0)
    accelerator = _accelerator_name(accelerator, instance_type, memory)
    gpu = (accelerator or None, max(count, 1) if accelerator else 0, memory)
    return _Offer(_make_row(ctx, instance_type, region, gpu, specs, prices), zone)


def _read_records(path: Path) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line number, record by header name) or (line number, error message) per CSV row."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        for fields in reader:
            if not fields or not any(f.strip() for f in fields):
                continue
            if len(fields) < len(header):
                yield reader.line_num, f"{len(fields)} fields, header has {len(header)}"
                continue
            yield reader.line_num, dict(zip(header, fields, strict=False))


# ---------------------------------------------------------------- GCP bundles


def _bundle(instance_type: str) -> tuple[str, int] | None:
    for regex, accelerator, count_map in _GCP_BUNDLES:
        found = regex.match(instance_type)
        if found:
            number = int(found.group(1))
            return accelerator, count_map.get(number, 0) if count_map else number
    return None


def _bundled(offer: _Offer, accelerators: dict[tuple[str, int, str], _Accelerator]) -> _Offer | str:
    """Host + accelerator price for a GPU-bundled GCP machine, or an error message."""
    row = offer.row
    bundle = _bundle(row.instance_type)
    if bundle is None or row.gpu_model is not None:
        return offer
    name, count = bundle
    acc = accelerators.get((name, count, offer.zone))
    if acc is None:
        return f"no {name} x{count} accelerator price in zone {offer.zone} for {row.instance_type}"
    spot = row.spot_price_hourly_usd + acc.spot if row.spot_price_hourly_usd and acc.spot else None
    price = round(row.price_hourly_usd + acc.price, 5)
    spot = round(spot, 5) if spot else None
    gpu = _gpu_fields(name, count, acc.memory_gb)
    return _Offer(replace(row, **gpu, price_hourly_usd=price, spot_price_hourly_usd=spot), offer.zone)


def _apply_bundles(
    offers: list[tuple[int, _Offer]], accelerators: list[_Accelerator], file: str
) -> tuple[list[InstanceRow], list[RowError]]:
    if not accelerators:
        return [o.row for _, o in offers], []
    index = {(a.name, a.count, a.zone): a for a in accelerators}
    rows, errors = [], []
    for line, offer in offers:
        result = _bundled(offer, index)
        if isinstance(result, str):
            errors.append(RowError(file, line, result))
        else:
            rows.append(result.row)
    return rows, errors


# ---------------------------------------------------------------- dedupe, provider, entry points


def dedupe(rows: Iterable[InstanceRow]) -> list[InstanceRow]:
    """One row per (provider, instance_type, region): cheapest on-demand row, cheapest spot price."""
    best: dict[tuple[str, str, str], InstanceRow] = {}
    for row in rows:
        key = (row.provider, row.instance_type, row.region)
        current = best.get(key)
        best[key] = row if current is None else _cheaper(current, row)
    return list(best.values())


def _cheaper(a: InstanceRow, b: InstanceRow) -> InstanceRow:
    keep = a if a.price_hourly_usd <= b.price_hourly_usd else b
    spots = [s for s in (a.spot_price_hourly_usd, b.spot_price_hourly_usd) if s is not None]
    spot = min(spots) if spots else None
    return keep if keep.spot_price_hourly_usd == spot else replace(keep, spot_price_hourly_usd=spot)


def provider_from_path(path: Path) -> str:
    """`aws_vms.csv` -> aws; `<cloud>/vms.csv` -> cloud; otherwise the file stem."""
    stem = path.stem.lower()
    if stem == "vms":
        return path.parent.name.lower()
    return stem.removesuffix("_vms").removesuffix("-vms")


def _file_date(path: Path) -> date:
    """The date of the file's prices: its last commit's date when it sits in a git checkout (a fresh clone's
    files all carry the clone's time), else the file's modification time; never simply the import day."""
    return _commit_date(path) or date.fromtimestamp(path.stat().st_mtime)


def _commit_date(path: Path) -> date | None:
    """Committer date of the last commit touching `path` (read-only `git log`); None outside a checkout,
    for an uncommitted file or without git."""
    try:
        done = subprocess.run(
            ["git", "-C", str(path.parent.resolve()), "log", "-1", "--format=%cs", "--", path.name],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    try:
        return date.fromisoformat(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None
    except ValueError:
        return None


def parse_skypilot_csv(path: Path, provider: str | None = None, as_of: date | None = None) -> ImportResult[InstanceRow]:
    """Parse one SkyPilot `vms.csv`; bad rows become RowErrors (file, 1-based line)."""
    path = Path(path)
    provider = provider or provider_from_path(path)
    ctx = _Context(path.name, provider, f"skypilot:{path.name}", as_of or _file_date(path))
    result: ImportResult[InstanceRow] = ImportResult()
    offers: list[tuple[int, _Offer]] = []
    accelerators: list[_Accelerator] = []
    tpu_hosts = 0
    for line, record in _read_records(path):
        if not isinstance(record, str) and _TPU_HOST.search(record.get("InstanceType") or ""):
            tpu_hosts += 1
            continue
        try:
            if isinstance(record, str):
                raise RowProblem(record)
            parsed = _parse_record(record, ctx)
        except RowProblem as problem:
            result.errors.append(RowError(ctx.file, line, str(problem)))
            continue
        (accelerators.append(parsed) if isinstance(parsed, _Accelerator) else offers.append((line, parsed)))
    rows, bundle_errors = _apply_bundles(offers, accelerators, ctx.file)
    result.rows = dedupe(rows)
    result.errors.extend(bundle_errors)
    if tpu_hosts:
        result.notes.append(f"{ctx.file}: skipped {tpu_hosts} TPU-VM host rows (*-tpu)")
    _log_result(ctx.file, result)
    return result


def _log_result(file: str, result: ImportResult[InstanceRow]) -> None:
    log.info("catalog.import file=%s rows=%d errors=%d", file, len(result.rows), len(result.errors))


# ---------------------------------------------------------------- AWS (instances.vantage.sh JSON)


def _size_gb(text: Any) -> float | None:
    found = _SIZE.search(str(text or ""))
    return float(found.group(1)) * _SIZE_FACTOR[found.group(2).lower()] if found else None


def _choose_memory(gpu: str, value: float | None, count: int, value_is_total: bool) -> float | None:
    """Per-GPU memory from a value that should be per GPU (CSV) or total (vantage) but is not always:
    Vast's `SizeInMiB` is the total, vantage's `gpuMemory` is per GPU on g4dn/g5/p3. Of the two readings
    (value, value/count) keep the one closer to the canonical table; the stated meaning if unknown."""
    if value is None or count <= 1:
        return value
    stated, other = (value / count, value) if value_is_total else (value, value / count)

    def distance(candidate: float) -> float:
        reference = gpu_memory_gb(normalize_gpu(gpu, candidate))
        return abs(math.log(candidate / reference)) if reference and candidate > 0 else 0.0

    best: float = min((stated, other), key=distance)
    return round(best, 1)


def _json_lines(text: str) -> dict[str, int]:
    """Line of each `"name": "..."` in the pretty-printed file, for error messages."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        found = re.match(r'\s*"name":\s*"([^"]+)"', line)
        if found:
            lines.setdefault(found.group(1), number)
    return lines


def _vantage_rows(entry: dict[str, Any], ctx: _Context) -> tuple[list[InstanceRow], list[str]]:
    """Rows of one instance type (one per priced region) and the problems of single regions."""
    name = str(entry.get("apiName") or entry.get("name") or "").strip()
    if not name:
        raise RowProblem("entry without name")
    gpu = str(entry.get("gpu") or "")
    count = _gpu_count(as_float(entry.get("gpuCount"), "gpuCount"), "gpuCount")
    memory = _choose_memory(gpu, _size_gb(entry.get("gpuMemory")), count, value_is_total=True)
    specs = (as_float(entry.get("vcpu"), "vcpu") or 0.0, _size_gb(entry.get("memory")) or 0.0)
    rows, problems = [], []
    for region, prices in sorted((entry.get("pricing") or {}).items()):
        try:
            price = as_float((prices or {}).get("onDemand"), f"onDemand price of {name} in {region}")
        except RowProblem as problem:
            problems.append(str(problem))
            continue
        if price is not None:
            rows.append(_make_row(ctx, name, region, (gpu or None, count, memory), specs, (price, None)))
    return rows, problems


def parse_aws_vantage_json(path: Path, as_of: date | None = None) -> ImportResult[InstanceRow]:
    """AWS GPU instances from instances.vantage.sh (one row per priced region; no spot prices).

    Inferentia / Trainium / Qualcomm accelerators are not GPUs and are skipped (logged, not errors);
    entries with empty `pricing` produce no rows.
    """
    path = Path(path)
    ctx = _Context(path.name, "aws", f"aws-vantage:{path.name}", as_of or _file_date(path))
    result: ImportResult[InstanceRow] = ImportResult()
    text = path.read_text(encoding="utf-8")
    try:
        entries = json.loads(text)
    except ValueError as exc:
        result.errors.append(RowError(ctx.file, getattr(exc, "lineno", 0), f"invalid JSON: {exc}"))
        return result
    if not isinstance(entries, list):
        result.errors.append(RowError(ctx.file, 1, "expected a JSON array of instances"))
        return result
    _collect_vantage(entries, ctx, _json_lines(text), result)
    result.rows = dedupe(result.rows)
    _log_result(ctx.file, result)
    return result


def _collect_vantage(
    entries: list[Any], ctx: _Context, lines: dict[str, int], result: ImportResult[InstanceRow]
) -> None:
    skipped = []
    for entry in entries:
        name = str(entry.get("name", "")) if isinstance(entry, dict) else ""
        if isinstance(entry, dict) and _NON_GPU_ACCELERATOR.search(str(entry.get("gpu") or "")):
            skipped.append(name)
            continue
        try:
            if not isinstance(entry, dict):
                raise RowProblem("entry is not an object")
            rows, problems = _vantage_rows(entry, ctx)
        except RowProblem as problem:
            rows, problems = [], [str(problem)]
        result.rows.extend(rows)
        result.errors.extend(RowError(ctx.file, lines.get(name, 0), message) for message in problems)
    if skipped:
        result.notes.append(f"{ctx.file}: skipped {len(skipped)} non-GPU accelerator instance types")
        log.info("catalog.import.skip file=%s non_gpu=%d", ctx.file, len(skipped))


def _instance_files(folder: Path) -> list[Path]:
    files = [p for p in folder.rglob("*") if p.is_file() and p.name != "common_accelerators.csv"]
    return sorted(p for p in files if p.name.endswith("vms.csv") or p.suffix == ".json")


def parse_instances(path: Path, as_of: date | None = None) -> ImportResult[InstanceRow]:
    """A `.csv` (SkyPilot), a `.json` (vantage AWS) or a folder of them (recursively). Rows are dated
    `as_of` when given, else by each file's commit date or modification time (`_file_date`)."""
    path = Path(path)
    if path.is_dir():
        result: ImportResult[InstanceRow] = ImportResult()
        for file in _instance_files(path):
            result.extend(parse_instances(file, as_of))
        result.rows = dedupe(result.rows)
        return result
    if path.suffix.lower() == ".json":
        return parse_aws_vantage_json(path, as_of)
    if path.suffix.lower() == ".csv":
        return parse_skypilot_csv(path, as_of=as_of)
    message = "unsupported instance file type (want .csv or .json)"
    return ImportResult(errors=[RowError(path.name, 0, message)])
