"""Model names in free text -> catalog ids, fuzzily but deterministically.

`ModelLexicon.from_rows` indexes the catalog once: per model its family words ("llama", "stable
diffusion xl"), version ("3.1"), size tokens ("70b", "8x7b"), quantisation and every alias. `resolve`
tokenises the text ("llama3.1" == "llama 3.1" == "llama-3.1"), corrects misspelt family words by edit
distance ("lama" -> "llama"), finds each place where a family or an alias is named, drops models that
contradict a stated size or version, and ranks the rest by a total order: tokens matched, quantisation
wanted, longest alias matched, instruct over base, fewest unrequested variant words, downloads, id.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from stack8s.agents.requirements.lexicon import PRECISIONS
from stack8s.catalogs.gpus import match_gpu_preference
from stack8s.catalogs.rows import HFModelRow

MAX_TEXT_CHARS = 20_000
MAX_MENTIONS = 64  # distinct model mentions ranked per text; no real message names more
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+[a-z0-9]*)*")
_ALPHA_DIGITS = re.compile(r"([a-z]{2,})(\d[a-z0-9.]*)")
_NO_SPLIT = frozenset({"fp", "bf", "int", "in", "nf", "mi"})
_SIZE = re.compile(r"\d+(?:\.\d+)?[bm]|\d+x\d+(?:\.\d+)?b")
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_PLUS = re.compile(r"\+(?![a-z0-9])")
_SIZE_WORDS = {"b": "b", "bn": "b", "billion": "b", "m": "m", "million": "m"}

# Words that never name a model on their own.
GENERIC = frozenset(
    {
        "model",
        "models",
        "the",
        "a",
        "an",
        "ai",
        "llm",
        "base",
        "instruct",
        "chat",
        "it",
        "hf",
        "v",
        "version",
        "latest",
        "new",
        "video",
        "image",
        "text",
        "large",
        "small",
        "medium",
        "mini",
        "tiny",
        "open",
        "my",
        "our",
    }
)
# Family words and alias words that are also everyday words or describe a task rather than name a model
# ("git", "canary", "summarization"): a mention made only of these counts only together with a size,
# version or variant word ("sam 2", "git base").
AMBIGUOUS = frozenset(
    {
        "git",
        "sam",
        "wan",
        "clip",
        "blip",
        "playground",
        "scout",
        "maverick",
        "sd",
        "yi",
        "r1",
        "mochi",
        "lcm",
        "svd",
        "dpt",
        "midas",
        "kontext",
        "owl",
        "hermes",
        "command",
        "dino",
        "table",
        "depth",
        "super",
        "remove",
        "background",
        "removal",
        "segment",
        "tatr",
        "rt",
        "nous",
        "sklearn",
        "scikit",
        "learn",
        "example",
        "wine",
        "quality",
        "canary",
        "bark",
        "seamless",
        "parler",
        "mms",
        "marian",
        "ttm",
        "ast",
        "vad",
        "ner",
        "decision",
        "summarization",
        "question",
        "answering",
        "sentiment",
        "analysis",
        "named",
        "entity",
        "recognition",
        "language",
        "detection",
        "identification",
        "speaker",
        "diarization",
        "voice",
        "activity",
        "keyword",
        "spotting",
        "reranker",
        "zero",
        "shot",
        "classification",
        "classifier",
        "emotion",
        "emotions",
        "go",
        "financial",
        "twitter",
        "extractive",
        "qa",
        "cross",
        "encoder",
        "overlapped",
        "speech",
        "resolution",
        "upscaler",
        "handwriting",
        "ocr",
        "transformer",
        "vision",
        "generative",
        "segmentation",
        "captioning",
        "audio",
        "spectrogram",
        "tts",
        "embedding",
        "embeddings",
        "embed",
        "translation",
        "multilingual",
    }
)
# Everyday words one edit away from a family word; never "corrected".
FUZZY_STOP = frozenset(
    {
        "reset",
        "resent",
        "gamma",
        "mistrial",
        "whisker",
        "whiskers",
        "mocha",
        "comma",
        "lamas",
        "llano",
        "fluxes",
        "falcons",
        "clips",
        "blips",
        "granted",
        "grant",
        "pixel",
        "pixels",
        "vicinity",
        "zephyrs",
        "yolk",
        "deeps",
        "phone",
        "llamas",
        "code",
        "coded",
        "codes",
        "barter",
        "chronic",
        "canaries",
        "parlor",
        "stable",
    }
)
# Ambiguous words that name a model outright when written in capitals ("CLIP", "SAM"), when they are the whole
# message ("clip"), or next to a word that makes them a model ("fine-tune clip", "deploy sam", "clip embeddings").
NAMED_OUTRIGHT = frozenset({"clip", "blip", "sam"})
_MODEL_VERBS = frozenset({"deploy", "serve", "host", "run", "tune", "finetune", "train", "use", "using"})
_MODEL_NOUNS = frozenset({"model", "models", "embeddings", "embedding", "encoder", "checkpoint", "weights"})
_CAPITALS = re.compile(r"(?<![A-Za-z])[A-Z]{3,}(?![a-z])")
_INSTRUCT = frozenset({"instruct", "chat", "it"})
_BASE_WORDS = frozenset({"base", "pretrained", "pt"})
_QUANT_WORDS = frozenset(
    {
        "awq",
        "gptq",
        "int4",
        "int8",
        "fp8",
        "gguf",
        "bnb",
        "4bit",
        "8bit",
        "w4a16",
        "nf4",
        "nvfp4",
        "mxfp4",
        "fp4",
    }
)
_NOISE = frozenset({"hf", "meta", "diffusers", "dynamic", "v0", "1k", "in", "bf16"})
_QUANT_SETS: dict[str, frozenset[str]] = {
    "awq": frozenset({"awq"}),
    "gptq": frozenset({"gptq"}),
    "gguf": frozenset({"gguf"}),
    "fp8": frozenset({"fp8"}),
    "int8": frozenset({"int8"}),
    "int4": frozenset({"awq", "gptq", "int4", "bnb"}),
    "nvfp4": frozenset({"nvfp4"}),
    "mxfp4": frozenset({"mxfp4"}),
}


def fold(text: str) -> str:
    """Lower case, accents removed, compatibility forms folded ("Ｌlama" -> "llama"), "r+" -> "r plus"."""
    decomposed = unicodedata.normalize("NFKD", text[:MAX_TEXT_CHARS])
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _PLUS.sub(" plus ", folded)


def _split(token: str) -> list[str]:
    found = _ALPHA_DIGITS.fullmatch(token)
    if not found or found.group(1) in _NO_SPLIT:
        return [token]
    letters, digits = found.groups()
    if letters.endswith("v") and len(letters) > 3:
        return [letters[:-1], "v" + digits]
    return [letters, digits]


def _merge_sizes(tokens: list[str]) -> list[str]:
    """Join "7 billion" -> "7b", "70 b" -> "70b" and "8 x 7b" -> "8x7b"."""
    out: list[str] = []
    for token in tokens:
        if token in _SIZE_WORDS and out and _NUMBER.fullmatch(out[-1]):
            out[-1] += _SIZE_WORDS[token]
        elif _SIZE.fullmatch(token) and len(out) >= 2 and out[-1] == "x" and _NUMBER.fullmatch(out[-2]):
            out[-2:] = [f"{out[-2]}x{token}"]
        else:
            out.append(token)
    return out


# "50M documents" or "2B tokens" count things; they are not a parameter count.
COUNT_NOUNS = frozenset(
    "documents docs images photos pictures users requests rows records tokens files hours tweets samples "
    "examples queries pages items customers calls videos words sentences messages transactions events "
    "vectors embeddings chunks reviews emails products clips".split()
)


# "1M context", "1M-token context window", "a context window of 1M": a context length, not a parameter count.
_CONTEXT_AFTER = frozenset({"context", "ctx", "token"})
_CONTEXT_BEFORE = frozenset({"context", "ctx"})
_CONTEXT_LINKS = frozenset({"of", "is", "to", "window", "length"})


def _is_count(tokens: Sequence[str], index: int) -> bool:
    if index + 1 < len(tokens) and (tokens[index + 1] in COUNT_NOUNS or tokens[index + 1] in _CONTEXT_AFTER):
        return True
    before = tokens[max(0, index - 3) : index]
    while before and before[-1] in _CONTEXT_LINKS:
        before = before[:-1]
    return bool(before) and before[-1] in _CONTEXT_BEFORE


def _drop_counts(tokens: list[str]) -> list[str]:
    return [token[:-1] if is_size(token) and _is_count(tokens, index) else token for index, token in enumerate(tokens)]


def tokenize(text: str) -> list[str]:
    raw = _TOKEN.findall(fold(text))
    return _drop_counts(_merge_sizes([part for token in raw for part in _split(token)]))


def is_size(token: str) -> bool:
    return _SIZE.fullmatch(token) is not None


def _is_number(token: str) -> bool:
    return _NUMBER.fullmatch(token) is not None


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def _allowed_edits(word: str) -> int:
    return 0 if len(word) < 5 else 1 if len(word) < 8 else 2


def _deletions(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


@cache
def table_words() -> frozenset[str]:
    """Every plain word of the parser's own phrase tables ("context", "tokens", "window"): words the parser
    reads for their meaning, so never a misspelt model family ("context" is not "convnext")."""
    from stack8s.agents.requirements import languages
    from stack8s.agents.requirements.roles import TABLE

    fragments: list[str] = [TABLE.read_text()]
    for concept in languages.WORD_CONCEPTS:
        fragments += languages.words(concept)
    for concept in languages.KEYED_CONCEPTS:
        for lang in languages.LANGUAGES:
            for ws in getattr(lang, concept).values():
                fragments += list(ws)
    return frozenset(w for f in fragments for w in re.findall(r"[a-z]{4,}", f.lower()))


class FuzzyVocab:
    """Spelling correction onto a small vocabulary (symmetric-delete index, then exact distance).

    Words shorter than 5 letters must match exactly; 5-7 letters allow one edit, longer words two.
    A candidate must start with the same letter, and everyday words in `stop` are never corrected.
    """

    def __init__(self, words: Iterable[str], stop: frozenset[str] = FUZZY_STOP) -> None:
        self.words = frozenset(words)
        self._stop = stop
        self._index: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.words):
            for deleted in _deletions(word, _allowed_edits(word)):
                self._index[deleted].append(word)
        self._cache: dict[str, str | None] = {}

    def correct(self, token: str) -> str | None:
        if token in self.words:
            return token
        if len(token) < 4 or len(token) > 24 or token in self._stop or not token.isalpha():
            return None
        if token not in self._cache:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[token] = self._nearest(token)
        return self._cache[token]

    def _nearest(self, token: str) -> str | None:
        depth = 2 if len(token) >= 7 else 1
        candidates = {w for d in _deletions(token, depth) for w in self._index.get(d, ())}
        scored = sorted(
            (osa_distance(token, w), w)
            for w in candidates
            if w[0] == token[0] and abs(len(w) - len(token)) <= 2 and not w.startswith(token)
        )
        return next((w for dist, w in scored if 0 < dist <= _allowed_edits(w)), None)


@dataclass(frozen=True, slots=True)
class ModelMatch:
    model_id: str
    params_billion: float | None
    family: str | None
    confidence: float
    matched: str
    pipeline_tag: str | None = None
    quantization: str | None = None  # the weight format a variant marker names (-FP8, -NVFP4, AWQ), else the row's


@dataclass(frozen=True, slots=True)
class UnknownModel:
    """A model the user named that the catalog does not have: its name as written, and the closest known member
    of its family (same family words, nearest version, then nearest size) when it belongs to one."""

    named: str
    closest: ModelMatch | None = None


# "org/name" as on the Hub: the name has a letter, a digit and a separator ("acme/Zeta-2-13B"), so "A100/H100"
# and Helm charts ("prometheus-community/kube-prometheus-stack") are no model ids.
_PRODUCT_NAME = re.compile(
    r"\b(?i:serve|run|deploy|host|self-host|fine-?tune|use)\s+(?i:the\s+|a\s+|an\s+|our\s+|my\s+)?"
    r"([A-Z][A-Za-z]{2,}[A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*[-_.]?\d[\w.-]*)"
)
"""A product-like name after a deploy verb ("serve Zorblax-9000"): a capitalised word with a digit in it. Only
asked about when no catalog model was found; a GPU name or a bare size is not one."""
_SIZE_ONLY = re.compile(r"[A-Za-z]*\d+(?:\.\d+)?[bBmMkK]?")

_HUB_ID = re.compile(r"(?<![\w./-])([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w]*[-_.][\w.-]*[A-Za-z][\w.-]*)(?![\w/])")


@dataclass(frozen=True, slots=True)
class _Entry:
    row: HFModelRow
    family: str
    family_words: tuple[str, ...]
    version: str | None
    sizes: frozenset[str]
    keys: frozenset[str]
    variants: frozenset[str]
    instruct: bool
    quant: str | None
    aliases: tuple[tuple[str, ...], ...]

    def fits_size(self, size: str) -> bool:
        if size in self.sizes:
            return True
        params = self.row.params_billion
        if params is None or "x" in size:
            return False
        stated = float(size[:-1]) / (1000 if size.endswith("m") else 1)
        return abs(params - stated) <= 0.15 * stated

    def fits_version(self, version: str) -> bool:
        return self.version is None or self.version == version or self.version.startswith(version + ".")


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    words: tuple[str, ...]
    candidates: tuple[int, ...]


def _family_words(tokens: Sequence[str]) -> tuple[str, ...]:
    words = tuple(t for t in tokens if not _is_number(t) and not is_size(t) and not re.fullmatch(r"v\d.*", t))
    specific = tuple(w for w in words if w not in GENERIC)
    return specific or words


def _version_token(token: str) -> str | None:
    """A version as written: "3.1", or "v2" / "v3.1" without its v."""
    if _is_number(token):
        return token
    return token[1:] if token[:1] == "v" and _is_number(token[1:]) else None


def _version(tokens: Sequence[str], family_words: Sequence[str]) -> str | None:
    """The version written after the family: "llama 3.1", "deepseek v2" (a leading v is dropped, so DeepSeek
    V2 never passes for DeepSeek V3)."""
    for i, token in enumerate(tokens[:-1]):
        if token in family_words and (version := _version_token(tokens[i + 1])):
            return version
    return None


def _entry(row: HFModelRow) -> _Entry:
    name = tokenize(row.model_id.split("/")[-1])
    org = tokenize(row.model_id.split("/")[0]) if "/" in row.model_id else []
    aliases = [tokenize(a) for a in row.aliases]
    family_words = _family_words(tokenize(row.family or "")) or _family_words([t for t in name if t not in _NOISE])[:1]
    every = {*org, *name, *family_words, *(t for alias in aliases for t in alias)}
    quant = (row.quantization or next((t for t in name if t in _QUANT_WORDS), None) or "").lower() or None
    skip = {*family_words, *_INSTRUCT, *_QUANT_WORDS, *_NOISE, *org}
    return _Entry(
        row=row,
        family=row.family or " ".join(family_words),
        family_words=family_words,
        version=_version(name, family_words),
        sizes=frozenset(t for t in every if is_size(t)),
        keys=frozenset(every),
        variants=frozenset(t for t in name if t not in skip and not _is_number(t) and not is_size(t)),
        instruct=bool(_INSTRUCT & set(name)),
        quant=quant,
        aliases=tuple(tuple(a) for a in (*aliases, name, [*org, *name]) if _usable_alias(a)),
    )


def _usable_alias(tokens: Sequence[str]) -> bool:
    meaningful = [t for t in tokens if t not in GENERIC and not _is_number(t) and not is_size(t)]
    return bool(meaningful)


class ModelLexicon:
    """Index of catalog models for resolving names in user text."""

    def __init__(self, entries: Sequence[_Entry]) -> None:
        self._entries = tuple(entries)
        self._by_id = {e.row.model_id: e for e in self._entries}
        families: dict[tuple[str, ...], list[int]] = defaultdict(list)
        aliases: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        for i, entry in enumerate(self._entries):
            families[entry.family_words].append(i)
            for alias in entry.aliases:
                aliases[alias[0]].append((alias, i))
        self._families: dict[str, list[tuple[tuple[str, ...], tuple[int, ...]]]] = defaultdict(list)
        for words, members in sorted(families.items()):
            if words:
                self._families[words[0]].append((words, tuple(members)))
        self._aliases = {k: sorted(v) for k, v in aliases.items()}
        vocab = {w for words in families for w in words if w.isalpha() and w not in AMBIGUOUS}
        self._vocab = FuzzyVocab(vocab, FUZZY_STOP | table_words())

    @classmethod
    def from_rows(cls, rows: Iterable[HFModelRow]) -> ModelLexicon:
        unique = {row.model_id: row for row in rows}
        return cls([_entry(unique[k]) for k in sorted(unique)])

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._by_id

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, model_id: str) -> HFModelRow | None:
        entry = self._by_id.get(model_id)
        return entry.row if entry else None

    def resolve(self, text: str, quantization: str | None = None) -> ModelMatch | None:
        """The catalog model named in `text`, or None. `quantization` (awq, gptq, int4, fp8, ...)
        overrides the quantisation read from the text itself."""
        original = tokenize(text)
        corrected = [self._vocab.correct(t) or t for t in original]
        aliases = self._alias_hits(corrected)
        capitals = frozenset(word.lower() for word in _CAPITALS.findall(text[:MAX_TEXT_CHARS]))
        mentions = _mentions(corrected, self._family_hits(corrected) + aliases, capitals)
        if not mentions:
            return None
        marker = quantization or _quant_in(text)
        wanted = _QUANT_SETS.get(marker or "", frozenset())
        alias_len: dict[int, int] = {}
        for hit in aliases:
            alias_len[hit.candidates[0]] = max(alias_len.get(hit.candidates[0], 0), len(hit.words))
        ranked = [
            (key, mention, i)
            for mention in mentions
            for i in mention.hit.candidates
            if (key := _rank(mention, self._entries[i], wanted, alias_len.get(i, 0))) is not None
        ]
        if not ranked:
            return None
        key, mention, index = min(ranked, key=lambda r: r[0])
        score = -key[0]
        entry = self._entries[index]
        found = self._match(mention.hit, entry, original, corrected, alias_len.get(index, 0), score)
        return replace(found, quantization=marker) if marker and marker != "none" else found

    def unknown(self, text: str) -> UnknownModel | None:
        """The model `text` names when `resolve` finds none: a family named with a version or size none of its
        catalog members has ("GLM-7", "Qwen 9 12B"), else a Hub id the catalog does not know."""
        corrected = [self._vocab.correct(t) or t for t in tokenize(text)]
        for mention in _mentions(corrected, self._family_hits(corrected)):
            words = mention.hit.words
            if not (mention.size or mention.version) or all(w in AMBIGUOUS or w in GENERIC for w in words):
                continue
            if any(_rank(mention, self._entries[i], frozenset(), 0) is not None for i in mention.hit.candidates):
                continue
            closest = min(mention.hit.candidates, key=lambda i: _distance(mention, self._entries[i]))
            entry = self._entries[closest]
            named = " ".join(w for w in (*words, mention.version, mention.size) if w)
            return UnknownModel(named, self._match(mention.hit, entry, corrected, corrected, 0, 0))
        hubs = (found.group(1) for found in _HUB_ID.finditer(text[:MAX_TEXT_CHARS]))
        hub = next((h for h in hubs if any(ch.isdigit() for ch in h.split("/")[1])), None)
        if hub:
            return UnknownModel(hub)
        for found in _PRODUCT_NAME.finditer(text[:MAX_TEXT_CHARS]):
            name = found.group(1).rstrip(".-")
            if not match_gpu_preference(name) and not _SIZE_ONLY.fullmatch(name):
                return UnknownModel(name)
        return None

    def _family_hits(self, tokens: Sequence[str]) -> list[_Hit]:
        hits: list[_Hit] = []
        for start, token in enumerate(tokens):
            for words, members in self._families.get(token, ()):
                end = _match_words(tokens, start, words)
                if end is not None:
                    hits.append(_Hit(start, end, words, members))
        return hits

    def _alias_hits(self, tokens: Sequence[str]) -> list[_Hit]:
        hits: list[_Hit] = []
        for start, token in enumerate(tokens):
            for alias, index in self._aliases.get(token, ()):
                if tuple(tokens[start : start + len(alias)]) == alias:
                    hits.append(_Hit(start, start + len(alias), alias, (index,)))
        return hits

    def _match(
        self,
        hit: _Hit,
        entry: _Entry,
        original: Sequence[str],
        corrected: Sequence[str],
        alias_len: int,
        score: int,
    ) -> ModelMatch:
        window_end = min(len(corrected), hit.end + 5)
        last = max(
            (i for i in range(hit.end, window_end) if _counts(corrected[i], entry)),
            default=hit.end - 1,
        )
        extra = score - len(set(hit.words))
        spelled_differently = original[hit.start : last + 1] != corrected[hit.start : last + 1]
        return ModelMatch(
            model_id=entry.row.model_id,
            params_billion=entry.row.params_billion,
            family=entry.family,
            confidence=_confidence(alias_len, extra, spelled_differently),
            matched=" ".join(corrected[hit.start : last + 1]),
            pipeline_tag=entry.row.pipeline_tag,
            quantization=entry.quant,
        )


@dataclass(frozen=True, slots=True)
class _Mention:
    """A place where a family or alias is named, with what the nearby words say about it."""

    hit: _Hit
    size: str | None
    version: str | None
    window: frozenset[str]
    named: bool = False  # an ambiguous word used as a model name (see NAMED_OUTRIGHT)


def _mentions(tokens: Sequence[str], hits: Sequence[_Hit], capitals: frozenset[str] = frozenset()) -> list[_Mention]:
    """One mention per distinct context (repeated text is ranked once), at most MAX_MENTIONS."""
    seen: dict[tuple[object, ...], _Mention] = {}
    for hit in sorted(hits, key=lambda h: (h.start, h.end, h.candidates)):
        version = next((v for t in tokens[hit.start + 1 : hit.end + 1] if (v := _version_token(t))), None)
        named = _named_outright(tokens, hit, capitals)
        mention = _Mention(hit, _stated_size(tokens, hit), version, frozenset(_window(tokens, hit)), named)
        seen.setdefault((hit.words, hit.candidates, mention.size, version, mention.window, named), mention)
        if len(seen) >= MAX_MENTIONS:
            break
    # A family named twice, once with a version ("deepseek-ai/DeepSeek-V2-Lite"): the version holds for both.
    versions = {m.hit.words: m.version for m in seen.values() if m.version}
    return [replace(m, version=versions.get(m.hit.words)) if not m.version else m for m in seen.values()]


def _named_outright(tokens: Sequence[str], hit: _Hit, capitals: frozenset[str]) -> bool:
    """The hit's ambiguous word is used as a model name: "CLIP", "clip" alone, "fine-tune clip", "clip model"."""
    names = NAMED_OUTRIGHT.intersection(hit.words)
    if not names:
        return False
    if names & capitals:
        return True
    before, after = tokens[: hit.start], tokens[hit.end :]
    if after and after[0] == "s":  # "Sam's team": a possessive names a person or a thing, not the model
        return False
    return bool(
        all(t in GENERIC for t in (*before, *after))
        or (before and before[-1] in _MODEL_VERBS)
        or (after and after[0] in _MODEL_NOUNS)
    )


def _rank(
    mention: _Mention, entry: _Entry, wanted: frozenset[str], alias_len: int
) -> tuple[int, int, int, int, int, int, str] | None:
    """Sort key (smaller is better) of `entry` for this mention, or None when the mention rules it out."""
    size, version, window = mention.size, mention.version, mention.window
    if (size and not entry.fits_size(size)) or (version and not entry.fits_version(version)):
        return None
    score = len(window & entry.keys) + int(version is not None and version == entry.version)
    words = mention.hit.words
    if all(w in AMBIGUOUS or w in GENERIC for w in words) and score <= len(set(words)) and not mention.named:
        return None
    quant_ok = entry.quant in wanted if wanted else entry.quant is None
    wants_base = bool(window & _BASE_WORDS)
    return (
        -score,
        -int(quant_ok),
        -alias_len,
        -int(entry.instruct != wants_base),
        len(entry.variants - window),
        -entry.row.downloads,
        entry.row.model_id,
    )


def _number(text: str | None) -> float | None:
    found = re.match(r"\d+(?:\.\d+)?", text or "")
    return float(found.group()) if found else None


def _distance(mention: _Mention, entry: _Entry) -> tuple[float, float, int, str]:
    """How far a family member is from the version and size named: version gap, then size ratio, then the
    more downloaded, then the id (a total order)."""
    wanted, have = _number(mention.version), _number(entry.version)
    version_gap = abs(wanted - have) if wanted is not None and have is not None else 0.0
    stated = _number(mention.size) if mention.size and "x" not in mention.size else None
    stated = stated / 1000 if stated and mention.size and mention.size.endswith("m") else stated
    params = entry.row.params_billion
    size_gap = abs(math.log(params / stated)) if stated and params else 0.0
    return (version_gap, size_gap, -entry.row.downloads, entry.row.model_id)


def _match_words(tokens: Sequence[str], start: int, words: Sequence[str]) -> int | None:
    """End of `words` found in order from `start`, skipping only numbers and sizes between them."""
    position = start
    for word in words:
        while position < len(tokens) and tokens[position] != word:
            if position == start or not (_is_number(tokens[position]) or is_size(tokens[position])):
                return None
            position += 1
        if position >= len(tokens):
            return None
        position += 1
    return position


def _confidence(alias_len: int, extra: int, corrected: bool) -> float:
    """A multi-word alias > family plus two details (size, version) > one detail > the family alone."""
    if alias_len >= 2:
        base = 0.95
    elif extra >= 2:
        base = 0.85
    elif extra == 1 or alias_len:
        base = 0.75
    else:
        base = 0.6
    return round(base - (0.1 if corrected else 0.0), 2)


def _counts(token: str, entry: _Entry) -> bool:
    return token in entry.keys and (not _is_number(token) or token == entry.version)


def _window(tokens: Sequence[str], hit: _Hit) -> set[str]:
    """Words near a mention that may name a variant; bare numbers count only as the stated version."""
    return {t for t in tokens[max(0, hit.start - 2) : hit.end + 5] if not _is_number(t)}


def _stated_size(tokens: Sequence[str], hit: _Hit) -> str | None:
    after = (t for t in tokens[hit.start : hit.end + 4] if is_size(t))
    before = (t for t in reversed(tokens[max(0, hit.start - 3) : hit.start]) if is_size(t))
    return next(after, None) or next(before, None)


def _quant_in(text: str) -> str | None:
    return next((method for _, method in PRECISIONS.values(text) if method), None)
