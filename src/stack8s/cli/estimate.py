"""`stack8s estimate`: the performance estimator in a terminal (no server, no database: the shipped
catalog's architecture facts or a config.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from stack8s.planning.arch import ModelArch
    from stack8s.tools.estimate import Architecture


def _arch_from(model_id: str | None, config: Path | None) -> tuple[ModelArch, Architecture | None]:
    """The model's architecture: from a config.json-style file, or from the shipped catalog's row."""
    from stack8s.catalogs.shipped import default_paths, load_models
    from stack8s.planning.arch import ModelArch
    from stack8s.tools.estimate import Architecture, architecture_of

    if config is not None:
        inline = Architecture.model_validate(json.loads(config.read_text()))
        return architecture_of(inline), inline
    result, _ = load_models(default_paths()["models"])
    row = next((r for r in result.rows if r.model_id.lower() == (model_id or "").lower()), None)
    arch = ModelArch.from_record(row) if row is not None else None
    if arch is None or arch.num_layers is None:
        raise typer.BadParameter(f"no architecture for {model_id!r} in the shipped catalog; pass --config")
    return arch, None


def estimate(
    gpu: str = typer.Option(..., help="H100, A100-80GB, L4, ..."),
    model_id: str | None = typer.Option(None, "--model-id", help="a catalog model id"),
    config: Path | None = typer.Option(None, help="JSON with config.json fields + params_billion"),
    tensor_parallel: int = typer.Option(1, "--tp", min=1),
    precision: str | None = typer.Option(None, help="fp16 | bf16 | fp8 | int8 | int4 | mxfp4"),
    kv_dtype: str = typer.Option("auto", help="auto | fp8"),
    input_tokens: int = typer.Option(1024, min=1),
    output_tokens: int = typer.Option(256, min=1),
    concurrency: int | None = typer.Option(None, min=1),
    request_rate: float | None = typer.Option(None, min=0.0001),
    max_model_len: int | None = typer.Option(None, min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Estimate TTFT, ITL, throughput and vLLM's memory split for one model on one GPU type."""
    from pydantic import ValidationError

    from stack8s.catalogs.gpus import gpu_spec
    from stack8s.errors import Stack8sError
    from stack8s.tools.estimate import EstimateRequest, run

    if (model_id is None) == (config is None):
        raise typer.BadParameter("give --model-id or --config")
    arch, inline = _arch_from(model_id, config)
    try:
        body = EstimateRequest(
            model_id=model_id if inline is None else None,
            architecture=inline,
            gpu=gpu,
            tensor_parallel=tensor_parallel,
            precision=precision,
            kv_dtype=kv_dtype,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            concurrency=concurrency,
            request_rate=request_rate,
            max_model_len=max_model_len,
        )
        spec = gpu_spec(gpu)
        if spec is None:
            raise typer.BadParameter(f"unknown GPU {gpu!r}")
        result = run(arch, body, spec, model_id)
    except (ValidationError, Stack8sError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    m = result.memory
    typer.echo(
        f"{result.model_id or 'model'} on {result.tensor_parallel} x {result.gpu}: TTFT {result.ttft_ms:,.1f} ms, "
        f"ITL {result.itl_ms:.2f} ms, {result.output_tokens_per_s:,.1f} output tokens/s, "
        f"{result.requests_per_s:.3g} requests/s at concurrency {result.concurrency:g}"
        + (" (saturated)" if result.saturated else "")
    )
    typer.echo(
        f"memory per GPU: weights {m.weights_gib:.2f} GiB, activation {m.activation_gib:.2f}, non-torch "
        f"{m.non_torch_gib:.2f}, KV cache {m.kv_cache_gib:.2f} GiB = {m.kv_cache_tokens:,} tokens; "
        f"up to {result.max_concurrent_sequences} sequences of {input_tokens + output_tokens:,} tokens"
    )
