"""Files a user applies or keeps in git, generated from a plan's numbers (pure: plan in, artifacts out).

LLM serving (vLLM): a values file for the vLLM production-stack chart, a SkyServe service and a KServe
InferenceService (KServe's Hugging Face runtime with its vLLM backend), all from the plan's `vllm` settings.
Other serving: a KServe InferenceService. Jobs (training, fine-tuning, batch): a Kubernetes batch/v1 Job
and a SkyPilot task, both checkpointing to object storage. GPU counts, tensor parallelism, max model
length and replicas are the plan's own (tests check that they agree)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from stack8s.planning.plan import VLLM_IMAGE, Artifact, DeploymentPlan, GpuRecommendation, VllmServing

NAMESPACE = "stack8s"
VLLM_PORT = 8000
TRAIN_IMAGE = "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime"
INSTANCE_LABEL = "node.kubernetes.io/instance-type"
BURST_FACTOR = 2  # SkyServe max_replicas = this x the replicas sized for the load (bursts, billed while up)
JOB_TASKS = ("training", "fine_tuning", "batch_inference")
JOB_NAME = "stack8s-job"
JOB_INPUTS = "stack8s-job-inputs"  # the ConfigMap holding a run's inputs (data location, checkpoints)
MASTER_PORT = 29500  # torchrun's rendezvous port on the rank-0 pod


@dataclass(frozen=True)
class JobShape:
    """What a job's launch needs, from the plan: one place for the Kubernetes Job, the SkyPilot task and the
    plan's steps. A run on several nodes is one distributed job (torchrun with a rendezvous on rank 0: an
    indexed Job with a headless Service, or SkyPilot's node ranks), never N copies of one script."""

    task: str  # training | fine_tuning | batch_inference
    model: str | None  # None: pretraining an architecture the user names (MODEL_CONFIG)
    method: str
    epochs: float | None
    nodes: int
    gpus_per_node: int

    def inputs(self) -> dict[str, str]:
        """The values only the user knows, named at the top of every artifact that needs them."""
        if self.task == "batch_inference":
            out = {
                "INPUT_URI": "where the inputs are, an object-storage path such as s3://your-bucket/input/",
                "OUTPUT_URI": "where the outputs go, an object-storage path",
            }
        else:
            out = {"DATA_URI": "where the training data is, an object-storage path such as s3://your-bucket/data/"}
        if self.model is None:
            out["MODEL_CONFIG"] = (
                "the architecture to train: a Hugging Face model id whose config.json the run starts from "
                "(the plan's model table lists references of this size)"
            )
        return out

    def bucket(self) -> str:
        return f"stack8s-checkpoints-{_slug(self.model, self.task.replace('_', '-'), 30)}"

    def command(self, launcher: str) -> str:
        """The run's command under `launcher` ("kubernetes": an indexed Job; "skypilot": a managed job)."""
        model = self.model or "$MODEL_CONFIG"
        rank = "$JOB_COMPLETION_INDEX" if launcher == "kubernetes" else "$SKYPILOT_NODE_RANK"
        if self.task == "batch_inference":
            shard = f" --shard {rank} --num-shards {self.nodes}" if self.nodes > 1 else ""
            return f"python batch.py --model {model} --input $INPUT_URI --output $OUTPUT_URI{shard}"
        epochs = f" --epochs {self.epochs:g}" if self.epochs else ""
        script = (
            f"train.py --model {model} --method {self.method}{epochs} --data $DATA_URI "
            "--checkpoint-dir $CHECKPOINT_DIR --resume-from-latest"
        )
        if not self.gpus_per_node:
            return f"python {script}"
        if launcher == "skypilot":
            launch = (
                "torchrun --nnodes=$SKYPILOT_NUM_NODES --nproc-per-node=$SKYPILOT_NUM_GPUS_PER_NODE "
                '--node-rank=$SKYPILOT_NODE_RANK --master-addr=$(echo "$SKYPILOT_NODE_IPS" | head -n1) '
                f"--master-port={MASTER_PORT}"
            )
        elif self.nodes > 1:
            launch = (
                f"torchrun --nnodes={self.nodes} --nproc-per-node={self.gpus_per_node} "
                f"--node-rank=$JOB_COMPLETION_INDEX --master-addr={JOB_NAME}-0.{JOB_NAME} --master-port={MASTER_PORT}"
            )
        else:
            launch = f"torchrun --standalone --nproc-per-node={self.gpus_per_node}"
        return f"{launch} {script}"

    def skypilot_task(self, resources: dict[str, Any]) -> dict[str, Any]:
        """The SkyPilot managed job: the nodes, a checkpoint bucket it creates, the inputs as required envs."""
        return {
            "name": JOB_NAME,
            "num_nodes": self.nodes,
            "resources": {**resources, "job_recovery": {"max_restarts_on_errors": 3}},
            "file_mounts": {"/checkpoints": {"name": self.bucket(), "mode": "MOUNT"}},
            "envs": {**dict.fromkeys(self.inputs()), "CHECKPOINT_DIR": "/checkpoints"},
            "run": self.command("skypilot") + "\n",
        }

    def skypilot_launch(self) -> str:
        required = " ".join(f"--env {name}=..." for name in self.inputs())
        return f"sky jobs launch job.sky.yaml {required}  # managed job: recovers from spot preemption"

    def configmap_command(self) -> str:
        """The command that sets the run's inputs on Kubernetes (the Job reads them from the ConfigMap)."""
        keys = [*self.inputs(), *([] if self.task == "batch_inference" else ["CHECKPOINT_URI"])]
        literals = " ".join(f"--from-literal={k}=..." for k in keys)
        return f"kubectl -n {NAMESPACE} create configmap {JOB_INPUTS} {literals}"

    def kubernetes_header(self) -> list[str]:
        lines = [f"Required: {name}: {what}." for name, what in self.inputs().items()]
        if self.task != "batch_inference":
            lines.append("Required: CHECKPOINT_URI: an object-storage path for checkpoints (a restarted pod resumes).")
        lines.append(f"Set them first: {self.configmap_command()}")
        if self.nodes > 1:
            lines.append(
                f"{self.nodes} pods, one per node, run as one torchrun job: rank 0 is {JOB_NAME}-0.{JOB_NAME} (the "
                "headless Service below)."
            )
        return lines

    def kubernetes_documents(self, instance_type: str) -> list[dict[str, Any]]:
        """The headless Service (several nodes: torchrun's rendezvous) and the indexed Job."""
        env: list[dict[str, Any]] = []
        if self.task != "batch_inference":
            ref = {"configMapKeyRef": {"name": JOB_INPUTS, "key": "CHECKPOINT_URI"}}
            env.append({"name": "CHECKPOINT_DIR", "valueFrom": ref})
        container: dict[str, Any] = {
            "name": "job",
            "image": TRAIN_IMAGE,
            "command": ["bash", "-c", self.command("kubernetes")],
            "envFrom": [{"configMapRef": {"name": JOB_INPUTS}}],
            "env": env,
        }
        if self.nodes > 1:
            container["ports"] = [{"containerPort": MASTER_PORT, "name": "rendezvous"}]
        if self.gpus_per_node:
            container["resources"] = {"limits": {"nvidia.com/gpu": self.gpus_per_node}}
        pod: dict[str, Any] = {
            "restartPolicy": "Never" if self.nodes > 1 else "OnFailure",
            "nodeSelector": {INSTANCE_LABEL: instance_type},
            "containers": [container],
        }
        if self.nodes > 1:
            pod["subdomain"] = JOB_NAME
        job = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": JOB_NAME, "namespace": NAMESPACE},
            "spec": {
                "completions": self.nodes,
                "parallelism": self.nodes,
                "completionMode": "Indexed",
                "backoffLimit": 3,
                "template": {"metadata": {"labels": {"app": JOB_NAME}}, "spec": pod},
            },
        }
        if self.nodes == 1:
            return [job]
        service = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": JOB_NAME, "namespace": NAMESPACE},
            "spec": {
                "clusterIP": "None",
                "selector": {"app": JOB_NAME},
                "ports": [{"name": "rendezvous", "port": MASTER_PORT}],
            },
        }
        return [service, job]


def build_artifacts(plan: DeploymentPlan) -> list[Artifact]:
    """The artifacts for the plan's top recommendation; none without one."""
    if not plan.gpu_recommendations:
        return []
    top = plan.gpu_recommendations[0]
    task = str(plan.workload_spec.task_type or "inference")
    if plan.job is not None or task in JOB_TASKS:
        return [_kubernetes_job(plan, top), _skypilot_task(plan, top)]
    if plan.vllm is not None:
        return [
            _vllm_values(plan, top, plan.vllm),
            _skyserve(plan, top, plan.vllm),
            _llm_inference_service(plan, top, plan.vllm),
        ]
    return [_inference_service(plan, top)]


def serving_copies(plan: DeploymentPlan, top: GpuRecommendation) -> int:
    """vLLM servers (tensor-parallel groups) on one instance, as the plan's vLLM settings say; a model
    spread over several nodes is one server."""
    if plan.vllm is not None:
        return plan.vllm.data_parallel_size
    if top.nodes > 1:
        return 1
    return max(1, top.gpu_count // max(1, plan.sizing.tensor_parallel))


def serving_replicas(plan: DeploymentPlan, top: GpuRecommendation) -> int:
    """vLLM servers in all: the replicas the load needs as placed (instances x copies per instance), or,
    without a placement, the instances x copies per instance."""
    if top.performance is not None:
        return top.replicas
    return max(1, top.instance_count // max(1, top.nodes)) * serving_copies(plan, top)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (a `run:` script) as literal blocks, as a person would write them."""


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _str)


def _yaml(header: list[str], data: dict[str, Any]) -> str:
    comments = "".join(f"# {line}\n" for line in header)
    return comments + yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)


def _yaml_documents(header: list[str], documents: list[dict[str, Any]]) -> str:
    """Several manifests in one file (`kubectl apply -f` takes them all), the header above the first."""
    comments = "".join(f"# {line}\n" for line in header)
    body = "---\n".join(
        yaml.dump(d, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120) for d in documents
    )
    return comments + body


def _slug(text: str | None, fallback: str = "model", limit: int = 40) -> str:
    """A DNS-1123 label from a model id: lowercase letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", (text or "").split("/")[-1].lower()).strip("-")[:limit].strip("-")
    return slug or fallback


def _model(plan: DeploymentPlan) -> str:
    return plan.sizing.model_id or plan.workload_spec.model_id or "MODEL_ID"


def _origin(plan: DeploymentPlan, top: GpuRecommendation) -> str:
    gpus = f"{top.gpu_count}x {top.gpu_model}" if top.gpu_model else "no GPU"
    return f"Generated by stack8s from the plan: {top.instance_type} ({gpus}) on {top.provider} {top.region}."


def _vllm_values(plan: DeploymentPlan, top: GpuRecommendation, vllm: VllmServing) -> Artifact:
    tp = vllm.tensor_parallel_size
    copies = serving_copies(plan, top)
    config: dict[str, Any] = {"tensorParallelSize": tp, "maxModelLen": vllm.max_model_len}
    if vllm.max_num_seqs is not None:
        config["maxNumSeqs"] = vllm.max_num_seqs
    extra = vllm.extra_args()
    if vllm.pipeline_parallel_size > 1:
        extra += ["--pipeline-parallel-size", str(vllm.pipeline_parallel_size)]
    if extra:
        config["extraArgs"] = extra
    spec: dict[str, Any] = {
        "name": _slug(vllm.model),
        "repository": VLLM_IMAGE,
        "tag": f"v{vllm.version}",
        "modelURL": vllm.model,
        "replicaCount": serving_replicas(plan, top),
        "requestCPU": max(1, int(top.vcpu * 0.8) // copies),
        "requestMemory": f"{max(1, int(top.ram_gb * 0.8) // copies)}Gi",
        "requestGPU": tp,
        "vllmConfig": config,
        "nodeSelectorTerms": [
            {"matchExpressions": [{"key": INSTANCE_LABEL, "operator": "In", "values": [top.instance_type]}]}
        ],
    }
    spread = top.instance_count > 1 or top.nodes > 1
    if not spread:  # one node: the chart's ReadWriteOnce volume keeps the weights across restarts
        spec["pvcStorage"] = f"{max(10, round(plan.sizing.weights_gb * 1.2) + 10)}Gi"
    header = [
        _origin(plan, top),
        f"{spec['replicaCount']} vLLM server(s), tensor parallel {tp} each"
        + (f", {copies} per node" if copies > 1 else "")
        + ". Gated models: add hf_token to the modelSpec.",
        "helm repo add vllm https://vllm-project.github.io/production-stack",
        f"helm upgrade --install vllm-stack vllm/vllm-stack -n {NAMESPACE} --create-namespace "
        "-f vllm-stack-values.yaml",
    ]
    if spread:
        header.append(
            f"The servers run on {top.instance_count} nodes: each pod downloads the weights into its own cache "
            "(no shared volume: the chart's volume is ReadWriteOnce, which one node at a time can attach)."
        )
    if top.nodes > 1:
        header.append(f"One copy spans {top.nodes} nodes: add a raySpec to the modelSpec (not generated here).")
    data = {"servingEngineSpec": {"modelSpec": [spec]}, "routerSpec": {"routingLogic": "roundrobin"}}
    content = _yaml(header, data)
    return Artifact(format="vllm-production-stack-values", filename="vllm-stack-values.yaml", content=content)


def skypilot_resources(top: GpuRecommendation, spot: bool) -> dict[str, Any]:
    """SkyPilot's `resources` for the recommended instance (the artifacts and the plan's steps)."""
    resources: dict[str, Any] = {"cloud": top.provider, "region": top.region, "instance_type": top.instance_type}
    if top.gpu_model and top.gpu_count:
        resources["accelerators"] = {top.gpu_model: top.gpu_count}
    resources["use_spot"] = spot
    return resources


def _resources(plan: DeploymentPlan, top: GpuRecommendation) -> dict[str, Any]:
    return skypilot_resources(top, bool(plan.workload_spec.spot))


def _skyserve(plan: DeploymentPlan, top: GpuRecommendation, vllm: VllmServing) -> Artifact:
    """A SkyServe replica is one instance (or one group of nodes) running `copies` vLLM servers as data
    parallel ranks; the replica policy comes from the load the plan was sized for."""
    copies = serving_copies(plan, top)
    replicas = max(1, top.instance_count // max(1, top.nodes))
    policy: dict[str, Any] = {"min_replicas": replicas, "max_replicas": replicas}
    if top.performance is not None and top.performance.requests_per_s > 0:
        policy["max_replicas"] = replicas * BURST_FACTOR
        policy["target_qps_per_replica"] = round(top.performance.requests_per_s * copies, 4)
    args = ["vllm serve $MODEL", f"--host 0.0.0.0 --port {VLLM_PORT}", *vllm.flags()]
    if copies > 1:
        args.append(f"--data-parallel-size {copies}")
    if vllm.pipeline_parallel_size > 1:
        args.append(f"--pipeline-parallel-size {vllm.pipeline_parallel_size} --distributed-executor-backend ray")
    data: dict[str, Any] = {
        "name": f"stack8s-{_slug(vllm.model)}",
        "service": {
            "readiness_probe": {"path": "/v1/models", "initial_delay_seconds": 1200},
            "replica_policy": policy,
        },
        "resources": {**_resources(plan, top), "ports": VLLM_PORT},
    }
    if top.nodes > 1:
        data["num_nodes"] = top.nodes
    data["envs"] = {"MODEL": vllm.model}
    data["setup"] = f"pip install vllm=={vllm.version}"
    data["run"] = " \\\n  ".join(args) + "\n"
    scaling = (
        f"min_replicas = the {replicas} instance(s) sized for the load; max_replicas = {BURST_FACTOR}x for bursts "
        "(billed only while up)."
        if "target_qps_per_replica" in policy
        else f"{replicas} replica(s) (no throughput estimate to autoscale on)."
    )
    header = [_origin(plan, top), scaling, "sky serve up -n stack8s skyserve.yaml --env HF_TOKEN"]
    return Artifact(format="skyserve-service", filename="skyserve.yaml", content=_yaml(header, data))


def _llm_inference_service(plan: DeploymentPlan, top: GpuRecommendation, vllm: VllmServing) -> Artifact:
    """KServe's Hugging Face serving runtime with its vLLM backend: one predictor pod per vLLM server, with the
    plan's GPUs per server, tensor parallelism, max model length and replica count (vLLM flags pass through)."""
    copies = serving_copies(plan, top)
    replicas = serving_replicas(plan, top)
    args = [f"--model_name={_slug(vllm.model)}", f"--model_id={vllm.model}", "--backend=vllm"]
    args += [flag.replace(" ", "=", 1) for flag in vllm.flags()]
    limits: dict[str, Any] = {
        "cpu": str(max(1, int(top.vcpu * 0.8) // copies)),
        "memory": f"{max(1, int(top.ram_gb * 0.8) // copies)}Gi",
        "nvidia.com/gpu": vllm.tensor_parallel_size * vllm.pipeline_parallel_size,
    }
    data = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": _slug(vllm.model), "namespace": NAMESPACE},
        "spec": {
            "predictor": {
                "minReplicas": replicas,
                "maxReplicas": replicas,
                "nodeSelector": {INSTANCE_LABEL: top.instance_type},
                "model": {
                    "modelFormat": {"name": "huggingface"},
                    "args": args,
                    "resources": {"requests": dict(limits), "limits": limits},
                },
            }
        },
    }
    header = [
        _origin(plan, top),
        f"{replicas} vLLM server(s) through KServe's Hugging Face runtime (vLLM backend), tensor parallel "
        f"{vllm.tensor_parallel_size} each. Gated models: set HF_TOKEN in the predictor's env.",
        "kubectl apply -f inferenceservice.yaml",
    ]
    return Artifact(format="kserve-inferenceservice", filename="inferenceservice.yaml", content=_yaml(header, data))


HF_SERVER_TASKS = {
    "text-generation": "text_generation",
    "text2text-generation": "text2text_generation",
    "fill-mask": "fill_mask",
    "token-classification": "token_classification",
    "text-classification": "sequence_classification",
    "feature-extraction": "text_embedding",
    "sentence-similarity": "text_embedding",
}
"""Pipeline tags KServe's Hugging Face server serves, with its --task names (kserve huggingfaceserver); any
other model (image classification, detection, speech, diffusion) fails there with "Task couldn't be inferred"."""

MODEL_URI_NOTE = "MODEL_URI: where the model to serve is, an object-storage path such as s3://your-bucket/model/"


@dataclass(frozen=True)
class KServeModel:
    """The predictor's model block for a non-vLLM model, the runtime that can serve it, and why."""

    block: dict[str, Any]
    runtime: str
    notes: tuple[str, ...]

    @classmethod
    def of(cls, model_id: str | None, pipeline_tag: str | None, tabular: bool) -> KServeModel:
        if tabular:
            notes = ("The scikit-learn runtime serves your trained model (a model.joblib) from MODEL_URI.",)
            return cls({"modelFormat": {"name": "sklearn"}, "storageUri": "${MODEL_URI}"}, "sklearn", notes)
        if model_id and pipeline_tag in HF_SERVER_TASKS:
            args = [
                f"--model_name={_slug(model_id)}",
                f"--model_id={model_id}",
                f"--task={HF_SERVER_TASKS[pipeline_tag]}",
            ]
            note = f"KServe's Hugging Face server, task {HF_SERVER_TASKS[pipeline_tag]}."
            return cls({"modelFormat": {"name": "huggingface"}, "args": args}, "huggingface", (note,))
        what = f"{model_id} ({pipeline_tag or 'this task'})" if model_id else "the model"
        notes = (
            f"KServe's Hugging Face server cannot serve {what}: TorchServe (KServe's pytorch runtime) serves it "
            "from a model archive. Build one with torch-model-archiver (a handler for the task, e.g. "
            "image_classifier) and upload it with its config.properties to MODEL_URI.",
        )
        return cls({"modelFormat": {"name": "pytorch"}, "storageUri": "${MODEL_URI}"}, "pytorch", notes)

    @property
    def required(self) -> tuple[str, ...]:
        return ("MODEL_URI",) if "storageUri" in self.block else ()

    def header(self, filename: str) -> list[str]:
        lines = list(self.notes)
        if self.required:
            lines.append(f"Required: {MODEL_URI_NOTE}.")
            lines.append(f"MODEL_URI=... envsubst '$MODEL_URI' < {filename} | kubectl apply -f -")
        else:
            lines.append(f"kubectl apply -f {filename}")
        return lines


def kserve_model(plan: DeploymentPlan) -> KServeModel:
    tag = next((m.pipeline_tag for m in plan.model_recommendations if m.model_id == plan.sizing.model_id), None)
    return KServeModel.of(plan.sizing.model_id, tag, plan.workload_spec.domain == "tabular")


def _inference_service(plan: DeploymentPlan, top: GpuRecommendation) -> Artifact:
    served = kserve_model(plan)
    model: dict[str, Any] = dict(served.block)
    limits: dict[str, Any] = {"cpu": str(max(1, int(top.vcpu * 0.8))), "memory": f"{max(1, int(top.ram_gb * 0.8))}Gi"}
    if plan.sizing.gpu_needed and top.gpu_count:
        limits["nvidia.com/gpu"] = plan.sizing.tensor_parallel
    model["resources"] = {"requests": dict(limits), "limits": limits}
    data = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": _slug(plan.sizing.model_id, "model"), "namespace": NAMESPACE},
        "spec": {
            "predictor": {
                "minReplicas": top.replicas,
                "maxReplicas": top.replicas,
                "nodeSelector": {INSTANCE_LABEL: top.instance_type},
                "model": model,
            }
        },
    }
    header = [_origin(plan, top), *served.header("inferenceservice.yaml")]
    return Artifact(format="kserve-inferenceservice", filename="inferenceservice.yaml", content=_yaml(header, data))


def _instances(plan: DeploymentPlan, top: GpuRecommendation) -> int:
    return plan.job.instances if plan.job is not None else top.instance_count


def job_shape(plan: DeploymentPlan, top: GpuRecommendation) -> JobShape:
    spec = plan.workload_spec
    task = str(spec.task_type or "training")
    return JobShape(
        task=task,
        model=plan.sizing.model_id or spec.model_id,
        method=str(spec.fine_tuning_method or ("full" if task == "training" else "lora")),
        epochs=spec.epochs,
        nodes=_instances(plan, top),
        gpus_per_node=top.gpu_count,
    )


def _kubernetes_job(plan: DeploymentPlan, top: GpuRecommendation) -> Artifact:
    shape = job_shape(plan, top)
    header = [_origin(plan, top), *shape.kubernetes_header(), f"kubectl apply -n {NAMESPACE} -f job.yaml"]
    content = _yaml_documents(header, shape.kubernetes_documents(top.instance_type))
    return Artifact(format="kubernetes-job", filename="job.yaml", content=content)


def _skypilot_task(plan: DeploymentPlan, top: GpuRecommendation) -> Artifact:
    shape = job_shape(plan, top)
    data = shape.skypilot_task(_resources(plan, top))
    header = [
        _origin(plan, top),
        *(f"Required: {name}: {what}." for name, what in shape.inputs().items()),
        f"Checkpoints go to the bucket {shape.bucket()} (created by SkyPilot); a recovered job resumes from them.",
        shape.skypilot_launch(),
    ]
    return Artifact(format="skypilot-task", filename="job.sky.yaml", content=_yaml(header, data))
