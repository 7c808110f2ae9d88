"""Which articles an export takes, and which of their spans.

- Annotations (tagged by hand, or accepted from the model) are always exported.
- An article's review status says what its tokens outside the spans are: in a *done*
  article they are outside any entity; in one not done they are unknown (missing values).
  The training formats (spaCy, CoNLL) take done articles only by default; the others take
  every status. An *ignored* article is left out of every format but JSONL, which says
  `"answer": "ignore"` for it.
- `include_predictions` adds the model's entities to the articles that are not done (in a
  done article, what the reader did not accept is not an entity). Numbers are not
  predictions: `numbers` adds the model's number entities (spaCy's CARDINAL, MONEY, PERCENT,
  QUANTITY, ORDINAL), to articles of any status. reader's own NUM label (a number no entity
  covers) is never exported: it is not an entity type. A model span is left out where the reader
  rejected it, or where an annotation sits at the same offsets.
- An article that has nothing to say is skipped: no span, and not done (a done article
  without spans says that it holds no entity) nor ignored (in JSONL), unless `include_all`.
- The article's source is exported without the user's local folders (the file name only),
  unless `full_source`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from reader.article import NUM_LABEL, NUMBER_LABELS, Article, ArticleState, in_text_order
from reader.export.document import ExportDocument, ExportSpan
from reader.export.formats import ExportFormat
from reader.export.report import ExportError, ExportReport, Progress
from reader.offsets import OFFSET_UNITS
from reader.store import Library

_URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.I)


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What an export takes and how it writes it (see the module docstring).

    `done_only` None means the format's default: done articles only for spaCy and CoNLL,
    unless predictions are asked for (they go to articles not done). `offsets` is "chars",
    or "utf16" for the formats whose tools count in UTF-16 (doccano).
    """

    include_predictions: bool = False
    include_all: bool = False
    numbers: bool = False
    done_only: bool | None = None
    full_source: bool = False
    offsets: str = "chars"

    def for_format(self, fmt: ExportFormat) -> ExportOptions:
        """These options checked against a format, with `done_only` decided."""
        if self.offsets not in OFFSET_UNITS:
            raise ExportError(f"offsets are counted in {' or '.join(OFFSET_UNITS)}, not {self.offsets!r}")
        if self.offsets != "chars" and not fmt.utf16:
            raise ExportError(f"the {fmt.name} format counts offsets in characters only")
        if self.done_only and self.include_predictions:
            raise ExportError(
                "predictions go to articles not marked done, and only done ones were asked for"
            )
        done_only = self.done_only
        if done_only is None:
            done_only = fmt.done_only and not self.include_predictions
        return replace(self, done_only=done_only)


def shown_source(source: str, full: bool) -> str:
    """An article's source as exported: a URL as it is, a local path without its folders."""
    if full or _URL.match(source):
        return source
    # The last separator found by searching, not by a pattern: `.*[\\/]` backtracks from every
    # position, and costs the square of a long source's length.
    name = source[max(source.rfind("/"), source.rfind("\\")) + 1 :]
    return name or source


def select_spans(
    article: Article, state: ArticleState, *, predictions: bool = False, numbers: bool = False
) -> list[ExportSpan]:
    """The spans to export for an article, in text order, each once."""
    length = len(article.text)
    best: dict[tuple[int, int, str], ExportSpan] = {}
    for a in state.annotations:
        if not (0 <= a.start < a.end <= length):
            continue  # the store refuses these; an old or hand-edited file could still hold one
        if a.label == NUM_LABEL:
            continue  # reader's mark for a plain number, which older versions let `a` accept
        span = ExportSpan(a.start, a.end, a.label, "model" if a.source == "model" else "manual", a.created)
        held = best.get(span.key)
        # The same span tagged by hand and accepted from the model is one span, by hand.
        if held is None or span.rank < held.rank:
            best[span.key] = span
    analysis = article.analysis
    predictions = predictions and state.status != "done"
    if analysis and (predictions or numbers):
        wanted = [
            s
            for s in analysis.entities + analysis.numbers
            if s.label != NUM_LABEL and (numbers if s.label in NUMBER_LABELS else predictions)
        ]
        annotated = {(s.start, s.end) for s in best.values()}
        for found in state.suggestions(in_text_order(wanted)):
            offsets = (found.start, found.end)
            if offsets in annotated or not (0 <= found.start < found.end <= length):
                continue
            annotated.add(offsets)  # two model spans at the same offsets: the first, the entity
            best[(*offsets, found.label)] = ExportSpan(*offsets, found.label, "prediction")
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.label))


def list_ids(
    library: Library, ids: list[str] | None, options: ExportOptions, report: ExportReport
) -> tuple[list[str], bool]:
    """The ids an export goes through, and whether they were listed from the store (then an
    article removed since is skipped, not an error).

    Without `ids`, they come in id order from the store's file names (of annotation files,
    unless predictions or every article were asked for), not from its index, which would
    hold a record of every article in memory.
    """
    if ids is not None:
        return ids, False
    every = options.include_predictions or options.include_all
    listed = library.stored_ids(annotated=not every)
    if not every:
        # Articles without an annotation file have nothing to export either.
        report.skipped += max(0, len(library.stored_ids()) - len(listed))
    return listed, True


class Selection:
    """Makes the `ExportDocument` of each article an export takes, and counts those it leaves out."""

    def __init__(
        self, library: Library, fmt: ExportFormat, options: ExportOptions, *, listed: bool
    ) -> None:
        self.library = library
        self.fmt = fmt
        self.options = options
        self.listed = listed

    def document(self, article_id: str, report: ExportReport) -> ExportDocument | None:
        """One article with its spans to write; None (counted in `report`) when it is left out."""
        options = self.options
        state = self.library.article_state(article_id)
        status = state.status
        if status == "ignored" and not self.fmt.keeps_ignored:
            report.ignored += 1
            return None
        if options.done_only and status != "done":
            report.not_done += 1
            return None
        says_something = status == "done" or status == "ignored" or options.include_all
        if not (state.annotations or options.include_predictions or says_something):
            report.skipped += 1
            return None
        try:
            article = self.library.get(article_id)
        except LookupError:
            if not self.listed:
                raise
            report.skipped += 1  # an annotation file left behind by an article removed
            return None
        # The state was read before the text, to skip an article cheaply: its spans are held
        # to the text now (a hand-edited file is named, not exported as slices of nothing).
        self.library.check_state_fits(article_id, state, len(article.text))
        spans = select_spans(
            article, state, predictions=options.include_predictions, numbers=options.numbers
        )
        if not (spans or says_something):
            report.skipped += 1
            return None
        return ExportDocument(article, spans, status, shown_source(article.source, options.full_source))

    def documents(
        self, ids: list[str], report: ExportReport, on_progress: Progress | None = None
    ) -> Iterator[ExportDocument]:
        """The documents of `ids` that the export takes, read one at a time."""
        total = len(ids)
        for done, article_id in enumerate(ids, 1):
            document = self.document(article_id, report)
            if document is not None:
                yield document
            if on_progress:
                on_progress(done, total, article_id)
