"""The things reader keeps: articles, their analysis, spans and annotations.

Every span is a character range `[start, end)` into the stored article text. Token
boundaries are kept as the analysis found them, so token indices can be derived when a
format needs them; they are never the truth.
"""

from __future__ import annotations

import array
import base64
import bisect
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from pathlib import PurePath
from typing import Any, Literal, TypeVar
from urllib.parse import urlparse

from reader.text import (
    article_id,
    count_words,
    join_paragraphs,
    paragraph_bounds,
    shortened,
    tidy_paragraph,
    word_spans,
    words_and_minutes,
)

# spaCy's numeric entity labels; anything else the model finds is an entity.
NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
# A numeric token that no entity covers.
NUM_LABEL = "NUM"
# The model an analysis records when no entity recogniser ran: the text's language has no
# pipeline installed, so only numbers were found.
NO_ENTITY_MODEL = "none"
# Model names that find dates and numbers but no people, places or organisations.
_NO_ENTITIES = frozenset({NO_ENTITY_MODEL, "rules:en"})

SpanKind = Literal["entity", "number"]
AnnotationSource = Literal["manual", "model"]

T = TypeVar("T")

_START = attrgetter("start")
_END = attrgetter("end")


def slot_constructor(cls: type[T]) -> Callable[..., T]:
    """A function taking `cls`'s fields in order and returning the same object `cls(...)`
    would (equal, hashable, frozen), for a frozen dataclass with slots.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`; setting
    the slots through their descriptors takes half the time, which counts where opening an
    article rebuilds thousands of spans and annotations from the store. The function is
    written from the class's fields, as `dataclasses` writes `__init__`, so a new field needs
    no change here and costs no loop at run time.
    """
    names = [f.name for f in fields(cls)]
    setters = {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    body = "".join(f"    _set_{name}(made, {name})\n" for name in names)
    source = f"def make({', '.join(names)}):\n    made = _new(_cls)\n{body}    return made\n"
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, **setters}
    exec(source, namespace)  # names are the class's own field names, nothing from outside
    make = namespace["make"]
    make.__qualname__ = make.__name__ = f"make_{cls.__name__}"
    make.__doc__ = f"`{cls.__name__}(...)` without its `__init__` (see `slot_constructor`)."
    return make


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled character range found by the model: an entity or a number."""

    start: int
    end: int
    label: str
    kind: SpanKind = "entity"

    def to_json(self, text: str) -> dict[str, Any]:
        """The stable JSON form: start, end, label, text and kind."""
        return {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": text[self.start : self.end],
            "kind": self.kind,
        }


@dataclass(frozen=True, slots=True)
class Annotation:
    """A span the reader tagged by hand (`manual`) or accepted from the model (`model`)."""

    id: str
    start: int
    end: int
    label: str
    source: AnnotationSource = "manual"
    created: str = ""

    def to_json(self, text: str) -> dict[str, Any]:
        """The stable JSON form: id, start, end, label, text and source."""
        return {
            "id": self.id,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": text[self.start : self.end],
            "source": self.source,
        }

    def to_record(self) -> dict[str, Any]:
        """The stored form."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Annotation:
        """Rebuild from the stored form."""
        # Opening an article rebuilds every annotation: without `__init__` (see `slot_constructor`).
        return _annotation(
            record["id"],
            int(record["start"]),
            int(record["end"]),
            record["label"],
            record.get("source", "manual"),
            record.get("created", ""),
        )


_span = slot_constructor(Span)
_annotation = slot_constructor(Annotation)


@dataclass(frozen=True, slots=True, order=True)
class Rejection:
    """A model span the reader said is wrong: no longer shown as a suggestion nor exported.

    Ordered by (start, end, label), so an article's rejections sort in text order.
    """

    start: int
    end: int
    label: str

    @property
    def key(self) -> tuple[int, int, str]:
        """What identifies it: the rejected span's offsets and label."""
        return (self.start, self.end, self.label)


# Where an article is in review: untouched, being annotated, fully reviewed, or set aside.
ReviewStatus = Literal["new", "in_progress", "done", "ignored"]
REVIEW_STATUSES: tuple[ReviewStatus, ...] = ("new", "in_progress", "done", "ignored")


@dataclass(slots=True)
class ArticleState:
    """Everything the reader did to one article: annotations, rejections and reading state.

    The one place that knows which model spans are still suggestions (not rejected), so the
    CLI, the export and the app all agree.
    """

    annotations: list[Annotation] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    position: int = 0  # a character offset: where the reader left off
    read: bool = False  # read to the end (or marked read)
    status: ReviewStatus = "new"
    opened_at: str = ""  # when the reader last left the article open at `position`

    def rejected(self) -> set[tuple[int, int, str]]:
        """The rejected spans as (start, end, label)."""
        return {r.key for r in self.rejections}

    def suggestions(self, spans: Iterable[Span]) -> list[Span]:
        """The model's spans that the reader did not reject, in the order given."""
        if not self.rejections:
            return list(spans)
        rejected = self.rejected()
        return [s for s in spans if (s.start, s.end, s.label) not in rejected]

    def open_suggestions(self, spans: Iterable[Span]) -> list[Span]:
        """Suggestions left to accept: not rejected, not plain numbers, and at offsets that no
        annotation covers (a span the reader tagged, with whatever label, is the reader's call)."""
        annotated = {(a.start, a.end) for a in self.annotations}
        return [
            s
            for s in self.suggestions(spans)
            if s.label != NUM_LABEL and (s.start, s.end) not in annotated
        ]


    def unsettled_entities(self, analysis: Analysis | None) -> int:
        """How many of the model's entities the reader neither accepted nor rejected: a done
        article counts them as no entity. Numbers aside: they are exported only when asked
        for (--numbers), whatever the review."""
        if analysis is None:
            return 0
        return sum(1 for s in self.open_suggestions(analysis.entities) if s.label not in NUMBER_LABELS)


def in_text_order(spans: list[Any]) -> list[Any]:
    """Spans (anything with `start` and `end`) sorted by start, the longer first at one start.

    The same order as `sorted(spans, key=lambda s: (s.start, -s.end))`, from two stable sorts
    on plain int keys: no key tuple per span, which on thousands of spans is most of the cost.
    """
    ordered = sorted(spans, key=_END, reverse=True)
    ordered.sort(key=_START)
    return ordered


# Token offsets are stored as little-endian uint32s in base64: JSON parses one string far
# faster than a list of tens of thousands of integers (opening and exporting read them all).
_OFFSETS_PREFIX = "u32le:"


def encode_offsets(offsets: list[int]) -> str:
    """Character offsets as stored: `u32le:` and the base64 of their little-endian uint32s."""
    packed = array.array("I", offsets)
    if sys.byteorder == "big":
        packed.byteswap()
    return _OFFSETS_PREFIX + base64.b64encode(packed.tobytes()).decode("ascii")


def decode_offsets(stored: str | list[int]) -> list[int]:
    """Offsets from their stored form (a plain JSON list is read as well)."""
    if not isinstance(stored, str):
        return list(stored)
    if not stored.startswith(_OFFSETS_PREFIX):
        raise ValueError("token offsets are not in a known encoding")
    packed = array.array("I")
    packed.frombytes(base64.b64decode(stored[len(_OFFSETS_PREFIX) :], validate=True))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tolist()


@dataclass(slots=True)
class Analysis:
    """What the model found in an article, and which model found it."""

    model: str
    version: str
    entities: list[Span] = field(default_factory=list)
    numbers: list[Span] = field(default_factory=list)
    # Flat token boundaries: [start0, end0, start1, end1, ...].
    tokens: list[int] = field(default_factory=list)
    analysed_at: str = ""

    def token_spans(self) -> list[tuple[int, int]]:
        """Token boundaries as `(start, end)` pairs."""
        t = self.tokens
        return list(zip(t[0::2], t[1::2], strict=True))

    def token_edges(self) -> tuple[list[int], list[int]]:
        """Token starts and token ends, as two lists: slices, so no object per token."""
        t = self.tokens
        return t[0::2], t[1::2]

    @property
    def finds_entities(self) -> bool:
        """False when no entity recogniser produced this analysis (numbers only)."""
        return self.model not in _NO_ENTITIES

    def spans(self) -> list[Span]:
        """Entities and numbers together, in text order (by start, the longer first)."""
        return in_text_order(self.entities + self.numbers)

    def to_record(self) -> dict[str, Any]:
        """The stored form (compact: spans as lists)."""
        return {
            "model": self.model,
            "version": self.version,
            "analysed_at": self.analysed_at,
            "entities": [[s.start, s.end, s.label] for s in self.entities],
            "numbers": [[s.start, s.end, s.label] for s in self.numbers],
            "tokens": encode_offsets(self.tokens),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Analysis:
        """Rebuild from the stored form."""
        return cls(
            model=record["model"],
            version=record["version"],
            analysed_at=record.get("analysed_at", ""),
            entities=[_span(s, e, lab, "entity") for s, e, lab in record.get("entities", [])],
            numbers=[_span(s, e, lab, "number") for s, e, lab in record.get("numbers", [])],
            tokens=decode_offsets(record.get("tokens", [])),
        )


# What separates two paragraphs in stored text.
PARAGRAPH_BREAK = "\n\n"

# What a paragraph is in its source: plain text, a heading, a list item, a block quote or a
# table row. Kept so the reader can show structure; plain paragraphs are the default.
ParagraphKind = Literal["text", "heading", "item", "quote", "row"]
PLAIN: ParagraphKind = "text"
PARAGRAPH_KINDS: frozenset[str] = frozenset({"text", "heading", "item", "quote", "row"})


@dataclass(slots=True)
class Draft:
    """An article as ingestion found it, before it has an id or an analysis.

    `kinds`, when given, holds one `ParagraphKind` per paragraph; empty means all plain.
    """

    paragraphs: list[str]
    source: str
    title: str | None = None
    byline: str | None = None
    date: str | None = None  # ISO 8601, a day ("2024-03-26") or a full timestamp
    site: str | None = None
    url: str | None = None  # where the article lives on the web, when known
    kinds: list[str] = field(default_factory=list)
    language: str | None = None  # ISO 639-1, detected from the text

    def blocks(self) -> tuple[list[str], list[str]]:
        """The stored paragraphs (tidy, none empty) and the kind of each, in step."""
        kinds = self.kinds if len(self.kinds) == len(self.paragraphs) else []
        paragraphs: list[str] = []
        kept: list[str] = []
        for i, paragraph in enumerate(self.paragraphs):
            tidy = tidy_paragraph(paragraph)
            if tidy:
                paragraphs.append(tidy)
                kept.append(kinds[i] if kinds and kinds[i] in PARAGRAPH_KINDS else PLAIN)
        return paragraphs, kept

    def text(self) -> str:
        """The stored text: clean paragraphs separated by blank lines."""
        return join_paragraphs(self.paragraphs)


@dataclass(slots=True)
class Article:
    """An article in the library: metadata, clean text, and the model's analysis."""

    id: str
    text: str
    source: str
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    site: str | None = None
    url: str | None = None
    ingested_at: str = ""
    analysis: Analysis | None = None
    language: str | None = None  # ISO 639-1 code, as detected at ingest; None if unknown
    # One ParagraphKind per paragraph, or empty when every paragraph is plain text.
    kinds: list[str] = field(default_factory=list)

    @classmethod
    def from_draft(cls, draft: Draft, ingested_at: str = "") -> Article:
        """A new article from an ingestion draft; its id comes from its text."""
        paragraphs, kinds = draft.blocks()
        text = "\n\n".join(paragraphs)
        return cls(
            id=article_id(text),
            text=text,
            source=draft.source,
            title=draft.title,
            byline=draft.byline,
            date=draft.date,
            site=draft.site,
            url=draft.url,
            ingested_at=ingested_at,
            language=draft.language,
            kinds=kinds if any(k != PLAIN for k in kinds) else [],
        )

    @property
    def words(self) -> int:
        """How many words the text has; in Chinese and Japanese, each character is one."""
        return count_words(self.text)

    @property
    def name(self) -> str:
        """What a message calls the article: its title, else where it came from."""
        return self.title or article_source(self.site, self.source, self.url)

    def words_and_minutes(self) -> tuple[int, int]:
        """`words` and `reading_minutes` from one pass over the text."""
        return words_and_minutes(self.text)

    def entity_note(self) -> str | None:
        """Why the article shows no model entities, when that is so: "no entity model for zh"."""
        if self.analysis is None or self.analysis.finds_entities:
            return None
        return f"no entity model for {self.language or 'this language'}"

    def paragraph_kinds(self) -> list[str]:
        """The kind of each paragraph ("text" when the source marked none)."""
        count = len(self.paragraphs())
        return self.kinds if len(self.kinds) == count else [PLAIN] * count

    def paragraphs(self) -> list[tuple[int, int]]:
        """Character bounds of each paragraph."""
        return paragraph_bounds(self.text)

    def token_bounds(self) -> list[tuple[int, int]]:
        """Token boundaries from the analysis, or plain word boundaries when there is none."""
        if self.analysis and self.analysis.tokens:
            return self.analysis.token_spans()
        return word_spans(self.text)

    def token_edges(self) -> tuple[list[int], list[int]]:
        """Token starts and token ends as two sorted lists, for bisecting; as `token_bounds`.

        Built by slicing the analysis's flat list, without a tuple per token: opening a long
        article must not allocate in proportion to its length.
        """
        if self.analysis and self.analysis.tokens:
            return self.analysis.token_edges()
        pairs = word_spans(self.text)
        return [s for s, _ in pairs], [e for _, e in pairs]

    def snap(self, start: int, end: int) -> tuple[int, int]:
        """Widen or trim `[start, end)` to the whole tokens it touches."""
        if not (0 <= start < end <= len(self.text)):
            raise ValueError(f"span {shortened(start)}-{shortened(end)} is outside the text (0-{len(self.text)})")
        starts, ends = self.token_edges()
        first = bisect.bisect_right(ends, start)
        last = bisect.bisect_left(starts, end) - 1
        if first > last:
            raise ValueError(f"span {start}-{end} covers no token")
        return starts[first], ends[last]

    def crosses_paragraphs(self, start: int, end: int) -> bool:
        """Whether `[start, end)` runs across a paragraph break: no entity does, and spaCy's
        NER cannot predict one across the sentence boundary there, so a span tagged by hand
        over one is a slip of the selection, not an example to learn from."""
        return self.text.find(PARAGRAPH_BREAK, start, end) != -1

    def meta_json(self) -> dict[str, Any]:
        """The metadata part of the stable JSON form."""
        return article_meta(
            self,
            words=self.words,
            language=self.language,
            ingested_at=self.ingested_at,
            model=self.analysis.model if self.analysis else None,
            model_version=self.analysis.version if self.analysis else None,
        )

    def to_record(self) -> dict[str, Any]:
        """The stored form."""
        record: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "title": self.title,
            "byline": self.byline,
            "date": self.date,
            "site": self.site,
            "url": self.url,
            "ingested_at": self.ingested_at,
            "language": self.language,
            "analysis": self.analysis.to_record() if self.analysis else None,
        }
        if any(kind != PLAIN for kind in self.kinds):
            # Only then: a store of plain articles stays as it was.
            record["kinds"] = list(self.kinds)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Article:
        """Rebuild from the stored form."""
        analysis = record.get("analysis")
        return cls(
            id=record["id"],
            text=record["text"],
            source=record.get("source", ""),
            title=record.get("title"),
            byline=record.get("byline"),
            date=record.get("date"),
            site=record.get("site"),
            url=record.get("url"),
            ingested_at=record.get("ingested_at", ""),
            analysis=Analysis.from_record(analysis) if analysis else None,
            language=_optional_str(record.get("language")),
            kinds=_kinds(record.get("kinds")),
        )


def _optional_str(value: Any) -> str | None:
    """A stored string field, or None when it is missing or not a string."""
    return value if isinstance(value, str) and value else None


def _kinds(value: Any) -> list[str]:
    """Stored paragraph kinds; anything unknown reads as plain, a wrong shape as none."""
    if not isinstance(value, list):
        return []
    return [k if isinstance(k, str) and k in PARAGRAPH_KINDS else PLAIN for k in value]


# What names an article and says where it is from, in every JSON form of it (`reader show`,
# `reader list`, the line exports), always these keys in this order.
META_FIELDS = ("id", "title", "byline", "date", "source", "site", "url")
_meta_values = attrgetter(*META_FIELDS)


def article_meta(item: Any, **more: Any) -> dict[str, Any]:
    """The metadata dict of an article (or anything with `META_FIELDS`, as a catalog row has):
    those fields in their order, then `more`; a key of `more` that is one of them replaces its
    value in place (an export's shortened `source`)."""
    data = dict(zip(META_FIELDS, _meta_values(item), strict=True))
    data.update(more)
    return data


def article_json(article: Article, state: ArticleState, *, with_text: bool = True) -> dict[str, Any]:
    """The stable JSON form of one article (`reader show --json`): metadata, text, entities
    and numbers (each saying whether the reader rejected it), and annotations."""
    data = article.meta_json()
    if with_text:
        data["text"] = article.text
    rejected = state.rejected()
    analysis = article.analysis
    for kind, spans in (
        ("entities", analysis.entities if analysis else []),
        ("numbers", analysis.numbers if analysis else []),
    ):
        data[kind] = [
            {**s.to_json(article.text), "rejected": (s.start, s.end, s.label) in rejected}
            for s in spans
        ]
    data["annotations"] = [a.to_json(article.text) for a in state.annotations]
    return data


def article_source(site: str | None, source: str | None, url: str | None = None) -> str:
    """Where an article came from, short: its site, a URL's host, or a file's name (no full path)."""
    if site:
        return site
    for where in (url, source):
        if where and "://" in where:
            return urlparse(where).netloc or where
    return PurePath(source or "").name or source or ""


def web_address(article: Article) -> str | None:
    """Where the article lives on the web: its url, else an http(s) source."""
    for where in (article.url, article.source):
        if where and where.startswith(("http://", "https://")):
            return where
    return None


def other_occurrences(
    article: Article,
    annotations: Sequence[Annotation],
    phrase: str,
    label: str,
    rejections: Sequence[Rejection] = (),
) -> list[tuple[int, int]]:
    """Where else `phrase` occurs in the article as whole tokens and still wants `label`.

    Exact, case-sensitive matches that start and end on token boundaries; a match is left
    out when an annotation already covers exactly its characters (whatever its label), an
    annotation with `label` overlaps it, or the reader rejected `label` there (the model's
    "Apple" as ORG, in an article about fruit). The rule "tag every occurrence" uses, in one
    article and across the library alike.
    """
    if not phrase.strip():
        return []
    starts, ends = article.token_edges()
    token_starts, token_ends = set(starts), set(ends)
    exact = {(a.start, a.end) for a in annotations}
    exact |= {(r.start, r.end) for r in rejections if r.label == label}
    # Annotations with the label by start, and the furthest end reached so far: an overlap
    # test is one bisect, so the cost stays linear in matches and annotations.
    same_label = sorted((a.start, a.end) for a in annotations if a.label == label)
    label_starts = [s for s, _ in same_label]
    reach: list[int] = []
    for _, e in same_label:
        reach.append(max(e, reach[-1]) if reach else e)
    found: list[tuple[int, int]] = []
    text, at = article.text, article.text.find(phrase)
    while at >= 0:
        end = at + len(phrase)
        if (
            at in token_starts
            and end in token_ends
            and (at, end) not in exact
            and not ((i := bisect.bisect_left(label_starts, end)) and reach[i - 1] > at)
        ):
            found.append((at, end))
        at = text.find(phrase, at + 1)
    return found
