"""Monthly cost estimates from catalog prices. Pure: no I/O, no clock, no randomness; non-compute prices
come in as `ProviderPrices` (loaded by catalogs/cloud_costs.py from catalogs/data/cloud_costs.yaml).

Money is computed in Decimal from the prices' decimal text and rounded half-up to cents per line;
the total is the sum of the rounded lines, so a breakdown always adds up exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from stack8s.planning.arch import ModelArch
from stack8s.planning.plan import HOURS_PER_MONTH, CostEstimate, CostLine
from stack8s.planning.precision import weight_bytes_per_param
from stack8s.planning.spec import FineTuningMethod, Precision, TaskType
from stack8s.planning.training import FULL_FT_BYTES_PER_PARAM, lora_adapter_params_billion


@dataclass(frozen=True, slots=True)
class ListPrice:
    """One list price of a provider (per GB-month, hour or GB, by the item); `usd` None = not known."""

    usd: float | None
    product: str = ""
    source: str = ""
    as_of: str = ""  # ISO date of the price
    note: str = ""  # what the price leaves out
    region: str = ""  # the region whose list price this is; "" = the same in every region
    verified: bool = True  # False: written from memory, not yet checked against `source`


@dataclass(frozen=True, slots=True)
class ProviderPrices:
    """A provider's non-compute list prices (catalogs/data/cloud_costs.yaml). Every line of a plan uses
    its own provider's prices; an unknown price is said, never borrowed from another provider."""

    provider: str
    block_storage: ListPrice = ListPrice(None)  # $/GB-month
    object_storage: ListPrice = ListPrice(None)  # $/GB-month
    load_balancer: ListPrice = ListPrice(None)  # $/hour
    egress: ListPrice = ListPrice(None)  # $/GB, first paid tier
    kubernetes: ListPrice = ListPrice(None)  # managed control plane, $/hour per cluster
    region: str = ""  # the region the prices were asked for (the plan's); "" = none


SYSTEM_DISK_GB = 50.0
"""Storage allowance for the OS and container images (CUDA-based serving/training images are 10-20 GB
each, and nodes keep a few versions)."""

CHECKPOINTS_KEPT = 3
"""Training checkpoints kept on disk (latest, best, one fallback)."""

FULL_CHECKPOINT_BYTES_PER_PARAM = FULL_FT_BYTES_PER_PARAM - 2.0
"""A resumable full-training checkpoint: 16-bit weights (2) + fp32 master weights, Adam m and v (12) = 14
bytes/param; gradients are not saved."""

ADAPTER_CHECKPOINT_BYTES_PER_PARAM = 12.0
"""A resumable LoRA checkpoint: fp32 adapter weights (4) + Adam m and v (8) = 12 bytes/param."""

BASE_DOWNLOAD_BYTES_PER_PARAM = 2.0
"""Fine-tuning starts from the published 16-bit checkpoint (QLoRA quantises it while loading)."""


@dataclass(frozen=True, slots=True)
class SidePart:
    """A serving part beside the main model (a RAG plan's embedding model, its vector store) on instances of
    its own: `item` names its compute line, `disk_gb` its own block storage ("<item> disk"); `hourly_usd`
    None when it runs on the main model's instances (a $0 line that says so)."""

    item: str
    hourly_usd: float | None
    instances: int
    what: str  # "2 x m7i.large (2 vCPU, 8 GB)": the line's assumption starts with it
    disk_gb: float = 0.0


_CENT = Decimal("0.01")
_OTHER = {"load balancer", "egress", "kubernetes control plane"}
_STORAGE = {"storage", "object storage"}


def _dec(x: float | int) -> Decimal:
    """Decimal from the shortest decimal text of a float, so 4.10 stays 4.10."""
    return Decimal(repr(float(x))) if not isinstance(x, int) else Decimal(x)


def _cents(x: Decimal) -> Decimal:
    return x.quantize(_CENT, rounding=ROUND_HALF_UP)


def _price(x: float) -> str:
    """$4.10, $0.0225: at least two decimals, up to four."""
    text = f"{x:,.4f}".rstrip("0")
    return "$" + (text if len(text.split(".")[1]) >= 2 else f"{x:,.2f}")


def monthly(hourly: float, hours_per_month: int = HOURS_PER_MONTH) -> float:
    """hourly x hours_per_month (730), rounded half-up to cents."""
    _check(hourly=hourly)
    return float(_cents(_dec(hourly) * hours_per_month))


def _check(**values: float | None) -> None:
    for name, value in values.items():
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value}")


def _compute_line(
    hourly: float, nodes: int, replicas: int, hours: int, spot: bool, spot_hourly: float | None
) -> CostLine:
    use_spot = spot and spot_hourly is not None
    price = spot_hourly if use_spot and spot_hourly is not None else hourly
    count = nodes * replicas
    text = f"{count} x instance at {_price(price)}/h x {hours} h"
    if replicas > 1 or nodes > 1:
        text += f" ({replicas} replica(s) x {nodes} node(s))"
    if use_spot:
        text += "; spot price, capacity can be reclaimed at short notice"
    elif spot:
        text += "; spot requested but no spot price known, on-demand price used"
    return CostLine(item="compute", monthly_usd=float(_cents(_dec(price) * count * hours)), assumption=text)


def _product(price: ListPrice, asked: str) -> str:
    """'AWS EBS gp3, eu-central-1 list price', or for a region without its own figure
    'AWS EBS gp3, us-east-1 list price (default; sa-east-1 not priced separately)'."""
    if not price.region:
        return price.product
    text = f"{price.product}, {price.region} list price"
    return text + (f" (default; {asked} not priced separately)" if asked and asked != price.region else "")


def _cite(price: ListPrice, asked: str = "") -> str:
    """'; product, region; note; source <url>, as of <date>': where the price comes from (`asked`: the
    plan's region) and what it leaves out."""
    where = f"source {price.source}" + (f", as of {price.as_of}" if price.as_of else "") if price.source else ""
    check = "" if price.verified else f"{price.region} figure written from memory, not yet checked against the source"
    return "".join(f"; {x}" for x in (_product(price, asked), price.note, check, where) if x)


def _unknown(item: str, prices: ProviderPrices | None, price: ListPrice, what: str, amount: str) -> CostLine:
    """A line for a price the catalog does not know: said, counted as $0, never another provider's price."""
    who = prices.provider if prices is not None else "an unchosen provider"
    see = f" (see {price.source})" if price.source else ""
    return CostLine(
        item=item, monthly_usd=0.0, assumption=f"{amount}: no list price known for {who} {what}{see}; not counted"
    )


def _priced(
    item: str, price: ListPrice, prices: ProviderPrices | None, quantity: float, what: str, amount: str, rate: str
) -> CostLine:
    """`quantity` units at the provider's list price: `amount` says what is counted, `rate` how it is priced
    ('{price}' stands for the unit price); a price the catalog lacks is a $0 line that says so."""
    if price.usd is None:
        return _unknown(item, prices, price, what, amount)
    cited = _cite(price, prices.region if prices is not None else "")
    return CostLine(
        item=item,
        monthly_usd=float(_cents(_dec(quantity) * _dec(price.usd))),
        assumption=f"{amount} {rate.format(price=_price(price.usd))}{cited}",
    )


def _price_of(prices: ProviderPrices | None, name: str) -> ListPrice:
    price: ListPrice = getattr(prices, name) if prices is not None else ListPrice(None)
    return price


def _object_storage_line(dataset_gb: float, prices: ProviderPrices | None) -> CostLine:
    price = _price_of(prices, "object_storage")
    amount = f"{dataset_gb:g} GB of datasets"
    return _priced(
        "object storage", price, prices, dataset_gb, "object storage", amount, "in object storage at {price}/GB-month"
    )


def _side_lines(part: SidePart, hours: int, prices: ProviderPrices | None) -> list[CostLine]:
    if part.hourly_usd is None:
        text = f"{part.what}: runs on the instances above, no instance of its own"
        lines = [CostLine(item=part.item, monthly_usd=0.0, assumption=text)]
    else:
        text = f"{part.what}: {part.instances} x instance at {_price(part.hourly_usd)}/h x {hours} h (on demand)"
        amount = _cents(_dec(part.hourly_usd) * part.instances * hours)
        lines = [CostLine(item=part.item, monthly_usd=float(amount), assumption=text)]
    if part.disk_gb > 0:
        price = _price_of(prices, "block_storage")
        amount_text = f"{part.disk_gb:g} GB for the {part.item}"
        rate = "on block storage at {price}/GB-month"
        lines.append(_priced(f"{part.item} disk", price, prices, part.disk_gb, "block storage", amount_text, rate))
    return lines


def _storage_line(storage_gb: float, prices: ProviderPrices | None) -> CostLine:
    price = _price_of(prices, "block_storage")
    amount = f"{storage_gb:g} GB of weights, checkpoints and images"
    return _priced(
        "storage", price, prices, storage_gb, "block storage", amount, "on block storage at {price}/GB-month"
    )


def _load_balancer_line(hours: int, prices: ProviderPrices | None) -> CostLine:
    price = _price_of(prices, "load_balancer")
    return _priced(
        "load balancer", price, prices, hours, "load balancers", "1 load balancer", f"at {{price}}/h x {hours} h"
    )


def _egress_line(egress_gb: float, prices: ProviderPrices | None) -> CostLine:
    price = _price_of(prices, "egress")
    amount = f"{egress_gb:g} GB/month internet egress"
    return _priced("egress", price, prices, egress_gb, "internet egress", amount, "at {price}/GB")


def _control_plane_line(hours: int, prices: ProviderPrices | None) -> CostLine:
    price = _price_of(prices, "kubernetes")
    line = _priced(
        "kubernetes control plane",
        price,
        prices,
        hours,
        "managed Kubernetes",
        "1 managed Kubernetes control plane",
        f"at {{price}}/h x {hours} h",
    )
    if price.usd is None:
        return line
    return line.model_copy(update={"assumption": f"{line.assumption}; none if you run your own cluster"})


def _total(lines: list[CostLine], items: set[str] | None = None) -> float:
    return float(sum((_dec(x.monthly_usd) for x in lines if items is None or x.item in items), Decimal(0)))


def estimate_cost(
    *,
    instance_hourly_usd: float,
    instance_count: int = 1,
    replicas: int = 1,
    storage_gb: float = 0.0,
    dataset_gb: float = 0.0,
    load_balancer: bool = False,
    egress_gb: float = 0.0,
    prices: ProviderPrices | None = None,
    kubernetes_control_plane: bool = False,
    budget_monthly_usd: float | None = None,
    hours_per_month: int = HOURS_PER_MONTH,
    spot: bool = False,
    spot_hourly_usd: float | None = None,
    parts: Sequence[SidePart] = (),
) -> CostEstimate:
    """Monthly cost: compute (instance_count nodes per replica x replicas), the `parts` beside it (a compute
    line each, and their own disks), storage, load balancer, egress and the managed Kubernetes control
    plane, the last four at `prices` (the provider of the instances; a price it lacks, or no `prices` at
    all, is a $0 line that says so).

    Each line is rounded to cents; total = sum of the lines; within_budget = total <= budget (None
    without a budget). Storage and egress lines appear only when non-zero."""
    _check(
        instance_hourly_usd=instance_hourly_usd,
        storage_gb=storage_gb,
        egress_gb=egress_gb,
        budget_monthly_usd=budget_monthly_usd,
        spot_hourly_usd=spot_hourly_usd,
    )
    if instance_count < 1 or replicas < 1 or hours_per_month < 1:
        raise ValueError("instance_count, replicas and hours_per_month must be >= 1")
    compute = _compute_line(instance_hourly_usd, instance_count, replicas, hours_per_month, spot, spot_hourly_usd)
    lines = [compute]
    for part in parts:
        lines += _side_lines(part, hours_per_month, prices)
    if storage_gb > 0:
        lines.append(_storage_line(storage_gb, prices))
    if dataset_gb > 0:
        lines.append(_object_storage_line(dataset_gb, prices))
    if load_balancer:
        lines.append(_load_balancer_line(hours_per_month, prices))
    if egress_gb > 0:
        lines.append(_egress_line(egress_gb, prices))
    if kubernetes_control_plane:
        lines.append(_control_plane_line(hours_per_month, prices))
    total = _total(lines)
    return CostEstimate(
        hours_per_month=hours_per_month,
        compute_monthly_usd=_total(lines, {"compute", *(p.item for p in parts)}),
        storage_monthly_usd=_total(lines, {*_STORAGE, *(f"{p.item} disk" for p in parts)}),
        other_monthly_usd=_total(lines, _OTHER),
        total_monthly_usd=total,
        breakdown=lines,
        within_budget=None if budget_monthly_usd is None else total <= budget_monthly_usd,
    )


def estimate_job_cost(
    *,
    hourly_usd: float,
    instances: int,
    wall_clock_hours: float,
    runs_per_month: float | None = None,
    storage_gb: float = 0.0,
    dataset_gb: float = 0.0,
    prices: ProviderPrices | None = None,
    kubernetes_control_plane: bool = False,
    budget_total_usd: float | None = None,
    budget_monthly_usd: float | None = None,
    spot: bool = False,
) -> CostEstimate:
    """A job priced by how long it runs. `job_cost_usd` = wall-clock hours x instances x hourly price (one
    run). The monthly lines keep the API's meaning (a month of the instances, the figure clients compare
    with a monthly budget) and say what the job itself costs, so the total is never read as the job's
    price: the job needs the instances only for its hours (x runs per month when recurring).

    within_budget: the job against a one-off budget; else the month against a monthly budget."""
    _check(hourly_usd=hourly_usd, wall_clock_hours=wall_clock_hours, runs_per_month=runs_per_month)
    _check(storage_gb=storage_gb, dataset_gb=dataset_gb)
    _check(budget_total_usd=budget_total_usd, budget_monthly_usd=budget_monthly_usd)
    if instances < 1:
        raise ValueError("instances must be >= 1")
    one_run = _cents(_dec(hourly_usd) * instances * _dec(wall_clock_hours))
    job_text = f"the job runs {wall_clock_hours:,.2f} h on {instances} instance(s) = ${one_run:,.2f}"
    if runs_per_month:
        job_text += f" per run, ${_cents(one_run * _dec(runs_per_month)):,.2f} for {runs_per_month:g} runs a month"
    month = _cents(_dec(hourly_usd) * instances * HOURS_PER_MONTH)
    text = (
        f"{instances} x instance at {_price(hourly_usd)}/h x {HOURS_PER_MONTH} h if kept running all month; "
        f"{job_text}: scale the node pool to zero when it finishes"
    )
    if spot:
        text += "; spot price, with checkpoints so a reclaimed instance loses little work"
    lines = [CostLine(item="compute", monthly_usd=float(month), assumption=text)]
    if storage_gb > 0:
        lines.append(_storage_line(storage_gb, prices))
    if dataset_gb > 0:
        lines.append(_object_storage_line(dataset_gb, prices))
    if kubernetes_control_plane:
        lines.append(_control_plane_line(HOURS_PER_MONTH, prices))
    total = _total(lines)
    within: bool | None = None
    if budget_monthly_usd is not None:
        within = total <= budget_monthly_usd
    elif budget_total_usd is not None:
        within = float(one_run) <= budget_total_usd
    return CostEstimate(
        compute_monthly_usd=_total(lines, {"compute"}),
        storage_monthly_usd=_total(lines, _STORAGE),
        other_monthly_usd=_total(lines, _OTHER),
        total_monthly_usd=total,
        breakdown=lines,
        within_budget=within,
        job_cost_usd=float(one_run),
    )


def _training_storage_gb(
    params_billion: float, method: FineTuningMethod, arch: ModelArch | None, checkpoints: int
) -> float:
    """16-bit base download + resumable checkpoints (full: 14 B/param; LoRA/QLoRA: adapters x 12 B)."""
    base = params_billion * BASE_DOWNLOAD_BYTES_PER_PARAM
    if method is FineTuningMethod.full:
        return base + checkpoints * params_billion * FULL_CHECKPOINT_BYTES_PER_PARAM
    adapters = lora_adapter_params_billion(arch or ModelArch(params_billion=params_billion))
    return base + checkpoints * adapters * ADAPTER_CHECKPOINT_BYTES_PER_PARAM


def storage_gb_for(
    *,
    params_billion: float,
    precision: Precision | str = Precision.fp16,
    task: TaskType | str = TaskType.inference,
    fine_tuning_method: FineTuningMethod | str | None = None,
    dataset_size_gb: float | None = None,
    checkpoints: int = CHECKPOINTS_KEPT,
    arch: ModelArch | None = None,
) -> float:
    """Disk to provision, whole GB: model files (+ checkpoints when training; full fine-tuning if no
    method is given) + dataset when known + SYSTEM_DISK_GB for the OS and container images."""
    _check(params_billion=params_billion, dataset_size_gb=dataset_size_gb, checkpoints=checkpoints)
    if TaskType(task) in (TaskType.training, TaskType.fine_tuning):
        method = FineTuningMethod(fine_tuning_method or FineTuningMethod.full)
        model = _training_storage_gb(params_billion, method, arch, checkpoints)
    else:
        model = params_billion * weight_bytes_per_param(precision)
    total = model + (dataset_size_gb or 0.0) + SYSTEM_DISK_GB
    return float(math.ceil(round(total, 6)))
