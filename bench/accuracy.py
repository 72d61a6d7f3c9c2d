"""Error of the estimator against published measurements in ../shared/data/perf (memory and serving).

Rows are expressed with the model's architecture from the shipped catalog or, failing that, from
../shared/data/hf/llmfit_hf_models.json; rows whose model or GPU we cannot express are counted as skipped.
Serving rows: closed-loop rows are evaluated at their concurrency, open-loop rows at their request rate
(mean statistics only). Nothing here is fitted: the figures are what the estimator gives.
"""

from __future__ import annotations

import csv
import json
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path

from stack8s.agents.requirements.model_names import ModelLexicon
from stack8s.catalogs.gpus import gpu_spec
from stack8s.catalogs.kernels import ERROR_FILE, _nearest, _systems, load_tables
from stack8s.catalogs.shipped import default_paths, load_models
from stack8s.planning import performance as perf
from stack8s.planning.arch import ModelArch
from stack8s.planning.hardware import GpuSpec
from stack8s.planning.op_latency import KernelRef
from stack8s.planning.vllm_memory import (
    LINEAR_BYTES_PER_PARAM,
    WeightFormat,
    engine_profile,
    vllm_memory,
    weight_format,
)

LATENT_ATTENTION = frozenset({"deepseek_v2", "deepseek_v3", "kimi_k2", "glm_moe_dsa"})
"""Model types whose KV cache is a latent (MLA): config.json's kv_lora_rank decides its size."""


@dataclass
class Errors:
    values: dict[tuple[str, str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    skipped: int = 0
    oversubscribed: int = 0
    prefix_cached: int = 0
    beyond_kernels: int = 0
    per_model: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    per_gpu: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    engine_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    engine_compared: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    engine_expressible: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, source: str, engine: str, metric: str, estimate: float, measured: float) -> None:
        if measured > 0:
            self.values[(source, engine, metric)].append((estimate - measured) / measured)

    def by_model(self, metric: str) -> float | None:
        """MAPE averaged over models (each model's rows weigh as one), vLLM rows."""
        models = [100 * statistics.mean(abs(x) for x in v) for (m, k), v in self.per_model.items() if k == metric]
        return statistics.mean(models) if models else None

    def table(self) -> list[tuple[str, str, str, int, float, float]]:
        return [
            (s, e, m, len(v), 100 * statistics.mean(abs(x) for x in v), 100 * statistics.mean(v))
            for (s, e, m), v in sorted(self.values.items())
        ]


def architectures(shared: Path) -> dict[str, ModelArch]:
    result, _ = load_models(default_paths()["models"])
    archs = {r.model_id: a for r in result.rows if (a := ModelArch.from_record(r)) and r.num_layers}
    llmfit = shared / "data" / "hf" / "llmfit_hf_models.json"
    if llmfit.exists():
        for e in json.loads(llmfit.read_text()):
            name = e.get("name")
            if name in archs or not e.get("num_hidden_layers") or not e.get("parameters_raw"):
                continue
            if e.get("architecture") in LATENT_ATTENTION and not e.get("kv_lora_rank"):
                continue  # llmfit's excerpt has no kv_lora_rank: the latent KV cache cannot be expressed
            # llmfit keeps config.json's names, plus its own active_experts / active_parameters
            arch = ModelArch.from_hf_config(e["parameters_raw"] / 1e9, e)
            archs[name] = replace(
                arch,
                num_experts_per_tok=e.get("active_experts"),
                active_params_billion=(e.get("active_parameters") or 0) / 1e9 or None,
            )
    return archs


@cache
def _lexicon() -> ModelLexicon:
    result, _ = load_models(default_paths()["models"])
    return ModelLexicon.from_rows(result.rows)


def _arch(archs: dict[str, ModelArch], model: str) -> ModelArch | None:
    """The row's model as the product reads it: the catalog's own row, else the catalog row the planner's
    name resolver gives it (base / Instruct / -FP8 variants), else llmfit's config."""
    match = None if model in archs else _lexicon().resolve(model)
    return (archs.get(match.model_id) if match else None) or archs.get(model)


def memory_errors(shared: Path, archs: dict[str, ModelArch]) -> Errors:
    errors = Errors()
    for row in csv.DictReader((shared / "data" / "perf" / "memory.csv").open()):
        arch, gpu = _arch(archs, row["model"]), gpu_spec(row["gpu"])
        if arch is None or gpu is None or int(row["pipeline_parallel"] or 1) != 1:
            errors.skipped += 1
            continue
        quant = row["quantization"].split(" ")[0].lower()
        fmt = {
            "mxfp4": WeightFormat.mxfp4,
            "fp8": WeightFormat.fp8,
            "fp8-dynamic": WeightFormat.fp8,
            "gptq_marlin": WeightFormat.int4,
        }.get(quant)
        if quant == "compressed-tensors":
            fmt = WeightFormat.int8 if "w8a8" in row["model"].lower() else WeightFormat.fp8
        if fmt is None:
            fmt = WeightFormat.fp32 if row["dtype"] == "float32" else weight_format(None, arch.quantization)
        version = re.search(r"v(\d+\.\d+)", row["engine"])
        m = vllm_memory(
            arch,
            usable_gib=gpu.usable_memory_gib,
            tensor_parallel=int(row["tensor_parallel"]),
            fmt=fmt,
            kv_dtype="fp8" if row["kv_dtype"] == "fp8" else "auto",
            max_model_len=int(row["max_model_len"]),
            gpu_memory_utilization=float(row["gpu_memory_utilization"]),
            profile=engine_profile(version.group(1) if version else None),
        )
        src = row["source_id"]
        errors.add(src, "vllm", "weights_gib", m.weights_gib, float(row["weights_gib"]))
        errors.add(src, "vllm", "kv_cache_gib", m.kv_cache_gib, float(row["kv_cache_gib"]))
        if row["kv_cache_tokens"]:
            errors.add(src, "vllm", "kv_cache_tokens", m.kv_cache_tokens, float(row["kv_cache_tokens"]))
    return errors


def _beyond_kernels(row: dict[str, str], arch: ModelArch, gpu: GpuSpec, fmt: WeightFormat, tp: int) -> bool:
    """A closed-loop row whose own figures (requests/s = N / (TTFT + (out - 1) x TPOT)) imply more work per
    second than the GPU's measured GEMM kernels can do: each request's prompt and answer tokens need at
    least their dense GEMMs at the most efficient batch the tables hold (8,192 tokens), before any
    attention, communication or expert GEMM. Such a row cannot be what it says (e.g. vLLM's prefix cache
    served repeated random prompts), so it is counted apart, not compared. Without kernel data the bound
    is the dense peak."""
    if not (row["concurrency"] and row["ttft_ms"] and row["tpot_ms"]):
        return False
    i, o = float(row["input_tokens"]), float(row["output_tokens"])
    e2e = (float(row["ttft_ms"]) + (o - 1) * float(row["tpot_ms"])) / 1000
    device = perf._device(gpu)
    gemms, _ = perf._layer_gemms(arch, tp)
    best = perf.MAX_NUM_BATCHED_TOKENS
    weight_bytes = LINEAR_BYTES_PER_PARAM[fmt]
    per_token = sum(g.count * device.gemm_s(perf._gemm_dtype(fmt), best, g.n, g.k, weight_bytes) for g in gemms) / best
    return float(row["concurrency"]) / e2e * per_token * (i + o) > 1.0


def _format(row: dict[str, str]) -> WeightFormat:
    return {"fp8": WeightFormat.fp8, "int4": WeightFormat.int4, "fp4": WeightFormat.nvfp4}.get(
        row["precision"].lower(), WeightFormat.bf16
    )


def _expressible(row: dict[str, str], arch: ModelArch, gpu: GpuSpec) -> bool:
    """The estimator gives this row's model, GPU, precision and layout a figure (whether or not the row
    publishes a load to compare with): one tensor-parallel group that holds the model."""
    tp = int(row["tensor_parallel"] or row["gpu_count"] or 1)
    if int(row["gpu_count"] or tp) != tp:
        return False
    length = int(float(row["input_tokens"] or 0) + float(row["output_tokens"] or 0)) or 4096
    memory = vllm_memory(
        arch, usable_gib=gpu.usable_memory_gib, tensor_parallel=tp, fmt=_format(row), max_model_len=length
    )
    return memory.fits


def serving_errors(
    shared: Path, archs: dict[str, ModelArch], variant: Callable[[GpuSpec], GpuSpec | None] | None = None
) -> Errors:
    """Every serving row the estimator can express; `variant` swaps the GPU's kernel tables (method errors)."""
    errors = Errors()
    for row in csv.DictReader((shared / "data" / "perf" / "serving.csv").open()):
        engine = row["engine"].split(" ")[0].lower()
        errors.engine_rows[engine] += 1
        arch, gpu = _arch(archs, row["model"]), gpu_spec(row["gpu"])
        if variant is not None and gpu is not None:
            gpu = variant(gpu) if "vllm" in engine and row["source_id"] == "aic_silicon" else None
        if arch is not None and gpu is not None and _expressible(row, arch, gpu):
            errors.engine_expressible[engine] += 1
        if arch is None or gpu is None or not row["input_tokens"] or not row["tensor_parallel"]:
            errors.skipped += 1
            continue
        if row["concurrency"] == "" and (row["request_rate"] in ("", "inf") or row["stat"] != "mean"):
            errors.skipped += 1
            continue
        if "shared_prefix" in row["notes"]:
            # Multi-turn shared-prefix runs: vLLM's prefix cache serves most prompt tokens, and how many
            # were computed is not published (TTFT 45 ms for 574-token prompts on a 34B model).
            errors.prefix_cached += 1
            continue
        fmt = _format(row)
        tp = int(row["tensor_parallel"])
        if fmt is None or int(row["gpu_count"] or tp) != tp:
            errors.skipped += 1  # attention-DP and expert-parallel layouts are not expressed
            continue
        i, o = int(float(row["input_tokens"])), int(float(row["output_tokens"]))
        m = vllm_memory(
            arch,
            usable_gib=gpu.usable_memory_gib,
            tensor_parallel=tp,
            fmt=fmt,
            kv_dtype="fp8" if row["kv_dtype"] == "fp8" or "trtllm" in row["engine"] else "auto",
            max_model_len=i + o,
        )
        if not m.fits:
            errors.skipped += 1
            continue
        if _beyond_kernels(row, arch, gpu, fmt, tp):
            errors.beyond_kernels += 1
            continue
        model, work = perf.step_model(arch, gpu, m), perf.RequestShape(i, o)
        limit = max(perf.max_batch(m, work), 1)
        if row["concurrency"]:
            concurrency = float(row["concurrency"])
            if concurrency * (i + o / 2) > m.kv_cache_tokens:
                # The clients hold more sequences than the KV cache: vLLM preempts and recomputes, and
                # the figures depend on how long the run was. Counted apart, not compared.
                errors.oversubscribed += 1
                continue
            point = perf.evaluate(model, work, min(concurrency, limit))
        else:
            point, _ = perf.batch_for_rate(model, work, float(row["request_rate"]), limit)
        src = row["source_id"]
        errors.engine_compared[engine] += 1
        for metric, estimate in (
            ("ttft_ms", point.ttft_s * 1000),
            ("tpot_ms", point.itl_s * 1000),
            ("itl_ms", point.itl_s * 1000),
            ("output_tokens_per_s", point.output_tokens_per_s),
        ):
            if row[metric]:
                errors.add(src, engine, metric, estimate, float(row[metric]))
                if engine == "vllm" and float(row[metric]) > 0:
                    e = (estimate - float(row[metric])) / float(row[metric])
                    errors.per_model[(row["model"], metric)].append(e)
                    errors.per_gpu[(f"{gpu.name} ({perf.method_of(gpu)})", metric)].append(e)
    return errors


def errors(shared: Path) -> tuple[Errors, Errors]:
    archs = architectures(shared)
    return memory_errors(shared, archs), serving_errors(shared, archs)


def _transferred(gpu: GpuSpec) -> GpuSpec | None:
    """The GPU with its own tables withheld: the nearest other measured GPU's, scaled by the rooflines."""
    measured, _ = _systems()
    others = {s: spec for s, g in measured.items() if g != gpu.name and (spec := gpu_spec(g)) is not None}
    system = _nearest(gpu, others)
    if system is None:
        return None
    ref = KernelRef(system, False, lambda: load_tables(system))
    return replace(gpu, kernels=ref, expected_error=None)


def method_errors(shared: Path) -> dict[str, tuple[float, float, int]]:
    """(TTFT MAPE, TPOT MAPE, rows) of each method on the closed-loop vLLM rows: the GPU's own tables, another
    GPU's tables transferred, no tables (roofline)."""
    archs = architectures(shared)
    variants: dict[str, Callable[[GpuSpec], GpuSpec | None]] = {
        "kernel-measured": lambda g: g if g.kernels is not None and g.kernels.measured_on_this_gpu else None,
        "kernel-transferred": _transferred,
        "roofline": lambda g: replace(g, kernels=None, expected_error=None),
    }
    out = {}
    for method, variant in variants.items():
        e = serving_errors(shared, archs, variant)
        ttft = e.values.get(("aic_silicon", "vllm", "ttft_ms"), [])
        tpot = e.values.get(("aic_silicon", "vllm", "tpot_ms"), [])
        out[method] = (
            100 * statistics.mean(abs(x) for x in ttft) if ttft else math.nan,
            100 * statistics.mean(abs(x) for x in tpot) if tpot else math.nan,
            len(ttft),
        )
    return out


def write_error_file(figures: dict[str, tuple[float, float, int]]) -> None:
    text = ERROR_FILE.read_text()
    head = text[: text.index("as_of:")]
    lines = [f'as_of: "{date.today().isoformat()}"', f'source: "{ERROR_SOURCE}"', "methods:"]
    for method, (ttft, tpot, rows) in figures.items():
        lines.append(f"  {method}: {{ttft_error_pct: {ttft:.0f}, tpot_error_pct: {tpot:.0f}, rows: {rows}}}")
    ERROR_FILE.write_text(head + "\n".join(lines) + "\n")


ERROR_SOURCE = "bench/accuracy.py against ../shared/data/perf/serving.csv (vLLM rows)"


def report(shared: Path) -> list[tuple[str, str, str, int, float, float]]:
    memory, serving = errors(shared)
    return memory.table() + serving.table()


if __name__ == "__main__":
    import sys

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    shared_dir = Path(args[0] if args else "../shared")
    memory, serving = errors(shared_dir)
    print("| source | engine | metric | rows | MAPE % | bias % |")
    print("|---|---|---|---|---|---|")
    for s, e, m, n, mape, bias in memory.table() + serving.table():
        print(f"| {s} | {e} | {m} | {n} | {mape:.1f} | {bias:+.1f} |")
    print(f"rows not expressible (model, GPU, layout or statistic): memory {memory.skipped}, serving {serving.skipped}")
    print(f"serving rows whose clients oversubscribe the KV cache (preemption, not compared): {serving.oversubscribed}")
    print(f"serving rows served from a shared prefix cache (not compared): {serving.prefix_cached}")
    print(f"rows needing more than the measured GEMM kernels can do (not compared): {serving.beyond_kernels}")
    rows, compared = serving.engine_rows["vllm"], serving.engine_compared["vllm"]
    expressible = serving.engine_expressible["vllm"]
    print(
        f"\nvLLM rows the estimator expresses (model, GPU, precision, layout): {expressible} of {rows}"
        f" ({100 * expressible / max(rows, 1):.0f}%)"
    )
    print(f"vLLM rows compared (a published load and a mean or unstated statistic): {compared} of {rows}")
    for metric in ("ttft_ms", "tpot_ms", "output_tokens_per_s"):
        value = serving.by_model(metric)
        print(f"vLLM {metric}, MAPE averaged over models: " + (f"{value:.1f}%" if value is not None else "no rows"))
    print("\n| GPU (method) | metric | rows | MAPE % | bias % |\n|---|---|---|---|---|")
    for (g, metric), v in sorted(serving.per_gpu.items()):
        mape, bias = 100 * statistics.mean(abs(x) for x in v), 100 * statistics.mean(v)
        print(f"| {g} | {metric} | {len(v)} | {mape:.1f} | {bias:+.1f} |")
    figures = method_errors(shared_dir)
    print("\n| method (same vLLM rows) | rows | TTFT MAPE % | TPOT MAPE % |\n|---|---|---|---|")
    for method, (ttft, tpot, rows) in figures.items():
        print(f"| {method} | {rows} | {ttft:.1f} | {tpot:.1f} |")
    if "--write" in sys.argv:
        write_error_file(figures)
        print(f"wrote {ERROR_FILE}")
