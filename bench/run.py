"""`make bench`: latency and throughput figures, printed. Not a test: it measures.

1. imports ../shared/data (SkyPilot, Helm, HF) on top of the shipped catalog, timing each;
2. embedding throughput of the local model;
3. compute / chart / model search p50 and p95, in-process (tool functions on one connection) and
   through HTTP (a uvicorn server on loopback);
4. plan latency through HTTP with the deterministic engine, warm.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMPUTE = [
    {
        "gpu_needed": True,
        "min_vram_gb": 40,
        "max_price_monthly": 5000,
        "provider": "aws",
        "region": "us-east-1",
        "min_vcpu": 16,
        "min_ram_gb": 64,
    },
    {"gpu_needed": True, "min_vram_gb": 160},
    {"gpu_model": "H100", "top_k": 20},
    {"gpu_needed": False, "min_ram_gb": 32, "provider": "azure"},
    {"gpu_needed": True, "min_vram_gb": 24, "max_price_hourly": 2, "spot": True},
    {"top_k": 100},
]
CHARTS = ["mlflow", "prometheus monitoring", "vector database", "kafka", "llm serving", "postgres", "gpu"]
MODELS = [
    "speech recognition",
    "llama 70b chat",
    "text to image diffusion",
    "sentence embeddings for search",
    "object detection",
    "code generation assistant",
]
PLANS = [
    "I need to deploy Llama 70B for inference",
    "Serve Qwen2.5 7B Instruct on GCP for a customer FAQ bot, budget $1000/month",
    "Fine-tune Llama 3 8B with LoRA and track the experiments in MLflow",
    "We need CPU-only hosting for a scikit-learn fraud detection API on Azure, no GPUs",
    "Run Whisper medium every night to transcribe our podcast back catalogue",
    "Serve Mistral 7B Instruct with a 16k context window for 4 concurrent users, fp16",
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"  {name:<34} p50 {statistics.median(ms):7.2f} ms   p95 {pct(ms, 0.95):7.2f} ms   n={len(ms)}")


def run_import(env: dict[str, str], kind: str, path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv/bin/stack8s"), "catalog", "import", kind, str(path)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


async def timed(fn: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - started)
    return out


async def in_process(dsn: str, repeat: int) -> None:
    from stack8s.db.pool import open_pool
    from stack8s.embeddings.local import LocalEmbedder
    from stack8s.tools import compute, hf, k8s
    from stack8s.tools.schemas import ChartQuery, ComputeQuery, ModelQuery

    embedder = LocalEmbedder.load()
    pool = await open_pool(dsn, min_size=1, max_size=2)
    async with pool.connection() as conn:
        cq = [ComputeQuery(**q) for q in COMPUTE]
        kq = [ChartQuery(query=q) for q in CHARTS]
        mq = [ModelQuery(query=q) for q in MODELS]
        for q in cq:
            await compute.search(conn, q)
        for q in mq:
            await hf.search(conn, embedder, q)
        print("in-process (one connection):")
        report("compute search", [t for q in cq for t in await timed(lambda q=q: compute.search(conn, q), repeat)])
        report("chart search", [t for q in kq for t in await timed(lambda q=q: k8s.search(conn, q), repeat)])
        report(
            "model search (with embedding)",
            [t for q in mq for t in await timed(lambda q=q: hf.search(conn, embedder, q), repeat)],
        )
        cur = await conn.execute("SELECT content FROM hf.card_chunks ORDER BY id LIMIT 256")
        samples = {
            "short chunks (~8 tokens)": [f"chunk {i} serving models" for i in range(512)],
            "card chunks (<=500 chars)": [r["content"] for r in await cur.fetchall()],
        }
        for label, texts in samples.items():
            started = time.perf_counter()
            await embedder.embed(texts)
            rate = len(texts) / (time.perf_counter() - started)
            print(f"  embedding throughput, {label:<26} {rate:7.0f} chunks/s")
    await pool.close()


def through_http(url: str, token: str, repeat: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:

        def many(path: str, bodies: list[dict]) -> list[float]:
            out = []
            for body in bodies:
                client.post(path, json=body)
                for _ in range(repeat):
                    started = time.perf_counter()
                    assert client.post(path, json=body).status_code == 200
                    out.append(time.perf_counter() - started)
            return out

        print("through HTTP (uvicorn on loopback):")
        report("compute search", many("/api/v1/tools/compute/search", COMPUTE))
        report("chart search", many("/api/v1/tools/k8s/search", [{"query": q} for q in CHARTS]))
        report("model search (with embedding)", many("/api/v1/tools/hf/search", [{"query": q} for q in MODELS]))
    plan_latency(url, token, repeat, "plan (deterministic engine, warm)")


def plan_latency(url: str, token: str, repeat: int, label: str) -> None:
    """A plan turn through HTTP, warm: the exact fleet search over every offer of the catalog as loaded."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        plans = []
        for message in PLANS * max(1, repeat // 10):
            cid = client.post("/api/v1/chat/start").json()["conversation_id"]
            started = time.perf_counter()
            response = client.post("/api/v1/chat/message", json={"conversation_id": cid, "message": message})
            plans.append(time.perf_counter() - started)
            assert response.json()["response_type"] == "deployment_plan", response.text[:300]
        report(label, plans[len(PLANS) :] or plans)


def estimator_latency(repeat: int) -> None:
    """One serving estimate in-process (the estimator alone: vLLM memory, step model, scheduler), cold
    step tables each time, for three GPUs (measured, transferred, FP4)."""
    from stack8s.catalogs.gpus import gpu_spec
    from stack8s.tools.estimate import Architecture, EstimateRequest, architecture_of, run

    arch = Architecture(
        params_billion=8.03,
        num_hidden_layers=32,
        hidden_size=4096,
        num_attention_heads=32,
        num_key_value_heads=8,
        vocab_size=128256,
        intermediate_size=14336,
    )
    for gpu, precision, load in (
        ("H100", None, {"concurrency": 32}),
        ("L4", None, {"request_rate": 1.0}),
        ("B200", "nvfp4", {"concurrency": 64}),
    ):
        body = EstimateRequest(
            architecture=arch, gpu=gpu, precision=precision, input_tokens=2000, output_tokens=256, **load
        )
        spec = gpu_spec(gpu)
        run(architecture_of(arch), body, spec, None)  # the kernel tables load once
        times = []
        for _ in range(repeat * 5):
            started = time.perf_counter()
            run(architecture_of(arch), body, spec, None)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"  estimate {gpu:<5} {precision or 'bf16':<6} p50 {statistics.median(times):6.2f} ms"
            f"   p95 {times[int(len(times) * 0.95)]:6.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    shared = Path(args.shared) / "data"
    data_dir = Path(tempfile.mkdtemp(prefix="stack8s-bench-"))
    env = {**os.environ, "STACK8S_DATA_DIR": str(data_dir), "STACK8S_LOG_LEVEL": "WARNING"}
    os.environ.update(env)

    from tests.conftest import JWT_SECRET, make_settings, start_server, token_for

    print("serving estimator, in-process:")
    estimator_latency(args.repeat)
    settings = make_settings(data_dir, SUPABASE_JWT_SECRET=JWT_SECRET)
    started = time.perf_counter()
    server = start_server(settings, timeout=300)
    print(f"first start (migrate + seed shipped catalog + embed cards): {time.perf_counter() - started:.1f} s")
    try:
        print("through HTTP, shipped catalog only:")
        plan_latency(server.url, token_for("bench"), args.repeat, "plan (shipped catalog, warm)")
        if shared.is_dir():
            print("imports from ../shared/data:")
            for kind, path in (("skypilot", shared / "skypilot"), ("helm", shared / "helm"), ("hf", shared / "hf")):
                print(f"  {kind:<9} {run_import(env, kind, path):6.1f} s")
        else:
            print(f"({shared} not found: measuring on the shipped catalog only)")
        import pgserver

        dsn = pgserver.get_server(data_dir / "pgdata").get_uri()
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token_for('b')}"}) as c:
            stats = c.get("/api/v1/catalog/stats").json()
        print(
            f"catalog: {stats['instances']['total']} instances, {stats['charts']['total']} charts, "
            f"{stats['models']['total']} models, {stats['models']['chunks']} chunks"
        )
        asyncio.run(in_process(dsn, args.repeat))
        through_http(server.url, token_for("bench"), args.repeat)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
