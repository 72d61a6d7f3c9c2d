"""Exclusions, lifts and take-backs: read before the extractors and cut out of the message they read ("exclude L4
and L40S, and move to GCP" leaves "; , and move to GCP"), so a thing ruled out is never the one wanted."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from stack8s.agents.requirements import lexicon as lx
from stack8s.agents.requirements.rules.reading import (
    _CUR_AFTER,
    _FLAGS,
    _PERIOD,
    _REGION,
    Reading,
    State,
    _loose,
    _same,
    _unique,
)
from stack8s.catalogs.gpus import gpu_name_regex, match_gpu_preference


@dataclass(frozen=True, slots=True)
class _Item:
    """A thing a list names: a provider, a GPU model, an area or a region id. `end` is after its suffix."""

    start: int
    end: int
    kind: str  # provider | gpu | area | region
    value: str


_EXCLUDED_KEYS = {
    "provider": "excluded_providers",
    "gpu": "excluded_gpus",
    "area": "excluded_areas",
    "region": "excluded_region_ids",
}


_WANTED_KEYS = {"provider": "provider", "gpu": "gpu_preference", "area": "area", "region": "region"}


# What taking a thing back clears ("drop the AWS requirement"), and the spec fields that become None.
_ITEM_TAKE_BACKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "provider": (("provider", "region"), ("provider", "region")),
    "gpu": (("gpu_preference",), ("gpu_preference",)),
    "area": (("area", "region"), ("region", "regions")),
    "region": (("region",), ("region",)),
}


_FIELD_TAKE_BACKS: dict[str, tuple[State, tuple[str, ...]]] = {
    "budget": (
        {"budget_monthly": None, "budget_total": None},
        ("budget_monthly_usd", "budget_total_usd", "currency_note"),
    ),
    "provider": ({"provider": None, "region": None}, ("provider", "region")),
    "region": ({"region": None, "area": None}, ("region", "regions")),
    "gpu": ({"gpu_preference": None, "gpu_explicit": True}, ("gpu_preference",)),
    "gpu_count": ({"gpu_count": None}, ("gpu_count",)),
}


_NOT_IN_WORD = r"(?<![A-Za-z0-9'])"


_WORD_END = r"(?![A-Za-z0-9'])"


_GPU_NAME = re.compile(rf"(?<![A-Za-z0-9])(?:{gpu_name_regex()})", _FLAGS)


_GPU_MEMORY = re.compile(r"[- ]?\d{2,3}\s?gb(?![a-z])", _FLAGS)


_ITEM_SUFFIX = re.compile(rf"(?:(?:s|'s)(?![a-z]))?{lx.ITEM_SUFFIX}", _FLAGS)


_NOT_AN_ITEM = re.compile(rf"\s+(?:{lx.ITEM_NOT_BEFORE}){_WORD_END}", _FLAGS)


_JOIN = re.compile(rf"\s*(?P<comma>[,&/])?\s*(?:(?P<word>{lx.LIST_JOINERS})\s+)?(?:(?:{lx.LIST_ARTICLES})\s+)?", _FLAGS)


_THEN_FILLERS = (
    rf"{_WORD_END}[\s:]*(?:(?:(?:{lx.LIST_FILLERS}){_WORD_END}|{_NOT_IN_WORD}(?:{lx.LIST_ELISIONS}))[\s:]*){{0,4}}$"
)


@dataclass(frozen=True, slots=True)
class _ListForm:
    """Where a list stands: after a lead ("not on the"), before a predicate ("is not an option"), or, with
    `both`, between the two ("drop the ... requirement"). `probe` finds either anywhere, so a message with
    neither costs no look for lists."""

    before: re.Pattern[str]
    after: re.Pattern[str]
    probe: re.Pattern[str]
    both: bool = False


def _form(before: str, after: str, both: bool = False) -> _ListForm:
    return _ListForm(
        re.compile(rf"{_NOT_IN_WORD}(?:{before}){_THEN_FILLERS}", _FLAGS),
        re.compile(rf"\s+(?:{after}){_WORD_END}", _FLAGS),
        re.compile(rf"{_NOT_IN_WORD}(?:{before}){_WORD_END}|\s(?:{after}){_WORD_END}", _FLAGS),
        both,
    )


_EXCLUDE = _form(lx.EXCLUDE_BEFORE, lx.EXCLUDE_AFTER)


_LIFT = _form(lx.LIFT_BEFORE, lx.LIFT_AFTER)


_TAKE_BACK_NAMED = _form(lx.TAKE_BACK_ITEM_BEFORE, lx.TAKE_BACK_ITEM_NOUN, both=True)


_TAKE_BACK_SOFTLY = _form(lx.TAKE_BACK_ITEM_SOFT, lx.TAKE_BACK_ITEM_AFTER)


# A budget amount right after "forget the budget" belongs to it: "forget the budget of $500" sets no budget.
_TAKEN_AMOUNT = re.compile(
    rf"\s*(?:of|at|is|was|:|=)?\s*(?:{lx.CURRENCY})?\s?{lx.AMOUNT}(?:{_CUR_AFTER})?(?![a-z0-9]){_PERIOD}?", _FLAGS
)


_LEAD_WINDOW = 120  # characters before a list where its lead ("not on the", "exclude") must be


def _directives(text: str, state: Reading) -> tuple[State, str]:
    """A message's exclusions ("not on L4", "no AWS", "outside the EU"), lifts ("A10G is fine again") and
    take-backs ("forget the budget", "drop the AWS requirement", "any region"), in that order: the state they
    change, and the message with their words cut out."""
    out: dict[str, Any] = {}
    said = _loose(state)
    excluded: dict[str, list[str]] = {key: list(said.get(key, [])) for key in _EXCLUDED_KEYS.values()}
    cleared: list[str] = []
    text, ruled_out = _cut(text, _find_lists(text, _EXCLUDE))
    for item in ruled_out:
        key, wanted = _EXCLUDED_KEYS[item.kind], _WANTED_KEYS[item.kind]
        if item.value not in excluded[key]:
            excluded[key].append(item.value)
        if said.get(wanted) is not None and _same(said[wanted], item.value):
            out[wanted] = None
            if item.kind == "provider":
                out["region"] = None

    def is_excluded(item: _Item) -> bool:
        return any(_same(item.value, ex) for ex in excluded[_EXCLUDED_KEYS[item.kind]])

    text, lifted = _cut(text, _find_lists(text, _LIFT), keep=is_excluded)
    for item in lifted:
        key = _EXCLUDED_KEYS[item.kind]
        excluded[key] = [ex for ex in excluded[key] if not _same(item.value, ex)]
    text, named = _cut(text, _find_lists(text, _TAKE_BACK_NAMED))
    text, softly = _cut(text, _find_lists(text, _TAKE_BACK_SOFTLY))
    for item in [*named, *softly]:
        keys, fields = _ITEM_TAKE_BACKS[item.kind]
        out.update(dict.fromkeys(keys))
        cleared += fields
    for hit in lx.TAKE_BACKS.hits(text):
        updates, fields = _FIELD_TAKE_BACKS[hit.value]
        out.update(updates)
        cleared += fields
        end = hit.end
        if hit.value == "budget" and (amount := _TAKEN_AMOUNT.match(text, end)):
            end = amount.end()
        text = _mask(text, hit.start, end)
    for key, values in excluded.items():
        if values != list(said.get(key, [])):
            out[key] = values
    if cleared:
        out["taken_back"] = _unique([*state.get("taken_back", []), *cleared])
    return cast(Reading, out), re.sub(r"\s*;[;\s]*", " ; ", text).strip() if ";" in text else text


def _items(text: str) -> list[_Item]:
    """Providers, GPU models, areas and region ids named in `text`, leftmost then longest, not overlapping."""
    found = [(h.start, h.end, "provider", h.value) for h in lx.PROVIDERS.hits(text)]
    found += [(h.start, h.end, "area", h.value) for h in lx.AREAS.hits(text)]
    found += [(m.start(), m.end(), "region", m.group().lower()) for m in _REGION.finditer(text)]
    for m in _GPU_NAME.finditer(text):
        end = memory.end() if (memory := _GPU_MEMORY.match(text, m.end())) else m.end()
        gpu = match_gpu_preference(text[m.start() : end])
        if gpu:
            found.append((m.start(), end, "gpu", gpu))
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    items: list[_Item] = []
    for start, end, kind, value in found:
        if not items or start >= items[-1].end:
            suffix = _ITEM_SUFFIX.match(text, end)
            end = suffix.end() if suffix else end
            if not _NOT_AN_ITEM.match(text, end):  # "not a US company", "no AWS credits"
                items.append(_Item(start, end, kind, value))
    return items


def _chains(text: str) -> list[tuple[list[_Item], list[bool]]]:
    """Runs of items joined by commas or words ("L4 and L40S", "AWS, Azure or GCP"), with, for each join,
    whether it was a word ("and", "or", "ni") rather than only a comma."""
    chains: list[tuple[list[_Item], list[bool]]] = []
    for item in _items(text):
        join = _JOIN.fullmatch(text, chains[-1][0][-1].end, item.start) if chains else None
        if join is not None and (join.group("comma") or join.group("word")):
            chains[-1][0].append(item)
            chains[-1][1].append(bool(join.group("word")))
        else:
            chains.append(([item], []))
    return chains


def _find_lists(text: str, form: _ListForm) -> list[tuple[int, int, list[_Item]]]:
    """Lists in `form`'s place: (start, end, items) of the words to cut. A list joined by commas alone is one
    item next to the lead or predicate: "not on AWS, GCP please" rules out AWS only; "no AWS, Azure or GCP"
    all three."""
    if form.probe.search(text) is None:
        return []
    found = []
    for items, words in _chains(text):
        start, end = items[0].start, items[-1].end
        lead = form.before.search(text, max(0, start - _LEAD_WINDOW), start)
        tail = form.after.match(text, end)
        if form.both and not (lead and tail):
            continue
        if lead:
            kept = items[: max((i + 1 for i, word in enumerate(words) if word), default=0) + 1]
            found.append((lead.start(), tail.end() if tail and len(kept) == len(items) else kept[-1].end, kept))
        elif tail:
            kept = items if words and words[-1] else items[-1:]
            found.append((kept[0].start, tail.end(), kept))
    return found


def _cut(
    text: str, lists: Sequence[tuple[int, int, list[_Item]]], keep: Callable[[_Item], bool] | None = None
) -> tuple[str, list[_Item]]:
    """The text without the lists' words, and their items (only those `keep` accepts; a list with none is left)."""
    taken: list[_Item] = []
    for start, end, items in lists:
        kept = [item for item in items if keep is None or keep(item)]
        if kept:
            taken += kept
            text = _mask(text, start, end)
    return text, taken


def _mask(text: str, start: int, end: int) -> str:
    """Words cut out, the length kept (positions found before stay valid); ";" stops phrases reading across."""
    width = end - start
    return text[:start] + (f" {';' * (width - 2)} " if width > 2 else " " * width) + text[end:]
