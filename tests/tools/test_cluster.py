"""Local cluster check against a local HTTP server that answers the Kubernetes node list."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import pytest
import yaml
from tests.conftest import free_port

from stack8s.tools.cluster import ClusterProbe

NODES = {
    "kind": "NodeList",
    "apiVersion": "v1",
    "metadata": {},
    "items": [
        {
            "metadata": {"name": "gpu-1", "labels": {"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"}},
            "status": {
                "allocatable": {"cpu": "96", "memory": "1Ti", "nvidia.com/gpu": "8"},
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        },
        {
            "metadata": {"name": "cpu-1", "labels": {}},
            "status": {
                "allocatable": {"cpu": "8", "memory": "32Gi"},
                "conditions": [{"type": "Ready", "status": "False"}],
            },
        },
    ],
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/api/v1/nodes"):
            body = json.dumps(NODES).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def kube_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def kubeconfig(path: Path, server: str) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "test",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "test", "context": {"cluster": "c", "user": "u"}}],
    }
    path.write_text(yaml.safe_dump(config))
    return path


def test_reports_nodes_and_gpus(tmp_path: Path, kube_api: str) -> None:
    status = anyio.run(ClusterProbe(kubeconfig(tmp_path / "config", kube_api)).status)
    assert status.connected and status.context == "test"
    assert [n.name for n in status.nodes] == ["cpu-1", "gpu-1"]
    assert status.total_allocatable_gpus == 8
    gpu = status.nodes[1]
    assert gpu.ready and gpu.gpu_product == "NVIDIA-H100-80GB-HBM3"
    assert status.nodes[0].ready is False


def test_unreachable_cluster_is_not_connected(tmp_path: Path) -> None:
    probe = ClusterProbe(kubeconfig(tmp_path / "config", f"http://127.0.0.1:{free_port()}"), timeout_seconds=1)
    status = anyio.run(probe.status)
    assert not status.connected and "not reachable" in (status.reason or "")


def test_no_kubeconfig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.setenv("HOME", str(tmp_path))
    status = anyio.run(ClusterProbe().status)
    assert not status.connected and "no kubeconfig" in (status.reason or "")


def test_endpoint(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/tools/local/status")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["connected"], bool) and isinstance(body["nodes"], list)
    assert body["connected"] or body["reason"]  # not connected always says why
