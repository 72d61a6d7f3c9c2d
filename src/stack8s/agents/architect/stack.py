"""The Kubernetes stack: the serving (or training) charts for the task, what the user asked for, and
monitoring. Each chart is looked up in the catalog with the chart search tool, never invented."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from psycopg import AsyncConnection

from stack8s.agents.architect.steps import vllm_max_model_len
from stack8s.agents.architect.workload import Workload, serves_rag
from stack8s.planning.plan import VLLM_IMAGE, VLLM_VERSION, ChartRecommendation
from stack8s.tools import k8s
from stack8s.tools.schemas import ChartHit, ChartQuery

# need -> (chart search query, purpose). The search ranks an exact chart name first.
NEEDS: dict[str, tuple[str, str]] = {
    "llm-serving": ("vllm-stack", "vLLM production stack: OpenAI-compatible LLM serving with a router"),
    "model-serving": ("kserve", "KServe: model serving (InferenceService) with autoscaling"),
    "model-serving-crd": ("kserve-crd", "KServe custom resource definitions (install before kserve)"),
    "batch": ("kueue", "Kueue: queues and quotas for batch Jobs on shared GPUs"),
    "gpu-nvidia": ("gpu-operator", "NVIDIA GPU operator: drivers, device plugin, DCGM metrics"),
    "gpu-amd": ("gpu-operator-charts", "AMD GPU operator: ROCm drivers and device plugin"),
    "monitoring": ("kube-prometheus-stack", "Prometheus, Alertmanager and Grafana for cluster and GPU metrics"),
    "logging": ("loki", "Loki: log aggregation"),
    "mlflow": ("mlflow", "MLflow: experiment tracking and model registry"),
    "kafka": ("kafka", "Apache Kafka: event streaming"),
    "redis": ("redis", "Redis: cache and queues"),
    "postgresql": ("postgresql", "PostgreSQL database"),
    "airflow": ("airflow", "Apache Airflow: workflow scheduling"),
    "spark": ("spark", "Apache Spark: distributed data processing"),
    "minio": ("minio", "MinIO: S3-compatible object storage for datasets and checkpoints"),
    "vector-database": ("qdrant", "Qdrant: vector database for semantic search / RAG"),
    "jupyterhub": ("jupyterhub", "JupyterHub: notebooks for the team"),
    "ray": ("kuberay-operator", "KubeRay operator: Ray clusters"),
    "kserve": ("kserve", "KServe: model serving"),
    "argo": ("argo-workflows", "Argo Workflows: pipelines as DAGs"),
    "keda": ("keda", "KEDA: event-driven autoscaling"),
    "autoscaling": ("keda", "KEDA: event-driven autoscaling"),
    "ingress": ("traefik", "Ingress controller"),
    "cert-manager": ("cert-manager", "cert-manager: TLS certificates"),
    "elasticsearch": ("elasticsearch", "Elasticsearch: search and logs"),
    "rabbitmq": ("rabbitmq", "RabbitMQ: message broker"),
    "mongodb": ("mongodb", "MongoDB database"),
    "clickhouse": ("clickhouse", "ClickHouse: analytics database"),
    "label-studio": ("label-studio", "Label Studio: data labelling"),
    "grafana": ("grafana", "Grafana dashboards"),
    "open-webui": ("open-webui", "Open WebUI: chat front end for the model"),
}
NAMESPACES = {"gpu-nvidia": "gpu-operator", "gpu-amd": "gpu-operator", "monitoring": "monitoring"}


AMD_GPUS = ("MI",)


def core_needs(w: Workload, gpu_model: str | None = None) -> list[str]:
    """The charts the task needs; the GPU operator follows the GPU of the recommended instance."""
    task = w.task
    needs: list[str] = []
    if w.sizing.gpu_needed:
        gpu = gpu_model or w.spec.gpu_preference or ""
        needs.append("gpu-amd" if gpu.upper().startswith(AMD_GPUS) else "gpu-nvidia")
    if task in ("training", "fine_tuning"):
        needs.append("batch")  # the run is a Kubernetes Job (steps.build_job_steps); Kueue queues it
    elif task == "batch_inference":
        needs += ["batch"] + (["llm-serving"] if w.is_llm else [])
    elif w.is_llm and w.sizing.gpu_needed:
        needs.append("llm-serving")
        if serves_rag(w):
            needs.append("vector-database")  # the RAG system's retrieval (agents/architect/rag.py sizes it)
    else:
        needs += ["model-serving-crd", "model-serving"]
    return needs


def all_needs(w: Workload, gpu_model: str | None = None) -> list[str]:
    asked = [n for n in w.spec.kubernetes_needs if n]
    ordered = [*core_needs(w, gpu_model), *asked, "monitoring"]
    return list(dict.fromkeys(ordered))


async def _find(conn: AsyncConnection[dict[str, Any]], need: str) -> tuple[ChartHit, str] | None:
    query, purpose = NEEDS.get(need, (need, f"{need} (as requested)"))
    hits = await k8s.search(conn, ChartQuery(query=query[:200], top_k=10))
    usable = [h for h in hits if not h.deprecated]
    return (usable[0], purpose) if usable else None


def _values(need: str, w: Workload) -> list[str]:
    if need == "llm-serving":
        model = w.sizing.model_id or "MODEL_ID"
        spec = "servingEngineSpec.modelSpec[0]"
        context = vllm_max_model_len(w)
        return [
            f"{spec}.name=llm",
            f"{spec}.repository={VLLM_IMAGE}",
            f"{spec}.tag=v{VLLM_VERSION}",
            f"{spec}.modelURL={model}",
            f"{spec}.replicaCount={w.replicas * w.copies_per_node}",
            f"{spec}.requestGPU={w.sizing.tensor_parallel}",
            f"{spec}.vllmConfig.tensorParallelSize={w.sizing.tensor_parallel}",
            f"{spec}.vllmConfig.maxModelLen={context}",
        ]
    if need == "gpu-nvidia":
        return ["driver.enabled=true", "toolkit.enabled=true"]
    return []


def install_command(hit: ChartHit, need: str, w: Workload, values: Sequence[str] = ()) -> str:
    """`helm install` of the chart, with the values the plan sets (`values`: more, from a part sized
    elsewhere, such as a RAG plan's vector store)."""
    release = re.sub(r"[^a-z0-9-]", "-", hit.name.lower())[:53]
    namespace = NAMESPACES.get(need, "stack8s")
    sets = " ".join(f"--set {shlex.quote(v)}" for v in [*_values(need, w), *values])
    version = f" --version {shlex.quote(hit.version)}" if hit.version else ""
    if hit.repository_url.startswith("oci://"):
        target = f"{hit.repository_url.rstrip('/')}/{hit.name}"
        prefix = ""
    else:
        target = f"{hit.repository}/{hit.name}"
        prefix = f"helm repo add {hit.repository} {hit.repository_url} && helm repo update && "
    command = f"{prefix}helm install {release} {target} -n {namespace} --create-namespace{version}"
    return f"{command} {sets}".rstrip()


async def choose_stack(
    conn: AsyncConnection[dict[str, Any]],
    w: Workload,
    gpu_model: str | None = None,
    values: Mapping[str, Sequence[str]] | None = None,
) -> tuple[list[ChartRecommendation], list[str]]:
    """The charts of the plan, each found in the catalog; `values` adds --set values per need."""
    charts: list[ChartRecommendation] = []
    missing: list[str] = []
    seen: set[tuple[str, str]] = set()
    for need in all_needs(w, gpu_model):
        found = await _find(conn, need)
        if found is None:
            missing.append(need)
            continue
        hit, purpose = found
        if (hit.repository, hit.name) in seen:
            continue
        seen.add((hit.repository, hit.name))
        charts.append(
            ChartRecommendation(
                chart=hit.name,
                repository=hit.repository,
                repository_url=hit.repository_url,
                version=hit.version,
                purpose=purpose,
                install_command=install_command(hit, need, w, (values or {}).get(need, ())),
            )
        )
    return charts, missing
