"""`make bench`: N simulated users against a real `stack8s serve`, then a check that nothing acknowledged is lost.

1. starts `python -m stack8s serve` (one worker per CPU core, embedded PostgreSQL in a temporary data dir,
   shipped catalogs seeded, ENVIRONMENT=test, HS256 auth, no LLM: the rule engine answers), or targets
   `--base-url`;
2. each user (its own httpx.AsyncClient and token) loops for `--seconds`: start a conversation, send 3 turns
   back to back, read the history, start over;
3. every request's latency and status is recorded per operation; a request is acknowledged when it returns 200;
4. at the end every conversation is read back: each acknowledged turn must be stored whole (the user text,
   then the assistant reply it was sent, in the same turn number, in the order they were acknowledged);
5. prints a markdown table and the count of acknowledged turns lost or half-stored;
6. stops the server (SIGTERM) and removes the data dir.

Exit code 1 when an acknowledged turn or conversation is lost, or on any 5xx but a 503 with Retry-After.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from bench_server import free_port, server_env, stop, wait_healthy

OPERATIONS = ("start", "message", "history")
REQUESTS = [
    "Serve Llama 3.1 8B for 200 users on AWS",
    "LoRA fine-tune Llama 3.1 8B on 50 million tokens",
    "Deploy Whisper large-v3 to transcribe 2000 hours of audio a month",
    "I need to deploy Llama 70B for inference",
    "Serve Qwen2.5 7B Instruct on GCP for a customer FAQ bot, budget $1000/month",
    "Serve Mistral 7B Instruct with a 16k context window for 4 concurrent users, fp16",
    "We need CPU-only hosting for a scikit-learn fraud detection API on Azure, no GPUs",
    "Run Whisper medium every night to transcribe our podcast back catalogue",
    "Host an embedding model for semantic search over 10 million documents",
    "Fine-tune Llama 3 8B with LoRA and track the experiments in MLflow",
    "Serve Stable Diffusion XL for 50 concurrent image generations on AWS",
    "Deploy a code assistant model for 300 developers in eu-west-1",
    "Run a RAG chatbot with Llama 3.1 70B in 4-bit for 100 users",
    "Serve Phi-3 mini on CPU for a low-traffic internal tool",
    "Batch-embed 5 million product descriptions once a week on GCP",
]
FOLLOW_UPS = [
    "make it cheaper",
    "use GCP instead",
    "our budget is €2,000 a month",
    "what if we have 1000 users?",
    "use spot instances",
    "deploy it in Europe",
    "switch to Azure",
    "we need lower latency",
    "can it run on a single GPU?",
    "use AWS in us-east-1",
]
TURNS_PER_CONVERSATION = 3
REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Sample:
    operation: str
    status: int  # 0: no HTTP answer (see `error`)
    seconds: float
    error: str = ""  # the transport exception's name when status is 0
    retry_after: bool = False


@dataclass(frozen=True)
class Ack:
    text: str
    reply: str


@dataclass
class Conversation:
    user: int
    acks: list[Ack] = field(default_factory=list)


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    conversations: dict[str, Conversation] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    turns_acknowledged: int
    turns_lost: int
    conversations_missing: int


# ---- the server -------------------------------------------------------------------------------------


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@contextmanager
def local_server(secret: str, log_path: Path | None) -> Iterator[str]:
    """A `stack8s serve` subprocess on a free port with its own data dir; yields its base URL."""
    data_dir = Path(tempfile.mkdtemp(prefix="stack8s-load-"))
    log_file = log_path or data_dir / "server.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "stack8s", "serve", "--port", str(port)],
            env=server_env(
                data_dir, STACK8S_WORKERS=str(os.cpu_count() or 1), ENVIRONMENT="test", SUPABASE_JWT_SECRET=secret
            ),
            cwd=data_dir,  # no .env / .env.local of the caller's directory
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            started = time.perf_counter()
            try:
                wait_healthy(url, process, timeout=300)
            except RuntimeError:
                print(tail(log_file), file=sys.stderr)
                raise
            print(f"server up in {time.perf_counter() - started:.1f} s ({os.cpu_count()} workers, {url})")
            yield url
        finally:
            stop(process)
            shutil.rmtree(data_dir, ignore_errors=True)


# ---- the users --------------------------------------------------------------------------------------


def mint_token(secret: str, user_id: str) -> str:
    """HS256 with the claims Supabase puts in an access token (as tests/fakes/supabase_auth.py mints)."""
    now = int(time.time())
    claims = {"sub": user_id, "aud": "authenticated", "role": "authenticated", "iat": now, "exp": now + 7200}
    return jwt.encode(claims, secret, algorithm="HS256")


def script(rng: random.Random) -> list[str]:
    """One conversation: a request, then follow-ups."""
    return [rng.choice(REQUESTS), *rng.sample(FOLLOW_UPS, TURNS_PER_CONVERSATION - 1)]


async def call(
    client: httpx.AsyncClient, results: Results, operation: str, method: str, path: str, body: Any = None
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.request(method, path, json=body)
    except httpx.TransportError as exc:
        results.samples.append(Sample(operation, 0, time.perf_counter() - started, type(exc).__name__))
        return None
    sample = Sample(
        operation, response.status_code, time.perf_counter() - started, retry_after="retry-after" in response.headers
    )
    results.samples.append(sample)
    return response


async def back_off(response: httpx.Response | None) -> None:
    """Honour Retry-After (capped at 2 s); a short pause after any other failure."""
    value = response.headers.get("retry-after", "") if response is not None else ""
    await asyncio.sleep(min(2.0, float(value)) if value.isdigit() else 0.2)


async def one_conversation(
    client: httpx.AsyncClient, user: int, rng: random.Random, deadline: float, results: Results
) -> None:
    started = await call(client, results, "start", "POST", "/api/v1/chat/start")
    if started is None or started.status_code != 200:
        await back_off(started)
        return
    cid = str(started.json()["conversation_id"])
    conversation = results.conversations[cid] = Conversation(user)
    for text in script(rng):
        if time.monotonic() >= deadline:
            return
        body = {"conversation_id": cid, "message": text}
        response = await call(client, results, "message", "POST", "/api/v1/chat/message", body)
        if response is not None and response.status_code == 200:
            conversation.acks.append(Ack(text, response.json()["response"]))
        else:
            await back_off(response)
    if time.monotonic() < deadline:
        await call(client, results, "history", "GET", f"/api/v1/chat/{cid}")


async def user_loop(client: httpx.AsyncClient, user: int, seed: int, deadline: float, results: Results) -> None:
    rng = random.Random(seed * 1_000 + user)
    while time.monotonic() < deadline:
        await one_conversation(client, user, rng, deadline, results)


def make_clients(base_url: str, secret: str, run_id: str, users: int) -> list[httpx.AsyncClient]:
    return [
        httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {mint_token(secret, f'load-{run_id}-{i}')}"},
            timeout=REQUEST_TIMEOUT_S,
        )
        for i in range(users)
    ]


# ---- the check --------------------------------------------------------------------------------------


def turns_of(messages: list[dict[str, Any]]) -> list[tuple[int, list[str], list[str]]]:
    """(turn, user texts, assistant texts), by turn number."""
    by_turn: dict[int, tuple[list[str], list[str]]] = {}
    for m in messages:
        users, assistants = by_turn.setdefault(int(m["turn"]), ([], []))
        if m["role"] == "user":
            users.append(m["content"])
        elif m["role"] == "assistant":
            assistants.append(m["content"])
    return [(turn, *by_turn[turn]) for turn in sorted(by_turn)]


def violations(acks: list[Ack], messages: list[dict[str, Any]]) -> int:
    """Acknowledged turns not stored whole: each needs a later turn holding exactly its user text and its reply
    (unacknowledged turns in between are allowed: a request that failed may still have been stored)."""
    stored = turns_of(messages)
    position, lost = 0, 0
    for ack in acks:
        match = next(
            (i for i in range(position, len(stored)) if stored[i][1] == [ack.text] and stored[i][2] == [ack.reply]),
            None,
        )
        if match is None:
            lost += 1
        else:
            position = match + 1
    return lost


async def read_back(client: httpx.AsyncClient, cid: str) -> list[dict[str, Any]] | None:
    """The conversation's messages; None when it is gone (404) or unreadable after retries."""
    for _ in range(10):
        try:
            response = await client.get(f"/api/v1/chat/{cid}")
        except httpx.TransportError:
            await asyncio.sleep(1)
            continue
        if response.status_code == 200:
            messages: list[dict[str, Any]] = response.json()["messages"]
            return messages
        if response.status_code == 404:
            return None
        await back_off(response)
    return None


async def verify(clients: list[httpx.AsyncClient], results: Results) -> Verdict:
    gate = asyncio.Semaphore(10)

    async def check(cid: str, conversation: Conversation) -> tuple[int, bool]:
        async with gate:
            messages = await read_back(clients[conversation.user], cid)
        if messages is None:
            return len(conversation.acks), True
        return violations(conversation.acks, messages), False

    checked = await asyncio.gather(*(check(cid, c) for cid, c in results.conversations.items()))
    return Verdict(
        turns_acknowledged=sum(len(c.acks) for c in results.conversations.values()),
        turns_lost=sum(lost for lost, _ in checked),
        conversations_missing=sum(missing for _, missing in checked),
    )


# ---- the report -------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def error_label(samples: list[Sample]) -> str:
    counts = Counter(s.error or str(s.status) for s in samples if s.status != 200)
    return ", ".join(f"{label}×{n}" for label, n in sorted(counts.items())) or "0"


def table(results: Results, elapsed: float) -> str:
    rows = [
        "| operation | requests | errors (non-200, by status) | p50 ms | p95 ms | p99 ms | throughput (200/s) |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for operation in OPERATIONS:
        samples = [s for s in results.samples if s.operation == operation]
        ms = [s.seconds * 1000 for s in samples]
        ok = sum(s.status == 200 for s in samples)
        p50 = statistics.median(ms) if ms else float("nan")
        rows.append(
            f"| {operation} | {len(samples)} | {error_label(samples)} | {p50:.0f} | {pct(ms, 0.95):.0f} "
            f"| {pct(ms, 0.99):.0f} | {ok / elapsed:.2f} |"
        )
    return "\n".join(rows)


def bad_5xx(results: Results) -> int:
    return sum(s.status >= 500 and not (s.status == 503 and s.retry_after) for s in results.samples)


def print_report(results: Results, verdict: Verdict, elapsed: float, users: int) -> None:
    turns = sum(len(c.acks) for c in results.conversations.values())
    print(f"\n{users} users, {elapsed:.1f} s, {len(results.conversations)} conversations started\n")
    print(table(results, elapsed))
    print(f"\nthroughput: {turns / elapsed:.2f} acknowledged turns/s (message row: latency of every request)")
    print(f"acknowledged turns: {verdict.turns_acknowledged}")
    print(f"acknowledged conversations missing or unreadable: {verdict.conversations_missing}")
    print(f"acknowledged turns lost or half-stored: {verdict.turns_lost}")
    print(f"5xx other than 503 with Retry-After: {bad_5xx(results)}")
    load1, load5, _ = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load1:.2f} (1 min), {load5:.2f} (5 min)")


# ---- main -------------------------------------------------------------------------------------------


async def run_load(base_url: str, secret: str, args: argparse.Namespace) -> int:
    clients = make_clients(base_url, secret, secrets.token_hex(4), args.users)
    results = Results()
    try:
        started = time.monotonic()
        deadline = started + args.seconds
        await asyncio.gather(*(user_loop(c, i, args.seed, deadline, results) for i, c in enumerate(clients)))
        elapsed = time.monotonic() - started
        verdict = await verify(clients, results)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    print_report(results, verdict, elapsed, args.users)
    failed = verdict.turns_lost or verdict.conversations_missing or bad_5xx(results)
    return 1 if failed else 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--base-url", help="target this running server instead of starting one")
    parser.add_argument(
        "--jwt-secret",
        default=os.environ.get("SUPABASE_JWT_SECRET"),
        help="with --base-url: the server's SUPABASE_JWT_SECRET (default: from the environment)",
    )
    parser.add_argument("--server-log", type=Path, help="keep the started server's log here")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.base_url:
        if not args.jwt_secret:
            sys.exit("--base-url needs --jwt-secret or SUPABASE_JWT_SECRET to mint tokens")
        wait_healthy(args.base_url.rstrip("/"), None, timeout=30)
        return asyncio.run(run_load(args.base_url.rstrip("/"), args.jwt_secret, args))
    secret = secrets.token_urlsafe(32)
    with local_server(secret, args.server_log) as url:
        return asyncio.run(run_load(url, secret, args))


if __name__ == "__main__":
    sys.exit(main())
