"""Local cluster check: is a Kubernetes cluster reachable through the kubeconfig, and what GPUs has it?"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import anyio.to_thread
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)
GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu", "gpu.intel.com/i915")


class NodeInfo(BaseModel):
    name: str
    ready: bool
    allocatable_gpus: int
    gpu_product: str | None = None
    cpu: str | None = None
    memory: str | None = None


class ClusterStatus(BaseModel):
    connected: bool
    reason: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    server: str | None = None
    nodes: list[NodeInfo] = Field(default_factory=list)
    total_allocatable_gpus: int = 0


def default_kubeconfig() -> Path | None:
    env = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
    path = Path(env).expanduser() if env else Path.home() / ".kube" / "config"
    return path if path.is_file() else None


class ClusterProbe:
    def __init__(self, kubeconfig: Path | None = None, timeout_seconds: float = 3.0) -> None:
        self._explicit = kubeconfig
        self.timeout_seconds = timeout_seconds

    async def status(self) -> ClusterStatus:
        path = self._explicit or default_kubeconfig()
        if path is None:
            return ClusterStatus(connected=False, reason="no kubeconfig found (set KUBECONFIG or ~/.kube/config)")
        return await anyio.to_thread.run_sync(self._probe, path)

    def _probe(self, path: Path) -> ClusterStatus:
        from kubernetes import client, config

        base = ClusterStatus(connected=False, kubeconfig=str(path))
        try:
            # the kubernetes client ships no annotations for these two helpers
            api_client = config.new_client_from_config(config_file=str(path))  # type: ignore[no-untyped-call]
            _, active = config.list_kube_config_contexts(config_file=str(path))  # type: ignore[no-untyped-call]
            base.context, base.server = active.get("name"), api_client.configuration.host
            nodes = client.CoreV1Api(api_client).list_node(_request_timeout=self.timeout_seconds)
        except Exception as exc:  # unreachable, bad config, TLS, auth: all mean "not connected"
            log.info("local_cluster.unreachable error=%s", type(exc).__name__)
            base.reason = f"cluster not reachable: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            return base
        infos = sorted((_node_info(n) for n in nodes.items), key=lambda n: n.name)
        return base.model_copy(
            update={"connected": True, "nodes": infos, "total_allocatable_gpus": sum(n.allocatable_gpus for n in infos)}
        )


def _node_info(node: Any) -> NodeInfo:
    allocatable = node.status.allocatable or {}
    gpus = sum(int(allocatable.get(r, 0) or 0) for r in GPU_RESOURCES)
    labels = node.metadata.labels or {}
    ready = any(c.type == "Ready" and c.status == "True" for c in node.status.conditions or [])
    return NodeInfo(
        name=node.metadata.name,
        ready=ready,
        allocatable_gpus=gpus,
        gpu_product=labels.get("nvidia.com/gpu.product"),
        cpu=allocatable.get("cpu"),
        memory=allocatable.get("memory"),
    )
