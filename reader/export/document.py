"""One article made ready for export: the spans to write, and tokens every span sits on.

Every format reads an `ExportDocument`; the choices that are the same for all of them live
here: which spans are exported (reviewed ones, plus the model's unreviewed ones when asked,
never rejected ones), how tokens are cut so that each span starts and ends on a token
boundary, and which spans a format that cannot hold overlaps keeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from reader.model import Annotation, Article, Rejection

# How a span came to be: tagged by hand, accepted from the model, or the model's
# unreviewed guess (exported only with --include-predictions).
SOURCES = ("manual", "model", "prediction")
# When spans overlap and a format holds only one of them, this source wins first.
_SOURCE_RANK = {source: rank for rank, source in enumerate(SOURCES)}

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ExportSpan:
    """A labelled character range `[start, end)` to export, with where it came from."""

    start: int
    end: int
    label: str
    source: str = "manual"

    @property
    def key(self) -> tuple[int, int, str]:
        """What makes two spans the same annotation: offsets and label."""
        return (self.start, self.end, self.label)


class Token(NamedTuple):
    """A token of the exported text: `[start, end)` and whether one space follows it."""

    start: int
    end: int
    ws: bool


def select_spans(
    article: Article,
    annotations: Iterable[Annotation],
    rejections: Iterable[Rejection] = (),
    *,
    include_predictions: bool = False,
) -> list[ExportSpan]:
    """The spans to export for an article, in text order, each once.

    Annotations are always exported. With `include_predictions`, the model's entities and
    numbers are added as `prediction` spans, unless an annotation already sits at the same
    offsets (whatever its label) or the reader rejected that exact span.
    """
    length = len(article.text)
    best: dict[tuple[int, int, str], ExportSpan] = {}
    for a in annotations:
        if not (0 <= a.start < a.end <= length):
            continue  # the store refuses these; an old or hand-edited file could still hold one
        span = ExportSpan(a.start, a.end, a.label, "model" if a.source == "model" else "manual")
        held = best.get(span.key)
        # The same span tagged by hand and accepted from the model is one span, by hand.
        if held is None or _SOURCE_RANK[span.source] < _SOURCE_RANK[held.source]:
            best[span.key] = span
    if include_predictions and article.analysis:
        annotated = {(s.start, s.end) for s in best.values()}
        rejected = {(r.start, r.end, r.label) for r in rejections}
        for found in article.analysis.spans():
            offsets = (found.start, found.end)
            if offsets in annotated or (*offsets, found.label) in rejected:
                continue
            if not (0 <= found.start < found.end <= length):
                continue
            annotated.add(offsets)  # an entity and a number at the same offsets: the entity
            best[(*offsets, found.label)] = ExportSpan(*offsets, found.label, "prediction")
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.label))


def export_tokens(
    text: str, bounds: Iterable[tuple[int, int]], spans: Iterable[ExportSpan] = ()
) -> list[Token]:
    """Tokens that cover the whole text, so that joining them (with `ws`) gives it back exactly.

    Starts from the analysis's tokens (`bounds`), cut further wherever a span starts or ends
    inside one, so every span is a whole number of tokens (spaCy's `Doc.char_span` in strict
    mode, IOB tags and Prodigy's `token_start`/`token_end` all need that). White space
    follows spaCy's convention: one space after a token is its `ws`; any other run of white
    space is a token of its own. A space that a span starts or ends on stays a token of its
    own, so that span still aligns.
    """
    bounds = sorted(b for b in bounds if b[0] < b[1])
    starts = {s.start for s in spans}
    ends = {s.end for s in spans}
    if starts <= {b[0] for b in bounds} and ends <= {b[1] for b in bounds}:
        tokens = _whole_tokens(text, bounds)
        if tokens is not None:
            return tokens
    return _cut_tokens(text, bounds, starts, ends)


def _whole_tokens(text: str, bounds: list[tuple[int, int]]) -> list[Token] | None:
    """The usual case, in one pass: every span sits on the analysis's tokens, and only white
    space lies between them. None when that is not so."""
    n = len(text)
    ends = [0, *(end for _, end in bounds)]
    starts = [*(start for start, _ in bounds), n]
    if any(end > start for end, start in zip(ends, starts, strict=True)):
        return None  # overlapping tokens, or one past the end of the text
    gaps = [text[end:start] for end, start in zip(ends, starts, strict=True)]
    in_gaps = sum(map(len, gaps))
    # White space (as str.isspace, str.split and re's \s count it) only in the gaps, all of it.
    if n - sum(map(len, text.split())) != in_gaps or any(g and not g.isspace() for g in gaps):
        return None
    tokens: list[Token] = []
    append = tokens.append
    if gaps[0]:
        append(Token(0, len(gaps[0]), False))
    for (start, end), gap in zip(bounds, gaps[1:], strict=True):
        if gap[:1] == " ":
            append(Token(start, end, True))
            if len(gap) > 1:
                append(Token(end + 1, end + len(gap), False))
        else:
            append(Token(start, end, False))
            if gap:
                append(Token(end, end + len(gap), False))
    return tokens


def _cut_tokens(
    text: str, bounds: list[tuple[int, int]], starts: set[int], ends: set[int]
) -> list[Token]:
    """Any case: cut the text at every token, span and white space boundary."""
    n = len(text)
    cuts = {0, n} | starts | ends
    for start, end in bounds:
        if 0 <= start < end <= n:
            cuts.add(start)
            cuts.add(end)
    for match in _WHITESPACE.finditer(text):
        cuts.add(match.start())
        cuts.add(match.end())
    points = sorted(c for c in cuts if 0 <= c <= n)
    tokens: list[Token] = []
    for start, end in zip(points, points[1:], strict=False):
        if start >= end:
            continue
        if text[start].isspace():
            previous = tokens[-1] if tokens else None
            absorb = (
                previous is not None
                and not previous.ws
                and not text[previous.start].isspace()
                and text[start] == " "
                and start not in starts
                and start + 1 not in ends
            )
            if absorb:
                tokens[-1] = Token(previous.start, previous.end, True)
                start += 1
                if start == end:
                    continue
        tokens.append(Token(start, end, False))
    return tokens


class ExportDocument:
    """An article with the spans to export and tokens that every one of those spans fits."""

    def __init__(self, article: Article, spans: list[ExportSpan]) -> None:
        self.article = article
        self.text = article.text
        self.spans = spans
        # Tokens are worked out only for the formats that use them (not doccano nor brat).
        self._tokens: list[Token] | None = None
        self._first: dict[int, int] = {}
        self._last: dict[int, int] = {}

    @property
    def tokens(self) -> list[Token]:
        """Tokens covering the whole text, every exported span a whole number of them."""
        return self._tokenize()

    def _tokenize(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = export_tokens(self.text, self.article.token_bounds(), self.spans)
            self._first = {t.start: i for i, t in enumerate(self._tokens)}
            self._last = {t.end: i for i, t in enumerate(self._tokens)}
        return self._tokens

    @property
    def id(self) -> str:
        """The article id."""
        return self.article.id

    def token_range(self, span: ExportSpan) -> tuple[int, int]:
        """The first and last token (inclusive, as Prodigy counts) that `span` covers."""
        self._tokenize()
        return self._first[span.start], self._last[span.end]

    def span_text(self, span: ExportSpan) -> str:
        """The text a span covers."""
        return self.text[span.start : span.end]

    def entities(self) -> tuple[list[ExportSpan], list[ExportSpan]]:
        """Non-overlapping spans for formats that hold only those, and the ones left out.

        Tagged by hand wins over accepted from the model, which wins over a prediction; then
        the longest; then the earliest (spaCy's `filter_spans` rule, after the source).
        """
        ranked = sorted(
            self.spans, key=lambda s: (_SOURCE_RANK[s.source], s.start - s.end, s.start, s.label)
        )
        kept: list[ExportSpan] = []
        left_out: list[ExportSpan] = []
        # One byte per character, set where a kept span lies: an overlap test is one find().
        taken = bytearray(len(self.text))
        for span in ranked:
            if taken.find(1, span.start, span.end) != -1:
                left_out.append(span)
            else:
                kept.append(span)
                taken[span.start : span.end] = b"\x01" * (span.end - span.start)
        kept.sort(key=lambda s: (s.start, s.end))
        return kept, left_out

    def meta(self) -> dict[str, Any]:
        """The article's metadata as the line formats carry it."""
        a = self.article
        return {
            "id": a.id,
            "title": a.title,
            "byline": a.byline,
            "date": a.date,
            "source": a.source,
            "site": a.site,
            "url": a.url,
        }
