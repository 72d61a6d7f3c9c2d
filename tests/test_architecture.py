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
SQL_HOMES = ("tools/", "catalogs/repository.py", "chat/repository.py", "db/", "cli/catalog.py", "api/health.py")


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


def allowed_edge(here: str, target: str) -> bool:
    """Down the layers; plus the stated same-layer edges: tools may read catalogs' row models, layer-1
    importers and tools take an Embedder, and app.py (the wiring) mounts the api routers and the MCP server
    (which reads the API's State; `stack8s mcp` serves it over stdio)."""
    if target == here or LAYERS[target] < LAYERS[here] or target in ("settings", "errors", "validation"):
        return True
    same_layer = {
        ("tools", "catalogs"),
        ("tools", "embeddings"),
        ("catalogs", "embeddings"),
        ("app", "api"),
        ("app", "mcp_server"),  # the app mounts /mcp
        ("cli", "mcp_server"),  # `stack8s mcp`
        ("mcp_server", "api"),  # the API's State and turn context
    }
    return (here, target) in same_layer


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
            }, (rel, roots)


def test_sql_lives_in_tools_repositories_and_db() -> None:
    offenders = []
    for rel, _, tree in modules():
        if rel.startswith(SQL_HOMES) or rel == "cli/ask.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offenders.append(rel)
    assert offenders == [], offenders


def test_no_http_exception_outside_api() -> None:
    for rel, path, _ in modules():
        if not rel.startswith("api/"):
            assert "HTTPException" not in path.read_text(), rel
