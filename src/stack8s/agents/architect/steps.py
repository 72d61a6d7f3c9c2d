"""Deployment steps, in order, with the commands a user runs. Templates filled from the plan."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence

import yaml

from stack8s.agents.architect.artifacts import MODEL_URI_NOTE, JobShape, KServeModel, skypilot_resources
from stack8s.agents.architect.workload import Workload, published_export
from stack8s.planning.plan import ChartRecommendation, DeploymentStep, GpuRecommendation, Job, VllmServing
from stack8s.planning.spec import TaskType

CLUSTER = "stack8s"


def _cluster_commands(rec: GpuRecommendation, count: int) -> list[str]:
    it, region = shlex.quote(rec.instance_type), shlex.quote(rec.region)
    templates = {
        "aws": [
            f"eksctl create cluster --name {CLUSTER} --region {region} --without-nodegroup",
            f"eksctl create nodegroup --cluster {CLUSTER} --region {region} --name workload "
            f"--node-type {it} --nodes {count} --nodes-min {count} --nodes-max {count}",
        ],
        "gcp": [
            f"gcloud container clusters create {CLUSTER} --region {region} --num-nodes 1",
            f"gcloud container node-pools create workload --cluster {CLUSTER} --region {region} "
            f"--machine-type {it} --num-nodes {count}",
        ],
        "azure": [
            f"az group create -n {CLUSTER} -l {region}",
            f"az aks create -g {CLUSTER} -n {CLUSTER} -l {region} --node-count 1 --generate-ssh-keys",
            f"az aks nodepool add -g {CLUSTER} --cluster-name {CLUSTER} -n workload --node-vm-size {it} "
            f"--node-count {count}",
            f"az aks get-credentials -g {CLUSTER} -n {CLUSTER}",
        ],
        "oci": [
            f"oci ce node-pool create --cluster-id $OKE_CLUSTER_ID --name workload --node-shape {it} "
            f"--size {count} --compartment-id $COMPARTMENT_ID",
        ],
        "do": [
            f"doctl kubernetes cluster create {CLUSTER} --region {region} "
            f'--node-pool "name=workload;size={rec.instance_type};count={count}"',
        ],
    }
    return templates.get(
        rec.provider,
        [
            f"# Provision {count} x {rec.instance_type} on {rec.provider} ({rec.region}), then join them to a cluster:",
            "curl -sfL https://get.k3s.io | sh -",
        ],
    )


POOL_LABEL = "stack8s-pool"
"""The node label each extra node pool carries (its name), for the nodeSelector of what runs on it."""


def node_pool_commands(provider: str, region: str, instance_type: str, name: str, count: int) -> list[str]:
    """Add a node pool `name` of `count` x `instance_type` to the plan's cluster, labelled POOL_LABEL=name
    (`name`: lowercase letters and digits, at most 12, as AKS requires)."""
    it, where, label = shlex.quote(instance_type), shlex.quote(region), f"{POOL_LABEL}={name}"
    oci_label = shlex.quote(json.dumps([{"key": POOL_LABEL, "value": name}]))
    templates = {
        "aws": f"eksctl create nodegroup --cluster {CLUSTER} --region {where} --name {name} --node-type {it} "
        f"--nodes {count} --nodes-min {count} --nodes-max {count} --node-labels {label}",
        "gcp": f"gcloud container node-pools create {name} --cluster {CLUSTER} --region {where} --machine-type {it} "
        f"--num-nodes {count} --node-labels={label}",
        "azure": f"az aks nodepool add -g {CLUSTER} --cluster-name {CLUSTER} -n {name} --node-vm-size {it} "
        f"--node-count {count} --labels {label}",
        "oci": f"oci ce node-pool create --cluster-id $OKE_CLUSTER_ID --name {name} --node-shape {it} --size {count} "
        f"--compartment-id $COMPARTMENT_ID --initial-node-labels {oci_label}",
        "do": f"doctl kubernetes cluster node-pool create {CLUSTER} --name {name} --size {it} --count {count} "
        f"--label {label}",
    }
    other = f"# Add {count} x {instance_type} on {provider} ({region}) to the cluster, labelled {label}"
    return [templates.get(provider, other)]


def node_pool_delete_commands(provider: str, region: str, name: str) -> list[str]:
    """Remove the node pool `name` (billing for its nodes stops)."""
    where = shlex.quote(region)
    templates = {
        "aws": f"eksctl delete nodegroup --cluster {CLUSTER} --region {where} --name {name}",
        "gcp": f"gcloud container node-pools delete {name} --cluster {CLUSTER} --region {where} --quiet",
        "azure": f"az aks nodepool delete -g {CLUSTER} --cluster-name {CLUSTER} -n {name}",
        "oci": "oci ce node-pool delete --node-pool-id $NODE_POOL_ID --force",
        "do": f"doctl kubernetes cluster node-pool delete {CLUSTER} {name} --force",
    }
    return [templates.get(provider, f"# Release the {name} nodes on {provider} ({region})")]


def vllm_serves(w: Workload) -> bool:
    """The model is served by vLLM (the vllm-stack chart): an LLM on GPUs, not a training run."""
    return w.is_llm and w.sizing.gpu_needed and w.task not in (TaskType.training, TaskType.fine_tuning)


def vllm_max_model_len(w: Workload) -> int:
    """vLLM --max-model-len: as sized for the load (serving), else the stated context or the default."""
    return w.max_model_len if w.load is not None else (w.spec.context_length or w.max_model_len)


def served_checkpoint(w: Workload) -> str | None:
    """The repository vLLM loads: the published export in the sized format when the catalog model is not
    itself in it (zai-org/GLM-5-FP8, nvidia/Qwen3-235B-A22B-NVFP4), else the model."""
    model = w.sizing.model_id or w.spec.model_id
    return published_export(w.model.row if w.model else None, model, w.sizing.precision) or model


def vllm_quantization(w: Workload) -> str | None:
    """vLLM --quantization for weights quantised on load (fp8, or bitsandbytes for 4-bit); None for 16-bit
    weights or a checkpoint that is already quantised (the catalog's, or a published export it serves)."""
    if w.sizing.precision not in ("int4", "fp8") or (w.model and w.model.row.quantization):
        return None
    if served_checkpoint(w) != (w.sizing.model_id or w.spec.model_id):
        return None
    return "fp8" if w.sizing.precision == "fp8" else "bitsandbytes"


def vllm_serving(w: Workload, top: GpuRecommendation | None) -> VllmServing | None:
    """The vLLM settings of the plan, once: every step and artifact reads them (None when vLLM does not serve)."""
    if not vllm_serves(w):
        return None
    tp = max(1, w.sizing.tensor_parallel)
    nodes = top.nodes if top is not None else 1
    copies = 1 if top is None or nodes > 1 else max(1, top.gpu_count // tp)
    performance = top.performance if top is not None else None
    return VllmServing(
        model=served_checkpoint(w) or "MODEL_ID",
        tensor_parallel_size=tp,
        max_model_len=vllm_max_model_len(w),
        max_num_seqs=performance.max_concurrent_sequences if performance is not None else None,
        quantization=vllm_quantization(w),
        kv_cache_dtype="fp8" if w.spec.kv_cache_dtype == "fp8" else None,
        data_parallel_size=copies,
        pipeline_parallel_size=max(1, nodes),
    )


def _serve_step(w: Workload, order: int, vllm: VllmServing | None) -> DeploymentStep:
    if vllm is not None:
        return DeploymentStep(
            order=order,
            title="Serve the model with vLLM",
            details=f"The vllm-stack chart runs {w.replicas * w.copies_per_node} vLLM server(s) with these arguments.",
            commands=[
                f"vllm serve {vllm.model} " + " ".join(vllm.flags()),
                "kubectl -n stack8s rollout status deploy --timeout=20m",
            ],
        )
    served = KServeModel.of(
        w.sizing.model_id, w.model.row.pipeline_tag if w.model else None, w.spec.domain == "tabular"
    )
    model_block: dict[str, object] = dict(served.block)
    if w.sizing.gpu_needed:
        model_block["resources"] = {"limits": {"nvidia.com/gpu": 1}}
    isvc = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "model"},
        "spec": {"predictor": {"model": model_block}},
    }
    apply = (
        "envsubst '$MODEL_URI' | kubectl apply -n stack8s -f -" if served.required else "kubectl apply -n stack8s -f -"
    )
    manifest = f"{apply} <<'EOF'\n{yaml.safe_dump(isvc, sort_keys=False, width=120)}EOF"
    return DeploymentStep(
        order=order,
        title="Deploy the model server (KServe InferenceService)",
        details=" ".join(served.notes) + (f" Set {MODEL_URI_NOTE} first." if served.required else ""),
        commands=[manifest],
    )


def _train_step(w: Workload, order: int, top: GpuRecommendation | None) -> DeploymentStep:
    instances = top.nodes * w.replicas if top else 1
    command = _kubernetes_job(w, top, instances) if top else _shape(w, None, 1).command("kubernetes")
    return DeploymentStep(
        order=order,
        title="Run the training job (Kubernetes Job), checkpoints to object storage",
        details=f"{instances} pod(s), one per node; checkpoints go to the bucket so a restarted pod resumes.",
        commands=[command],
    )


def _verify_step(w: Workload, order: int) -> DeploymentStep:
    if w.task in (TaskType.training, TaskType.fine_tuning):
        commands = ["kubectl -n stack8s get job stack8s-job -w", "kubectl -n stack8s logs -f job/stack8s-job"]
        return DeploymentStep(
            order=order, title="Check the job", details="Watch progress and GPU use.", commands=commands
        )
    if w.is_llm and w.sizing.gpu_needed:
        commands = [
            "kubectl -n stack8s port-forward svc/vllm-stack-router-service 30080:80 &",
            "curl -s http://localhost:30080/v1/models",
            "curl -s http://localhost:30080/v1/chat/completions -H 'Content-Type: application/json' "
            "-d "
            + shlex.quote(
                json.dumps(
                    {"model": w.sizing.model_id or "MODEL_ID", "messages": [{"role": "user", "content": "Hello"}]}
                )
            ),
        ]
    else:
        commands = [
            "kubectl -n stack8s get inferenceservice model",
            "kubectl -n stack8s port-forward svc/model-predictor 8080:80 &",
            "curl -s http://localhost:8080/v1/models/model",
        ]
    return DeploymentStep(
        order=order, title="Check that it answers", details="A request through the API.", commands=commands
    )


def build_steps(
    w: Workload,
    top: GpuRecommendation | None,
    charts: list[ChartRecommendation],
    vllm: VllmServing | None = None,
    pools: Sequence[DeploymentStep] = (),
    extra: Sequence[DeploymentStep] = (),
) -> list[DeploymentStep]:
    """The serving (or training) steps. A RAG plan's parts add `pools` (their node pools, after the cluster)
    and `extra` (the embedder and the corpus job, after the model's server); every step is numbered here."""
    steps: list[DeploymentStep] = []
    if top is not None:
        count = top.nodes * w.replicas
        steps.append(
            DeploymentStep(
                order=1,
                title=f"Create the cluster and a node pool of {top.instance_type}",
                details=f"{count} node(s) of {top.instance_type} in {top.region} ({top.provider}).",
                commands=_cluster_commands(top, count),
            )
        )
    steps += [s.model_copy(update={"order": len(steps) + i}) for i, s in enumerate(pools, start=1)]
    steps.extend(_chart_steps(charts, first=len(steps) + 1))
    is_training = w.task in (TaskType.training, TaskType.fine_tuning)
    steps.append(_train_step(w, len(steps) + 1, top) if is_training else _serve_step(w, len(steps) + 1, vllm))
    steps += [s.model_copy(update={"order": len(steps) + i}) for i, s in enumerate(extra, start=1)]
    steps.append(_verify_step(w, len(steps) + 1))
    return steps


def _shape(w: Workload, top: GpuRecommendation | None, nodes: int) -> JobShape:
    """The job's launch as the artifacts write it (one builder: `artifacts.JobShape`)."""
    task = str(w.task)
    return JobShape(
        task=task,
        model=w.sizing.model_id or w.spec.model_id,
        method=str(w.spec.fine_tuning_method or ("full" if task == "training" else "lora")),
        epochs=w.spec.epochs,
        nodes=nodes,
        gpus_per_node=top.gpu_count if top else 0,
    )


def _kubernetes_job(w: Workload, top: GpuRecommendation, instances: int) -> str:
    """The inputs ConfigMap, then the job (an indexed Job; with a headless Service for several nodes)."""
    shape = _shape(w, top, instances)
    manifests = "---\n".join(
        yaml.safe_dump(d, sort_keys=False, width=120) for d in shape.kubernetes_documents(top.instance_type)
    )
    return f"{shape.configmap_command()}\nkubectl apply -n stack8s -f - <<'EOF'\n{manifests}EOF"


def _skypilot_task(w: Workload, top: GpuRecommendation, job: Job) -> str:
    shape = _shape(w, top, job.instances)
    task = shape.skypilot_task(skypilot_resources(top, bool(w.spec.spot)))
    return (
        f"cat > job.sky.yaml <<'EOF'\n{yaml.safe_dump(task, sort_keys=False, width=120)}EOF\n{shape.skypilot_launch()}"
    )


def build_job_steps(
    w: Workload, top: GpuRecommendation, job: Job, charts: list[ChartRecommendation]
) -> list[DeploymentStep]:
    """Steps for a job with an end: nodes for the run only, the job with checkpoints to object storage,
    then tear the nodes down (or the SkyPilot route, which does all of it)."""
    steps = [
        DeploymentStep(
            order=1,
            title=f"Create the cluster and a node pool of {job.instances} x {top.instance_type} for the run",
            details=f"{job.instances} node(s) of {top.instance_type} in {top.region} ({top.provider}), "
            f"for about {job.wall_clock_hours:,.1f} h.",
            commands=_cluster_commands(top, job.instances),
        )
    ]
    steps.extend(_chart_steps(charts, first=len(steps) + 1))
    steps.append(
        DeploymentStep(
            order=len(steps) + 1,
            title="Run the job (Kubernetes Job), checkpoints to object storage",
            details=f"{job.instances} pod(s), one per node with all {top.gpu_count} GPU(s); the script reads the data "
            "from the bucket and writes checkpoints there, so a restarted pod resumes instead of starting over.",
            commands=[_kubernetes_job(w, top, job.instances)],
        )
    )
    steps.append(
        DeploymentStep(
            order=len(steps) + 1,
            title="Or run it with SkyPilot (no cluster to keep)",
            details="SkyPilot provisions the instances for the run, recovers from spot preemptions and tears them "
            "down at the end.",
            commands=[_skypilot_task(w, top, job)],
        )
    )
    steps.append(
        DeploymentStep(
            order=len(steps) + 1,
            title="Watch the job, then release the nodes",
            details="Follow progress; scale the node pool to zero when the job completes (billing stops).",
            commands=[
                "kubectl -n stack8s get job stack8s-job -w",
                "kubectl -n stack8s logs -f job/stack8s-job",
                "kubectl -n stack8s wait --for=condition=complete job/stack8s-job --timeout=-1s",
            ],
        )
    )
    return steps


def _chart_steps(charts: list[ChartRecommendation], first: int) -> list[DeploymentStep]:
    """One "Install <chart>" step per chart, numbered from `first`."""
    return [
        DeploymentStep(order=first + i, title=f"Install {c.chart}", details=c.purpose, commands=[c.install_command])
        for i, c in enumerate(charts)
    ]
