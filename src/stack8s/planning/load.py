"""From what the user said to the load a serving plan must carry: users -> requests/s -> sequences.

Pure. Every assumption is returned in `notes`, so the plan can state it and the user can override it
in the next message ("10 requests per second", "64 concurrent users", "2,000-token prompts").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from stack8s.planning.performance import Targets
from stack8s.planning.spec import WorkloadSpec


@dataclass(frozen=True)
class UseCase:
    name: str
    input_tokens: int
    output_tokens: int
    think_time_s: float  # between one answer and the user's next request
    source: str


USE_CASES: dict[str, UseCase] = {
    "chat": UseCase("chat", 512, 256, 30.0, "llm-d-planner slo_templates.json 'chatbot_conversational' 512/256"),
    "code": UseCase("code", 1024, 1024, 20.0, "llm-d-planner slo_templates.json 'code_generation_detailed' 1024/1024"),
    "rag": UseCase("rag", 4096, 512, 30.0, "llm-d-planner slo_templates.json 'document_analysis_rag' 4096/512"),
    "summarization": UseCase(
        "summarization", 4096, 512, 60.0, "llm-d-planner slo_templates.json 'summarization_short' 4096/512"
    ),
    "agent": UseCase("agent", 4096, 512, 5.0, "agents loop tool calls with long contexts; RAG-sized prompts"),
}
DEFAULT_USE_CASE = "chat"

ACTIVE_SHARE = 0.10
"""Of the people who use it, the share with a conversation open at the busiest time (stated in the plan)."""

PEAK_FACTOR = 3.0
"""A daily volume arrives in about 8 busy hours (llm-d-planner traffic_profile.py's 8 peak hours): the
peak rate is 24 / 8 = 3 x the day's average."""

HEADROOM = 1.2
"""Replicas are sized for 1.2 x the peak request rate (llm-d-planner recommendation/config_finder.py)."""

DEFAULT_TARGETS = Targets(itl_ms=100.0)
"""Without a stated latency target: at least 10 tokens/s per user (ITL <= 100 ms), about twice reading
speed, so answers stream faster than people read."""


@dataclass(frozen=True)
class LoadTarget:
    input_tokens: int
    output_tokens: int
    requests_per_second: float | None  # peak arrivals; None when only concurrency is known
    requests_per_day: float | None  # a stated daily volume the peak rate was derived from
    concurrent_sequences: float | None  # stated sequences in flight
    total_users: int | None
    active_share: float | None
    targets: Targets
    use_case: str
    notes: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return "stated" if self.concurrent_sequences is not None or self.rate_stated else "derived"

    @property
    def rate_stated(self) -> bool:
        return self.requests_per_second is not None and self.total_users is None and self.requests_per_day is None

    def method(self) -> str:
        parts = [f"{self.input_tokens:,} prompt + {self.output_tokens:,} answer tokens per request ({self.use_case})"]
        if self.total_users is not None and self.requests_per_second is not None:
            case = USE_CASES[self.use_case]
            parts.append(
                f"{self.total_users:,} users x {self.active_share:.0%} active = "
                f"{self.total_users * (self.active_share or 0):g} at once, one request every "
                f"{case.think_time_s:g} s each = {self.requests_per_second:.3g} req/s"
            )
        elif self.requests_per_day is not None and self.requests_per_second is not None:
            parts.append(
                f"{self.requests_per_day:,.0f} requests/day x {PEAK_FACTOR:g} peak factor / 86,400 s = "
                f"{self.requests_per_second:.3g} req/s"
            )
        elif self.requests_per_second is not None:
            parts.append(f"{self.requests_per_second:g} req/s as stated")
        if self.concurrent_sequences is not None:
            parts.append(f"{self.concurrent_sequences:g} sequences in flight as stated")
        parts.append(f"replicas for {HEADROOM:g} x the request rate (headroom)")
        return "; ".join(parts)


def use_case_of(spec: WorkloadSpec) -> str:
    return spec.use_case if spec.use_case in USE_CASES else DEFAULT_USE_CASE


def derive_load(spec: WorkloadSpec) -> LoadTarget:
    notes: list[str] = []
    case = USE_CASES[use_case_of(spec)]
    if not spec.use_case:
        notes.append(f"Use case: {case.name} (not stated).")
    input_tokens = spec.input_tokens or case.input_tokens
    output_tokens = spec.output_tokens or case.output_tokens
    if not spec.input_tokens or not spec.output_tokens:
        notes.append(
            f"Requests of {input_tokens:,} prompt and {output_tokens:,} answer tokens, typical for {case.name} "
            f"({case.source}); say e.g. '2,000-token prompts' to change it."
        )
    stated = Targets(spec.slo.ttft_ms, spec.slo.itl_ms, spec.slo.e2e_ms) if spec.slo else Targets()
    if stated.empty:
        notes.append(
            f"Latency target: at least {1000 / (DEFAULT_TARGETS.itl_ms or 100):g} tokens/s per user "
            "(not stated; faster than people read)."
        )
    rate, users, share, per_day = spec.requests_per_second, None, None, None
    average = spec.requests_per_day / 86400 if spec.requests_per_day else None
    if spec.requests_per_day and (rate is None or math.isclose(rate, average or 0.0, rel_tol=1e-3)):
        # a daily volume (its average rate alongside): sized for the busy hours, not the average
        per_day = spec.requests_per_day
        rate = per_day / 86400 * PEAK_FACTOR
        notes.append(
            f"{per_day:,.0f} requests a day arrive in about 8 busy hours: {PEAK_FACTOR:g} x the daily average = "
            f"{rate:.3g} requests/s at peak (say 'N requests per second' for a measured peak)."
        )
    elif rate is None and spec.total_users and not spec.concurrent_users:
        users, share = spec.total_users, ACTIVE_SHARE
        rate = spec.total_users * ACTIVE_SHARE / case.think_time_s
        notes.append(
            f"{spec.total_users:,} users: about {ACTIVE_SHARE:.0%} active at the busiest time, each sending a request "
            f"every {case.think_time_s:g} s = {rate:.3g} requests/s at peak (say 'N requests per second' or "
            "'N concurrent users' to size for a measured peak)."
        )
    concurrency = float(spec.concurrent_users) if spec.concurrent_users else None
    return LoadTarget(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        requests_per_second=rate,
        requests_per_day=per_day,
        concurrent_sequences=concurrency,
        total_users=users,
        active_share=share,
        targets=DEFAULT_TARGETS if stated.empty else stated,
        use_case=case.name,
        notes=notes,
    )


def replicas_needed(load: LoadTarget, per_replica_rps: float, per_replica_sequences: float) -> int:
    """Copies of the model for the load: enough for HEADROOM x the rate and for the stated sequences."""
    need = 1
    if load.requests_per_second and per_replica_rps > 0:
        need = max(need, math.ceil(load.requests_per_second * HEADROOM / per_replica_rps - 1e-9))
    if load.concurrent_sequences and per_replica_sequences > 0:
        need = max(need, math.ceil(load.concurrent_sequences / per_replica_sequences - 1e-9))
    return need
