"""Artifacts (Helm values, KServe, Kubernetes Job, SkyPilot/SkyServe YAML): validated offline against the
published schemas (tests/data/schemas, sources in SOURCES.md), and their numbers equal the plan's."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import kubernetes_validate
import pytest
import yaml
from tests.agents.test_architect import plan_for
from tests.api.test_chat import send, start
from tests.cli.test_cli import run
from tests.conftest import SHARED, LiveServer, needs_shared, user_client

from stack8s.cli.ask import emit_artifacts
from stack8s.planning.plan import ARTIFACT_FORMATS, DeploymentPlan

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"
CASES = SHARED / "eval" / "cases.yaml"
K8S_VERSION = "1.33.0"

LLM = "Serve Llama 3.1 8B Instruct for a chatbot with 200 concurrent users"
NON_LLM = "Deploy an XGBoost fraud model on CPU"
JOB = "Fine-tune Llama 3 8B with LoRA on 20k examples"


@cache
def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


def _case_insensitive_enum(validator: Any, enums: list[str], instance: Any, schema: Any) -> Any:
    """SkyPilot's own keyword (sky/utils/common_utils.py validate_schema), checked the same way here."""
    if isinstance(instance, str) and instance.lower() not in {e.lower() for e in enums}:
        yield jsonschema.ValidationError(f"{instance!r} not one of {enums} (case-insensitive)")


SkyValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"case_insensitive_enum": _case_insensitive_enum}
)


def _sky(instance: Any, part: str) -> None:
    SkyValidator(_schema("skypilot-0.14.1.schema.json")[part]).validate(instance)


def _known_keys(data: Any, schema: dict[str, Any], where: str = "") -> None:
    """The chart's schema allows unknown keys; Helm ignores them silently, so a typo would be lost.
    Every key we write must be one the schema names."""
    if isinstance(data, dict) and "properties" in schema:
        for key, value in data.items():
            assert key in schema["properties"], f"{where}.{key} is not in the chart's values.schema.json"
            _known_keys(value, schema["properties"][key], f"{where}.{key}")
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for item in data:
            _known_keys(item, schema["items"], f"{where}[]")


def _arg(command: str, flag: str) -> str | None:
    found = re.search(rf"{re.escape(flag)}[ =](\S+)", command)
    return found.group(1) if found else None


def _serve_command(plan: dict[str, Any]) -> str | None:
    for step in plan["deployment_steps"]:
        for command in step["commands"]:
            if command.startswith("vllm serve"):
                return str(command)
    return None


PLACEHOLDER = re.compile(r"BUCKET|MODEL_ID|model-id|CHANGE_?ME|<[a-z][a-z _-]*>|\bTODO\b")
"""What a user would have to find and replace: none may stay in an artifact (inputs only the user knows are
named at the top as required variables instead)."""


def check_artifacts(plan: dict[str, Any]) -> set[str]:
    """Validate every artifact against its schema and check its numbers against the plan; the formats."""
    artifacts = {a["format"]: a for a in plan["artifacts"]}
    assert len(artifacts) == len(plan["artifacts"]), "one artifact per format"
    assert all(a["format"] in ARTIFACT_FORMATS for a in plan["artifacts"])
    if not plan["gpu_recommendations"]:
        assert not artifacts
        return set()
    top = plan["gpu_recommendations"][0]
    sizing, perf, job = plan["sizing"], top["performance"], plan["job"]
    tp = sizing["tensor_parallel"]
    copies = 1 if top["nodes"] > 1 else max(1, top["gpu_count"] // tp)
    docs = {f: yaml.safe_load(a["content"]) for f, a in artifacts.items() if f != "kubernetes-job"}
    for a in plan["artifacts"]:  # no value a user must find and replace silently (issue 22)
        assert not PLACEHOLDER.search(a["content"]), (a["format"], PLACEHOLDER.search(a["content"]))
        for name in re.findall(r"\$\{([A-Z_]+)\}", a["content"]):  # a value to fill is named at the top
            assert f"Required: {name}:" in a["content"], (a["format"], name)
    task = plan["workload_spec"]["task_type"] or "inference"
    if job is not None or task in ("training", "fine_tuning", "batch_inference"):
        assert set(docs) | {"kubernetes-job"} == set(artifacts) == {"kubernetes-job", "skypilot-task"}, set(artifacts)
        instances = job["instances"] if job else top["instance_count"]
        manifests = list(yaml.safe_load_all(artifacts["kubernetes-job"]["content"]))
        for manifest in manifests:
            kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
        k8s_job = next(m for m in manifests if m["kind"] == "Job")
        required = [n for n in ("DATA_URI", "INPUT_URI") if f"${n}" in str(k8s_job)]
        assert required and all(f"Required: {n}:" in artifacts["kubernetes-job"]["content"] for n in required)
        assert k8s_job["spec"]["completions"] == k8s_job["spec"]["parallelism"] == instances
        container = k8s_job["spec"]["template"]["spec"]["containers"][0]
        if top["gpu_count"]:
            assert container["resources"]["limits"]["nvidia.com/gpu"] == top["gpu_count"]
        assert "--checkpoint-dir" in container["command"][-1] or task == "batch_inference"
        distributed = instances > 1 and task != "batch_inference" and top["gpu_count"]
        if distributed:  # one torchrun job over the nodes, not N copies of one script (issue 22)
            service = next(m for m in manifests if m["kind"] == "Service")
            assert service["spec"]["clusterIP"] == "None"
            assert service["spec"]["selector"].items() <= k8s_job["spec"]["template"]["metadata"]["labels"].items()
            assert k8s_job["spec"]["template"]["spec"]["subdomain"] == service["metadata"]["name"]
            assert f"--nnodes={instances}" in container["command"][-1]
            assert (
                f"--master-addr={k8s_job['metadata']['name']}-0.{service['metadata']['name']}"
                in container["command"][-1]
            )
        task_yaml = docs["skypilot-task"]
        _sky(task_yaml, "task")
        _sky(task_yaml["resources"], "resources")
        for mount in task_yaml["file_mounts"].values():
            _sky(mount, "storage")
        assert task_yaml["num_nodes"] == instances
        if distributed:
            assert "torchrun" in task_yaml["run"] and "$SKYPILOT_NODE_RANK" in task_yaml["run"]
        assert all(task_yaml["envs"][n] is None for n in ("DATA_URI", "INPUT_URI") if n in task_yaml["envs"])
        assert task_yaml["resources"]["instance_type"] == top["instance_type"]
        assert "/checkpoints" in task_yaml["file_mounts"]
        if top["gpu_model"] and top["gpu_count"]:
            assert task_yaml["resources"]["accelerators"] == {top["gpu_model"]: top["gpu_count"]}
    elif sizing["max_model_len"] is not None:
        assert set(docs) == {"vllm-production-stack-values", "skyserve-service", "kserve-inferenceservice"}, set(docs)
        vllm = plan["vllm"]
        assert (vllm["tensor_parallel_size"], vllm["max_model_len"]) == (tp, sizing["max_model_len"])
        isvc = docs["kserve-inferenceservice"]
        jsonschema.Draft7Validator(_schema("kserve-inferenceservice-v1beta1.schema.json")).validate(isvc)
        predictor = isvc["spec"]["predictor"]
        args = predictor["model"]["args"]
        assert predictor["model"]["modelFormat"]["name"] == "huggingface" and "--backend=vllm" in args
        assert f"--model_id={vllm['model']}" in args
        assert f"--tensor-parallel-size={tp}" in args and f"--max-model-len={sizing['max_model_len']}" in args
        assert predictor["model"]["resources"]["limits"]["nvidia.com/gpu"] == tp * vllm["pipeline_parallel_size"]
        servers = top["replicas"] if perf is not None else top["instance_count"] // top["nodes"] * copies
        assert predictor["minReplicas"] == predictor["maxReplicas"] == servers
        values = docs["vllm-production-stack-values"]
        chart_schema = _schema("vllm-production-stack.values.schema.json")
        jsonschema.validators.validator_for(chart_schema)(chart_schema).validate(values)
        _known_keys(values, chart_schema)
        spec = values["servingEngineSpec"]["modelSpec"][0]
        assert spec["modelURL"] == vllm["model"]
        # a ReadWriteOnce volume attaches to one node: servers on several nodes each keep their own cache
        multi_node = top["instance_count"] > 1 or top["nodes"] > 1
        assert ("pvcStorage" in spec) is not multi_node or "ReadWriteMany" in spec.get("pvcAccessMode", [])
        assert spec["vllmConfig"]["tensorParallelSize"] == spec["requestGPU"] == tp
        assert spec["vllmConfig"]["maxModelLen"] == sizing["max_model_len"]
        if perf is not None:
            assert perf["tensor_parallel"] == tp
            assert spec["replicaCount"] == top["replicas"] == top["instance_count"] * copies
        else:
            assert spec["replicaCount"] == top["instance_count"] // top["nodes"] * copies
        service = docs["skyserve-service"]
        _sky(service, "task")
        _sky(service["resources"], "resources")
        _sky(service["service"], "service")
        policy = service["service"]["replica_policy"]
        assert policy["min_replicas"] == top["instance_count"] // top["nodes"]
        assert policy["max_replicas"] >= policy["min_replicas"]
        if perf is not None:
            assert policy["target_qps_per_replica"] == pytest.approx(perf["requests_per_s"] * copies, rel=1e-3)
        assert service["resources"]["accelerators"] == {top["gpu_model"]: top["gpu_count"]}
        assert service["resources"]["instance_type"] == top["instance_type"]
        assert _arg(service["run"], "--tensor-parallel-size") == str(tp)
        assert _arg(service["run"], "--max-model-len") == str(sizing["max_model_len"])
        # one engine version: the one whose profile sized the memory, in every artifact and step (issue 22)
        version = vllm["version"]
        assert spec["tag"] == f"v{version}" and f"pip install vllm=={version}" in service["setup"]
        assert any(f"served as vLLM {version}" in a for a in plan["assumptions"]), plan["assumptions"]
        installs = [c for step in plan["deployment_steps"] for c in step["commands"] if "vllm-stack" in c]
        assert all(f"tag=v{version}" in c for c in installs if "modelSpec[0].tag" in c) and installs
        command = _serve_command(plan)  # the plan's own steps say the same
        assert command is not None
        assert _arg(command, "--tensor-parallel-size") == str(tp)
        assert _arg(command, "--max-model-len") == str(sizing["max_model_len"])
    else:
        assert set(docs) == {"kserve-inferenceservice"}, set(docs)
        isvc = docs["kserve-inferenceservice"]
        jsonschema.Draft7Validator(_schema("kserve-inferenceservice-v1beta1.schema.json")).validate(isvc)
        predictor = isvc["spec"]["predictor"]
        assert predictor["minReplicas"] == predictor["maxReplicas"] == top["replicas"]
        limits = predictor["model"]["resources"]["limits"]
        if sizing["gpu_needed"] and top["gpu_count"]:
            assert limits["nvidia.com/gpu"] == tp
        else:
            assert "nvidia.com/gpu" not in limits
    return set(artifacts)


# --- the schemas themselves catch mistakes (so a pass means something) ---


def test_the_validators_reject_wrong_artifacts() -> None:
    with pytest.raises(jsonschema.ValidationError):
        _sky({"num_nodes": "two", "resources": {}}, "task")
    with pytest.raises(jsonschema.ValidationError):
        _sky({"replica_policy": {"max_replicas": 2}}, "service")  # min_replicas is required
    with pytest.raises(jsonschema.ValidationError):
        _sky({"cloud": "not-a-cloud"}, "resources")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(
            {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"}, "spec": {"completion": 2}},
            K8S_VERSION,
            strict=True,
        )
    isvc = {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {}}
    with pytest.raises(jsonschema.ValidationError):
        bad = {**isvc, "spec": {"predictor": {"model": {"modelFormat": {}}}}}  # modelFormat.name required
        jsonschema.Draft7Validator(_schema("kserve-inferenceservice-v1beta1.schema.json")).validate(bad)
    chart = _schema("vllm-production-stack.values.schema.json")
    with pytest.raises(jsonschema.ValidationError):
        bad_values = {"servingEngineSpec": {"modelSpec": [{"replicaCount": "two"}]}}
        jsonschema.validators.validator_for(chart)(chart).validate(bad_values)
    with pytest.raises(AssertionError):
        _known_keys({"servingEngineSpec": {"modelSpec": [{"vllmConfig": {"tensorParalelSize": 2}}]}}, chart)


# --- plans through HTTP ---


@pytest.mark.parametrize(
    ("message", "formats"),
    [
        (LLM, {"vllm-production-stack-values", "skyserve-service", "kserve-inferenceservice"}),
        (NON_LLM, {"kserve-inferenceservice"}),
        (JOB, {"kubernetes-job", "skypilot-task"}),
        ("Pretrain a 1.3B GPT model from scratch on 26B tokens", {"kubernetes-job", "skypilot-task"}),
        ("Help me set up Stable Diffusion XL for generating marketing images", {"kserve-inferenceservice"}),
    ],
)
def test_artifacts_validate_and_match_the_plan(client: httpx.Client, message: str, formats: set[str]) -> None:
    plan = plan_for(client, message)["deployment_plan"]
    assert check_artifacts(plan) == formats


def test_multi_gpu_llm_plan_carries_tensor_parallel_into_the_artifacts(client: httpx.Client) -> None:
    plan = plan_for(client, "I need to deploy Llama 70B for inference")["deployment_plan"]
    check_artifacts(plan)
    content = next(a["content"] for a in plan["artifacts"] if a["format"] == "vllm-production-stack-values")
    values = yaml.safe_load(content)
    assert values["servingEngineSpec"]["modelSpec"][0]["vllmConfig"]["tensorParallelSize"] >= 2


def test_servers_on_many_nodes_share_no_read_write_once_volume(client: httpx.Client) -> None:
    """Issue 22: 13 one-GPU nodes all mounted the chart's single ReadWriteOnce claim and hung on attach."""
    plan = plan_for(client, "Llama 3.1 8B at 100 requests/s")["deployment_plan"]
    check_artifacts(plan)
    top = plan["gpu_recommendations"][0]
    assert top["instance_count"] > 1, top
    content = next(a["content"] for a in plan["artifacts"] if a["format"] == "vllm-production-stack-values")
    spec = yaml.safe_load(content)["servingEngineSpec"]["modelSpec"][0]
    assert "pvcStorage" not in spec and "its own cache" in content


def test_artifacts_endpoint(client: httpx.Client, live: LiveServer) -> None:
    cid = start(client)
    assert client.get(f"/api/v1/chat/{cid}/artifacts").status_code == 404  # no plan yet
    plan = send(client, cid, LLM).json()["deployment_plan"]
    listed = client.get(f"/api/v1/chat/{cid}/artifacts")
    assert listed.status_code == 200 and listed.headers["content-type"].startswith("application/json")
    assert listed.json() == plan["artifacts"]
    one = client.get(f"/api/v1/chat/{cid}/artifacts", params={"format": "vllm-production-stack-values"})
    assert one.status_code == 200, one.text
    assert one.headers["content-type"].startswith("application/yaml")
    assert one.text == plan["artifacts"][0]["content"]
    assert "vllm-stack-values.yaml" in one.headers["content-disposition"]
    unknown = client.get(f"/api/v1/chat/{cid}/artifacts", params={"format": "docker-compose"})
    assert unknown.status_code == 422 and unknown.json()["error"]
    absent = client.get(f"/api/v1/chat/{cid}/artifacts", params={"format": "kubernetes-job"})
    assert absent.status_code == 404 and "vllm-production-stack-values" in absent.json()["detail"]
    with user_client(live, "someone-else") as other:
        assert other.get(f"/api/v1/chat/{cid}/artifacts").status_code == 404
    # the latest plan wins
    send(client, cid, JOB)
    latest = client.get(f"/api/v1/chat/{cid}/artifacts").json()
    assert {a["format"] for a in latest} == {"kubernetes-job", "skypilot-task"}


def test_emit_writes_each_artifact(client: httpx.Client, tmp_path: Path) -> None:
    plan = DeploymentPlan.model_validate(plan_for(client, JOB)["deployment_plan"])
    written = emit_artifacts(plan, tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(a.filename for a in plan.artifacts)
    for artifact in plan.artifacts:
        assert (tmp_path / "out" / artifact.filename).read_text() == artifact.content


def test_ask_emit_from_the_command_line(live: LiveServer, tmp_path: Path) -> None:
    """`stack8s ask --emit DIR`, run as a user would (attaching to the test server's database)."""
    result = run(live.settings.data_dir, "ask", "Serve Mistral 7B Instruct on AWS", "--emit", str(tmp_path))
    assert "wrote" in result.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"vllm-stack-values.yaml", "skyserve.yaml", "inferenceservice.yaml"}
    values = yaml.safe_load((tmp_path / "vllm-stack-values.yaml").read_text())
    assert values["servingEngineSpec"]["modelSpec"][0]["vllmConfig"]["tensorParallelSize"] >= 1


# --- every plan of the shared evaluation cases ---


def _cases() -> list[dict[str, Any]]:
    if not CASES.is_file():
        return []
    loaded: list[dict[str, Any]] = yaml.safe_load(CASES.read_text())
    return loaded


@needs_shared()
@pytest.mark.skipif(not CASES.is_file(), reason=f"{CASES} not found (../shared beside the project)")
@pytest.mark.parametrize("case", _cases(), ids=lambda c: str(c["id"]))
def test_every_eval_case_plan_has_valid_artifacts(client: httpx.Client, case: dict[str, Any]) -> None:
    cid = start(client)
    plans = 0
    for turn in case["turns"]:
        response = send(client, cid, turn["message"])
        assert response.status_code == 200, response.text
        plan = response.json().get("deployment_plan")
        if plan is not None:
            check_artifacts(plan)
            assert plan["artifacts"] or not plan["gpu_recommendations"]
            plans += 1
    wanted = any((t.get("expect") or {}).get("response_type") == "deployment_plan" for t in case["turns"])
    assert plans or not wanted, "the case expects a plan and none came"
    if plans == 0:
        pytest.skip("the case expects no plan (clarifications only)")


def _artifact(plan: dict[str, Any], fmt: str) -> str:
    return str(next(a["content"] for a in plan["artifacts"] if a["format"] == fmt))


def test_a_model_the_hugging_face_server_cannot_serve_gets_a_runtime_that_can(client: httpx.Client) -> None:
    """Issue 22: ResNet-50 went to KServe's Hugging Face server, which fails with "Task couldn't be inferred"."""
    plan = plan_for(client, "ResNet-50 on GCP")["deployment_plan"]
    check_artifacts(plan)
    content = _artifact(plan, "kserve-inferenceservice")
    model = yaml.safe_load(content)["spec"]["predictor"]["model"]
    assert model["modelFormat"]["name"] == "pytorch" and model["storageUri"] == "${MODEL_URI}"
    assert "Required: MODEL_URI:" in content and "torch-model-archiver" in content
    steps = " ".join(c for s in plan["deployment_steps"] for c in s["commands"])
    assert "name: pytorch" in steps and "huggingface" not in steps


def test_a_text_classifier_runs_on_the_hugging_face_server_with_its_task(client: httpx.Client) -> None:
    plan = plan_for(client, "Serve distilbert-base-uncased-finetuned-sst-2-english for sentiment on AWS")[
        "deployment_plan"
    ]
    check_artifacts(plan)
    model = yaml.safe_load(_artifact(plan, "kserve-inferenceservice"))["spec"]["predictor"]["model"]
    assert model["modelFormat"]["name"] == "huggingface" and "--task=sequence_classification" in model["args"]


def test_a_multi_node_fine_tune_is_one_distributed_job(client: httpx.Client) -> None:
    """Issue 22: 13 nodes each ran `python train.py` on its own (no rendezvous, no master address)."""
    plan = plan_for(client, "Full fine-tune of Llama 3.1 70B on 10B tokens in 2 days")["deployment_plan"]
    check_artifacts(plan)  # asserts the headless Service, torchrun --nnodes and SkyPilot's node ranks
    assert plan["job"]["instances"] > 1, plan["job"]
    manifests = list(yaml.safe_load_all(_artifact(plan, "kubernetes-job")))
    assert [m["kind"] for m in manifests] == ["Service", "Job"]


def test_pretraining_names_the_architecture_it_needs(client: httpx.Client) -> None:
    """No `--model MODEL_ID`: the architecture to train is a required input named at the top."""
    plan = plan_for(client, "Pretrain a 1.3B GPT model from scratch on 26B tokens")["deployment_plan"]
    check_artifacts(plan)
    for fmt in ("kubernetes-job", "skypilot-task"):
        content = _artifact(plan, fmt)
        assert "$MODEL_CONFIG" in content and "Required: MODEL_CONFIG:" in content
