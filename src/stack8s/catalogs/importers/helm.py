"""Helm repository `index.yaml` files -> one ChartRow per chart (its newest version).

* Newest version: semantic-version order after an optional leading ``v``; when a chart has at least one
  release, pre-releases are ignored. Versions that are not semver at all sort lowest but are still
  accepted (so a chart whose only version is a placeholder such as ``0.0.1-set.by.chartpress`` keeps it).
* ``version`` / ``appVersion`` are taken as written in the file (YAML would turn ``1.10`` into 1.1).
* Repository name: argument, else the file name (``bitnami-charts.yaml`` -> ``bitnami``;
  ``index.yaml`` -> its folder's name). URL: argument, else ``https://github.com/<x-source.repository>``
  of the first entry that has one, else empty.
* ``official`` (published by the project itself): the repository is ``bitnami``; or the chart's
  ``x-source`` repository is a code repository (its name has neither "chart" nor "helm": the chart ships
  inside the project, e.g. kserve/kserve); or, for a dedicated chart repository, a GitHub URL in
  ``home`` / ``sources`` other than the chart repository itself has the same owner (kedacore/charts ->
  kedacore/keda). Community re-packagings (community-charts, otwld/ollama-helm) are not official.
* ``stars``: an integer annotation whose key is ``stars`` or ends with ``/stars``; else 0.
* ``as_of``: argument, else the index's ``generated`` date, else the file's modification date.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from stack8s.catalogs.importers.base import ImportResult, RowError, RowProblem
from stack8s.catalogs.rows import ChartRow

log = logging.getLogger(__name__)

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_GITHUB_REPO = re.compile(r"github\.com/([^/\s]+)(?:/([^/\s#?]+))?", re.IGNORECASE)
_OFFICIAL_REPOSITORIES = frozenset({"bitnami"})


@dataclass(frozen=True, slots=True)
class _Version:
    """One version entry of a chart: constructed data, raw scalars as written, its line."""

    data: dict[str, Any]
    raw: dict[str, str]
    line: int

    @property
    def version(self) -> str:
        return self.scalar("version")

    def scalar(self, key: str) -> str:
        """A field as text; numbers as written in the file (YAML reads `1.10` as the float 1.1)."""
        value = self.data.get(key)
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        return _text(self.raw.get(key) if numeric else value)


@dataclass(frozen=True, slots=True)
class _Repo:
    file: str
    name: str
    url: str
    source: str
    as_of: date


def version_key(version: str) -> tuple[Any, ...]:
    """Sort key in semver order; non-semver strings sort below every semver version."""
    found = _SEMVER.match(version.strip())
    if not found:
        return (0, (), 0, ())
    numbers = tuple(int(found.group(i) or 0) for i in (1, 2, 3))
    pre = found.group(4)
    identifiers = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in (pre or "").split("."))
    return (1, numbers, 0 if pre else 1, identifiers if pre else ())


def is_prerelease(version: str) -> bool:
    found = _SEMVER.match(version.strip())
    return bool(found and found.group(4))


def newest(versions: list[str]) -> str:
    """Newest version; pre-releases only count when there is no release at all."""
    releases = [v for v in versions if _SEMVER.match(v.strip()) and not is_prerelease(v)]
    return max(releases or versions, key=version_key)


# ---------------------------------------------------------------- YAML nodes


def _raw_scalars(node: yaml.Node) -> dict[str, str]:
    """Scalar values of a mapping node as written (before int/float resolution)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(k.value): str(v.value)
        for k, v in node.value
        if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
    }


def _entries_node(root: yaml.Node | None) -> yaml.MappingNode | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "entries":
            return value if isinstance(value, yaml.MappingNode) else None
    return None


def _load(text: str) -> tuple[Any, yaml.Node | None]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    finally:
        loader.dispose()


def _chart_versions(entries: dict[str, Any], node: yaml.MappingNode) -> dict[str, list[_Version | int]]:
    """chart key -> its version entries (a bare line number for an entry that is not a mapping)."""
    charts: dict[str, list[_Version | int]] = {}
    for key_node, seq_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
        items = seq_node.value if isinstance(seq_node, yaml.SequenceNode) else [seq_node]
        data = entries.get(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
        values = data if isinstance(data, list) else [data]
        charts[key] = [_version(v, n) for v, n in zip(values, items, strict=False)]
    return charts


def _version(value: Any, node: yaml.Node) -> _Version | int:
    line = node.start_mark.line + 1
    return _Version(value, _raw_scalars(node), line) if isinstance(value, dict) else line


# ---------------------------------------------------------------- rows


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _github_repo(url: str) -> tuple[str, str] | None:
    found = _GITHUB_REPO.search(url or "")
    return (found.group(1).lower(), (found.group(2) or "").lower()) if found else None


def _is_official(repo: _Repo, data: dict[str, Any]) -> bool:
    if repo.name.lower() in _OFFICIAL_REPOSITORIES:
        return True
    x_source = data.get("x-source")
    repository = _text(x_source.get("repository")) if isinstance(x_source, dict) else ""
    source = _github_repo(f"github.com/{repository}") if repository else None
    if source is None:
        return False
    if not re.search(r"chart|helm", source[1]):
        return True  # the chart lives in the project's own source repository
    urls = [_text(data.get("home"))] + [_text(s) for s in data.get("sources") or [] if s]
    projects = {_github_repo(u) for u in urls} - {source, None}
    return any(project[0] == source[0] for project in projects if project)


def _stars(annotations: Any) -> int:
    if not isinstance(annotations, dict):
        return 0
    for key, value in annotations.items():
        if str(key) == "stars" or str(key).endswith("/stars"):
            try:
                return max(int(str(value).strip()), 0)
            except ValueError:
                return 0
    return 0


def _deprecated(value: Any) -> bool:
    return value is True or _text(value).lower() in {"true", "yes"}


def _check(version: _Version | int, key: str) -> str:
    """Validated chart name; raises RowProblem for an entry without name or version."""
    if isinstance(version, int):
        raise RowProblem(f"entry of chart {key!r} is not a mapping")
    name = _text(version.data.get("name")) or key
    if not name:
        raise RowProblem("chart entry without a name")
    if not version.version:
        raise RowProblem(f"chart {name!r} has no version")
    return name


def _row(version: _Version, name: str, repo: _Repo) -> ChartRow:
    data = version.data
    keywords: list[Any] = data["keywords"] if isinstance(data.get("keywords"), list) else []
    return ChartRow(
        name=name,
        repository=repo.name,
        repository_url=repo.url,
        description=_text(data.get("description")),
        keywords=tuple(_text(k) for k in keywords if _text(k)),
        version=version.version,
        app_version=version.scalar("appVersion") or None,
        stars=_stars(data.get("annotations")),
        official=_is_official(repo, data),
        home=_text(data.get("home")) or None,
        deprecated=_deprecated(data.get("deprecated")),
        source=repo.source,
        as_of=repo.as_of,
    )


def _pick(key: str, versions: list[_Version | int], repo: _Repo, result: ImportResult[ChartRow]) -> None:
    """Append the newest valid version of one chart; report the invalid ones."""
    valid: dict[str, tuple[_Version, str]] = {}
    for version in versions:
        try:
            name = _check(version, key)
        except RowProblem as problem:
            line = version if isinstance(version, int) else version.line
            result.errors.append(RowError(repo.file, line, str(problem)))
            continue
        assert isinstance(version, _Version)
        valid.setdefault(version.version, (version, name))
    if valid:
        result.rows.append(_row(*valid[newest(list(valid))], repo))


# ---------------------------------------------------------------- repository metadata


def repository_from_path(path: Path) -> str:
    """`bitnami-charts.yaml` -> bitnami; `index.yaml` -> the folder's name."""
    stem = path.stem
    if stem.lower() in {"index", "charts"}:
        return path.resolve().parent.name
    return re.sub(r"[-_](charts?|index)$", "", stem, flags=re.IGNORECASE) or stem


def _url_from_sources(entries: dict[str, Any]) -> str:
    for versions in entries.values():
        for version in versions if isinstance(versions, list) else []:
            source = version.get("x-source") if isinstance(version, dict) else None
            if isinstance(source, dict) and _text(source.get("repository")):
                return f"https://github.com/{_text(source['repository'])}"
    return ""


def _generated(data: dict[str, Any]) -> date | None:
    value = data.get("generated")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(_text(value)).date() if value else None
    except ValueError:
        return None


def parse_helm_index(
    path: Path, repository: str | None = None, repository_url: str | None = None, as_of: date | None = None
) -> ImportResult[ChartRow]:
    """One ChartRow per chart of a Helm repository index; bad entries -> RowError with their line."""
    path = Path(path)
    result: ImportResult[ChartRow] = ImportResult()
    try:
        data, root = _load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        result.errors.append(RowError(path.name, mark.line + 1 if mark else 0, f"invalid YAML: {exc}"))
        return result
    node = _entries_node(root)
    if not isinstance(data, dict) or node is None or not isinstance(data.get("entries"), dict):
        result.errors.append(RowError(path.name, 1, "no 'entries' mapping: not a Helm repository index"))
        return result
    entries = data["entries"]
    repo = _Repo(
        path.name,
        repository or repository_from_path(path),
        repository_url if repository_url is not None else _url_from_sources(entries),
        f"helm:{path.name}",
        as_of or _generated(data) or date.fromtimestamp(path.stat().st_mtime),
    )
    for key, versions in _chart_versions(entries, node).items():
        _pick(key, versions, repo, result)
    log.info("catalog.import file=%s charts=%d errors=%d", path.name, len(result.rows), len(result.errors))
    return result
