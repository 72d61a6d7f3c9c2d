"""Deployment steps, in order, with the commands a user runs. Templates filled from the plan."""

from __future__ import annotations

import json
import shlex

from stack8s.agents.architect.workload import Workload
from stack8s.planning.plan import ChartRecommendation, DeploymentStep, GpuRecommendation

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


def _serve_step(w: Workload, order: int) -> DeploymentStep:
    model = w.sizing.model_id or "MODEL_ID"
    if w.is_llm and w.sizing.gpu_needed:
        args = [
            f"--tensor-parallel-size {w.sizing.tensor_parallel}",
            f"--max-model-len {w.spec.context_length or 4096}",
        ]
        if w.sizing.precision in ("int4", "fp8") and not (w.model and w.model.row.quantization):
            args.append("--quantization fp8" if w.sizing.precision == "fp8" else "--quantization bitsandbytes")
        return DeploymentStep(
            order=order,
            title="Serve the model with vLLM",
            details=f"The vllm-stack chart runs {w.replicas * w.copies_per_node} vLLM server(s) with these arguments.",
            commands=[
                f"vllm serve {model} " + " ".join(args),
                "kubectl -n stack8s rollout status deploy --timeout=20m",
            ],
        )
    runtime = "sklearn" if w.spec.domain == "tabular" else "huggingface"
    manifest = (
        "kubectl apply -n stack8s -f - <<'EOF'\n"
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: model\nspec:\n"
        f"  predictor:\n    model:\n      modelFormat:\n        name: {runtime}\n"
        f'      args: ["--model_id={model}"]\n'
        + ("      resources:\n        limits:\n          nvidia.com/gpu: 1\n" if w.sizing.gpu_needed else "")
        + "EOF"
    )
    return DeploymentStep(
        order=order,
        title="Deploy the model server (KServe InferenceService)",
        details=f"Serves {model} with the {runtime} runtime.",
        commands=[manifest],
    )


def _train_step(w: Workload, order: int) -> DeploymentStep:
    model = w.sizing.model_id or "MODEL_ID"
    method = w.spec.fine_tuning_method or ("full" if w.spec.task_type == "training" else "lora")
    return DeploymentStep(
        order=order,
        title="Run the training job on the Ray cluster",
        details=f"{method} training of {model}; checkpoints to object storage; "
        f"{w.sizing.tensor_parallel} GPU(s) per worker group.",
        commands=[
            "kubectl -n stack8s port-forward svc/raycluster-head-svc 8265:8265 &",
            f"ray job submit --address http://localhost:8265 -- python train.py --model {model} --method {method}",
        ],
    )


def _verify_step(w: Workload, order: int) -> DeploymentStep:
    if w.spec.task_type in ("training", "fine_tuning"):
        commands = ["ray job list --address http://localhost:8265", "kubectl -n stack8s get pods -o wide"]
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


def build_steps(w: Workload, top: GpuRecommendation | None, charts: list[ChartRecommendation]) -> list[DeploymentStep]:
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
    for chart in charts:
        steps.append(
            DeploymentStep(
                order=len(steps) + 1,
                title=f"Install {chart.chart}",
                details=chart.purpose,
                commands=[chart.install_command],
            )
        )
    is_training = w.spec.task_type in ("training", "fine_tuning")
    steps.append((_train_step if is_training else _serve_step)(w, len(steps) + 1))
    steps.append(_verify_step(w, len(steps) + 1))
    return steps
