"""One article made ready for export: the spans to write, its review status, and its tokens.

Every format reads an `ExportDocument`. What is the same for all of them lives here: the
tokens every span sits on (from `tokens`, worked out once per article and only for the
formats that use them), whether the article is complete (reviewed to the end: every token
outside a span is outside any entity) or not (such tokens are unknown: missing values), and
which spans a format that cannot hold overlaps keeps.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from reader.article import Article, ReviewStatus, article_meta
from reader.export.tokens import Token, TokenColumns, WholeTokens, reference_tokens, whole_tokens

# How a span came to be: tagged by hand, accepted from the model, or the model's
# unreviewed guess (exported only with --include-predictions or --numbers).
SOURCES = ("manual", "model", "prediction")
# When spans overlap and a format holds only one of them, this source wins first.
_SOURCE_RANK = {source: rank for rank, source in enumerate(SOURCES)}


@dataclass(frozen=True, slots=True)
class ExportSpan:
    """A labelled character range `[start, end)` to export, with where it came from."""

    start: int
    end: int
    label: str
    source: str = "manual"
    # When the annotation was made (ISO time; "" for a prediction): of two spans on the same
    # words, the one tagged last is the reader's latest word on them.
    made: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[int, int, str]:
        """What makes two spans the same annotation: offsets and label."""
        return (self.start, self.end, self.label)

    @property
    def rank(self) -> int:
        """How much this span counts against another that overlaps it: lower wins."""
        return _SOURCE_RANK[self.source]

    @property
    def field_label(self) -> str:
        """The label as one field of a format whose fields white space separates (CoNLL, brat):
        its words joined by `_`, as labels are named now; a store from before keeps `MY LABEL`."""
        return "_".join(self.label.split())


class ExportDocument:
    """An article with the spans to export and tokens that every one of those spans fits.

    `status` is the article's review status; `source` the source as exported (see
    `selection.shown_source`).
    """

    def __init__(
        self,
        article: Article,
        spans: list[ExportSpan],
        status: ReviewStatus = "new",
        source: str | None = None,
    ) -> None:
        self.article = article
        self.text = article.text
        self.spans = spans
        self.status = status
        self.source = article.source if source is None else source
        # Tokens are worked out only for the formats that use them (not doccano nor brat).
        self._looked_for_whole = False
        self._whole: WholeTokens | None = None
        self._columns: TokenColumns | None = None
        self._tokens: list[Token] | None = None

    @property
    def id(self) -> str:
        """The article id."""
        return self.article.id

    @property
    def complete(self) -> bool:
        """Whether the article is reviewed to the end (done): then every token outside its
        spans is outside any entity; otherwise what lies outside them is unknown."""
        return self.status == "done"

    @property
    def whole(self) -> WholeTokens | None:
        """The tokens of the usual case (see `tokens.whole_tokens`), or None when it does not hold."""
        if not self._looked_for_whole:
            self._looked_for_whole = True
            analysis = self.article.analysis
            if analysis and analysis.tokens:
                self._whole = whole_tokens(self.text, analysis.tokens, self.spans)
        return self._whole

    @property
    def columns(self) -> TokenColumns:
        """The tokens as columns: texts, starts, ends and ws, one item per token."""
        if self._columns is None:
            whole = self.whole
            if whole is not None:
                self._columns = whole.columns(self.text)
            else:
                self._columns = TokenColumns.of(self.text, self.tokens)
        return self._columns

    @property
    def tokens(self) -> list[Token]:
        """Tokens covering the whole text, every exported span a whole number of them."""
        if self._tokens is None:
            if self._columns is not None:
                self._tokens = self._columns.tokens()
            else:
                bounds = self.article.token_bounds()
                self._tokens = reference_tokens(self.text, bounds, self.spans)
        return self._tokens

    @property
    def token_edges(self) -> tuple[list[int], list[int]]:
        """Every token's start, and every token's end."""
        edges = self.whole if self.whole is not None else self.columns
        return edges.starts, edges.ends

    def token_range(self, span: ExportSpan) -> tuple[int, int]:
        """The first and last token (inclusive, as Prodigy counts) that `span` covers."""
        starts, ends = self.token_edges
        return bisect_left(starts, span.start), bisect_left(ends, span.end)

    def entities(self) -> tuple[list[ExportSpan], list[ExportSpan]]:
        """Non-overlapping spans for formats that hold only those, and the ones left out.

        Tagged by hand wins over accepted from the model, which wins over a prediction; then
        the longest; then the earliest (spaCy's `filter_spans` rule, after the source); then,
        of two labels on the same words, the one tagged last.
        """
        by_label = sorted(self.spans, key=lambda s: s.label)
        newest_first = sorted(by_label, key=lambda s: s.made, reverse=True)  # stable: ties by label
        ranked = sorted(newest_first, key=lambda s: (s.rank, s.start - s.end, s.start))
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
        """The article's metadata as the line formats carry it, with its review status."""
        return article_meta(self.article, source=self.source, status=self.status)
