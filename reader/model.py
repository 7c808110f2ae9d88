"""The things reader keeps: articles, their analysis, spans and annotations.

Every span is a character range `[start, end)` into the stored article text. Token
boundaries are kept as the analysis found them, so token indices can be derived when a
format needs them; they are never the truth.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from reader.text import article_id, join_paragraphs, paragraph_bounds, word_spans

# spaCy's numeric entity labels; anything else the model finds is an entity.
NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
# A numeric token that no entity covers.
NUM_LABEL = "NUM"

SpanKind = Literal["entity", "number"]
AnnotationSource = Literal["manual", "model"]


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
        return cls(
            id=record["id"],
            start=int(record["start"]),
            end=int(record["end"]),
            label=record["label"],
            source=record.get("source", "manual"),
            created=record.get("created", ""),
        )


@dataclass(frozen=True, slots=True)
class Rejection:
    """A model span the reader said is wrong: no longer shown as a suggestion nor exported."""

    start: int
    end: int
    label: str


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

    def spans(self) -> list[Span]:
        """Entities and numbers together, in text order."""
        return sorted(self.entities + self.numbers, key=lambda s: (s.start, -s.end))

    def to_record(self) -> dict[str, Any]:
        """The stored form (compact: spans as lists)."""
        return {
            "model": self.model,
            "version": self.version,
            "analysed_at": self.analysed_at,
            "entities": [[s.start, s.end, s.label] for s in self.entities],
            "numbers": [[s.start, s.end, s.label] for s in self.numbers],
            "tokens": self.tokens,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Analysis:
        """Rebuild from the stored form."""
        return cls(
            model=record["model"],
            version=record["version"],
            analysed_at=record.get("analysed_at", ""),
            entities=[Span(s, e, lab, "entity") for s, e, lab in record.get("entities", [])],
            numbers=[Span(s, e, lab, "number") for s, e, lab in record.get("numbers", [])],
            tokens=list(record.get("tokens", [])),
        )


@dataclass(slots=True)
class Draft:
    """An article as ingestion found it, before it has an id or an analysis."""

    paragraphs: list[str]
    source: str
    title: str | None = None
    byline: str | None = None
    date: str | None = None  # ISO 8601, a day ("2024-03-26") or a full timestamp
    site: str | None = None
    url: str | None = None  # where the article lives on the web, when known

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

    @classmethod
    def from_draft(cls, draft: Draft, ingested_at: str = "") -> Article:
        """A new article from an ingestion draft; its id comes from its text."""
        text = draft.text()
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
        )

    @property
    def words(self) -> int:
        """How many words the text has."""
        return len(self.text.split())

    def paragraphs(self) -> list[tuple[int, int]]:
        """Character bounds of each paragraph."""
        return paragraph_bounds(self.text)

    def token_bounds(self) -> list[tuple[int, int]]:
        """Token boundaries from the analysis, or plain word boundaries when there is none."""
        if self.analysis and self.analysis.tokens:
            return self.analysis.token_spans()
        return word_spans(self.text)

    def snap(self, start: int, end: int) -> tuple[int, int]:
        """Widen or trim `[start, end)` to the whole tokens it touches."""
        if not (0 <= start < end <= len(self.text)):
            raise ValueError(f"span {start}-{end} is outside the text (0-{len(self.text)})")
        bounds = self.token_bounds()
        ends = [e for _, e in bounds]
        starts = [s for s, _ in bounds]
        first = bisect.bisect_right(ends, start)
        last = bisect.bisect_left(starts, end) - 1
        if first > last:
            raise ValueError(f"span {start}-{end} covers no token")
        return starts[first], ends[last]

    def meta_json(self) -> dict[str, Any]:
        """The metadata part of the stable JSON form."""
        return {
            "id": self.id,
            "title": self.title,
            "byline": self.byline,
            "date": self.date,
            "source": self.source,
            "site": self.site,
            "url": self.url,
            "words": self.words,
            "ingested_at": self.ingested_at,
            "model": self.analysis.model if self.analysis else None,
            "model_version": self.analysis.version if self.analysis else None,
        }

    def to_record(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "title": self.title,
            "byline": self.byline,
            "date": self.date,
            "site": self.site,
            "url": self.url,
            "ingested_at": self.ingested_at,
            "analysis": self.analysis.to_record() if self.analysis else None,
        }

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
        )
