"""Import direction between layers, SQL only where it belongs, HTTP errors only at the edge."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "stack8s"
LAYERS = {
    "planning": 0,
    "db": 0,
    "settings": 0,
    "errors": 0,
    "logging": 0,
    "validation": 0,
    "tools": 1,
    "catalogs": 1,
    "embeddings": 1,
    "llm": 1,
    "auth": 1,
    "agents": 2,
    "chat": 3,
    "api": 4,
    "cli": 4,
    "app": 4,
    "mcp_server": 4,
    "__main__": 5,
    "web": 4,
}
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+\.\w+ SET|DELETE FROM)\b")
SQL_HOMES = ("tools/", "catalogs/repository.py", "chat/repository.py", "db/", "cli/catalog.py")


def modules() -> list[tuple[str, Path, ast.Module]]:
    return [(str(p.relative_to(SRC)), p, ast.parse(p.read_text())) for p in sorted(SRC.rglob("*.py"))]


def top(name: str) -> str:
    return name.split("/")[0].removesuffix(".py")


def imported(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stack8s."):
            names.append(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names += [a.name.split(".")[1] for a in node.names if a.name.startswith("stack8s.")]
    return names


def test_imports_only_go_down() -> None:
    bad = []
    for rel, _, tree in modules():
        here = top(rel)
        for target in imported(tree):
            if not allowed_edge(here, target) and rel != "__init__.py":
                bad.append(f"{rel} imports stack8s.{target}")
    assert bad == [], bad


SAME_LAYER = {
    ("tools", "catalogs"),
    ("tools", "embeddings"),
    ("catalogs", "embeddings"),
    ("app", "api"),
    ("cli", "mcp_server"),  # `stack8s mcp`
    ("mcp_server", "api"),  # the API's State and turn context
}


def allowed_edge(here: str, target: str) -> bool:
    """Down the layers; plus the stated same-layer edges: tools may read catalogs' row models, layer-1
    importers and tools take an Embedder, and app.py (the wiring) mounts the api routers and the MCP server
    (which reads the API's State; `stack8s mcp` serves it over stdio)."""
    if target == here or LAYERS[target] < LAYERS[here] or target in ("settings", "errors", "validation"):
        return True
    return (here, target) in SAME_LAYER


def _has_sql(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL.search(n.value) for n in ast.walk(tree))


def test_no_stale_exemptions() -> None:
    """Every same-layer edge is used, and every file named as a home of SQL holds some."""
    used = set()
    for rel, _, tree in modules():
        here = top(rel)
        used |= {(here, target) for target in imported(tree) if (here, target) in SAME_LAYER}
    assert used == SAME_LAYER, SAME_LAYER - used
    files = {rel: tree for rel, _, tree in modules()}
    assert all(_has_sql(files[home]) for home in SQL_HOMES if home.endswith(".py"))


def test_planning_is_pure() -> None:
    for rel, _, tree in modules():
        if rel.startswith("planning/"):
            roots = {n.names[0].name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)}
            roots |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            assert roots <= {
                "__future__",
                "pydantic",
                "stack8s",
                "dataclasses",
                "enum",
                "math",
                "typing",
                "decimal",
                "collections",
                "functools",
                "bisect",
                "itertools",
            }, (rel, roots)


def test_sql_lives_in_tools_repositories_and_db() -> None:
    offenders = [rel for rel, _, tree in modules() if not rel.startswith(SQL_HOMES) and _has_sql(tree)]
    assert offenders == [], offenders


def test_no_http_exception_outside_api() -> None:
    for rel, path, _ in modules():
        if not rel.startswith("api/"):
            assert "HTTPException" not in path.read_text(), rel


# --- inside agents/: siblings stay apart, and architect's modules import down ------------------------------

AGENT_PACKAGES = {"requirements", "architect"}  # sibling agents: neither imports the other
ARCHITECT_LAYERS = {
    # the resolved workload is the base; searches and renderers build on it; __init__ (the agent) wires them
    "workload": 0,
    "prices": 0,
    "model_table": 0,
    "narrate": 0,
    "markdown": 0,
    "artifacts": 0,
    "steps": 1,
    "instances": 1,
    "stack": 2,
    "prose": 2,
    "job_selection": 2,
    "rag": 3,
    "__init__": 4,
}


def _agent_imports(tree: ast.Module) -> list[str]:
    """Dotted stack8s.agents.* modules a file imports (with `from pkg import mod` resolved to pkg.mod)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stack8s.agents"):
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names if a.name.startswith("stack8s.agents")]
    return names


def test_agents_import_down_inside_agents() -> None:
    bad = []
    for rel, _, tree in modules():
        parts = rel.removesuffix(".py").split("/")
        if parts[0] != "agents" or len(parts) < 3:
            continue
        package, module = parts[1], parts[2]
        for name in _agent_imports(tree):
            target = name.split(".")[2:]
            if target and target[0] in AGENT_PACKAGES and target[0] != package and package in AGENT_PACKAGES:
                bad.append(f"{rel} imports {name} (sibling agent)")
            if package == "architect" and target[:1] == ["architect"] and len(target) > 1:
                other = target[1]
                if (
                    other in ARCHITECT_LAYERS
                    and ARCHITECT_LAYERS[other] >= ARCHITECT_LAYERS[module]
                    and other != module
                ):
                    bad.append(f"{rel} imports {name} (not below it)")
    assert bad == [], bad


def test_every_architect_module_has_a_layer() -> None:
    present = {p.stem for p in (SRC / "agents" / "architect").glob("*.py")}
    assert present == set(ARCHITECT_LAYERS), present ^ set(ARCHITECT_LAYERS)


# --- one name, one meaning: a module name shared by two packages is the same role in each -----------------

SHARED_NAMES = {
    "__init__": "a package",
    "deps": "what a layer's functions are handed (FastAPI dependencies, the agents' AgentDeps)",
    "errors": "errors (domain errors; their HTTP rendering in api/)",
    "estimate": "the performance estimator, as a tool and as the `stack8s estimate` command",
    "offers": "GPU offers, as an API route and as the `stack8s offers` command",
    "repository": "a package's SQL",
    "schemas": "request and response bodies",
    "service": "a package's use cases",
    "skypilot": "SkyPilot's instance catalog: its parser (importers/) and its upstream fetch (refresh/)",
}


def test_no_module_name_means_two_things() -> None:
    by_name: dict[str, list[str]] = {}
    for rel, _, _ in modules():
        by_name.setdefault(Path(rel).stem, []).append(rel)
    shared = {name: places for name, places in by_name.items() if len(places) > 1}
    unexplained = {name: places for name, places in shared.items() if name not in SHARED_NAMES}
    assert unexplained == {}, f"give one of them a name that says what it holds: {unexplained}"
    stale = set(SHARED_NAMES) - set(shared)
    assert stale == set(), f"no longer shared, drop from SHARED_NAMES: {stale}"
