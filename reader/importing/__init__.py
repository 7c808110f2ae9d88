"""Import annotations made elsewhere: reader's own JSONL, Prodigy JSONL and doccano JSONL.

Every line is one text with its spans. A text the library does not have becomes a new
article (analysed like any other); a text it has gets the spans added, except those it
already holds, so importing a file twice adds nothing the second time.

A file is all or nothing: it is read twice, once to check every line (`tasks`) and its
labels against the label set, then, only if all of it is good (or `skip_invalid` was asked
for), once more to store it in batches. Nothing is held but one line and the batch being
stored (`reading`), so a large file costs no more memory than a small one.

Spans are stored on whole tokens, as `reader tag` and the app store them: a span that
starts or ends inside a token is widened or trimmed to the tokens it touches, and the
report says which (`FileReport.snapped`). A new article's tokens are known only once it is
analysed, so this happens as it is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from reader.article import Article, ReviewStatus
from reader.importing.reading import FileError, file_state, open_import_file, read_lines
from reader.importing.tasks import NOT_ACCEPTED, NOT_SPANS, ImportedText, LineError, parse_line
from reader.store import Library, added_now
from reader.text import clean_line

__all__ = ["FileReport", "ImportReport", "import_file", "import_files"]

# How far a review status goes: a file's status replaces the library's only when it goes
# further (done or ignored over new or in progress), never back.
_REVIEW_RANK = {"new": 0, "in_progress": 1, "done": 2, "ignored": 2}

# How many new articles are analysed and stored together (as ingest does), and how many
# characters of text a batch holds at most.
BATCH = 32
BATCH_CHARS = 1 << 22
# How many bad lines and snapped spans a report keeps to show; the rest are counted. A file of
# millions of bad lines would otherwise hold a message for each (a 50 MB one took 250 MB).
KEPT = 100


@dataclass(slots=True)
class Snapped:
    """A span moved onto whole tokens as it was stored."""

    line: int
    given: tuple[int, int]
    stored: tuple[int, int]
    text: str  # the text the stored span covers


@dataclass(slots=True)
class FileReport:
    """What importing one file did, or why it did nothing. `path` is the file's name as it
    may be printed (cleaned)."""

    path: str
    failure: tuple[int, str] | None = None  # why the file could not be read (at which line)
    lines: int = 0
    ignored: int = 0  # tasks whose answer is not "accept"
    not_spans: int = 0  # text classification tasks, which have no spans
    errors: list[tuple[int, str]] = field(default_factory=list)  # the first KEPT bad lines
    bad_lines: int = 0  # all of them
    # Labels not in the label set, each with the first line that has it.
    unknown_labels: dict[str, int] = field(default_factory=dict)
    added_labels: list[str] = field(default_factory=list)
    stored: bool = False
    articles_added: int = 0
    annotations_added: int = 0
    already_there: int = 0
    predictions: int = 0
    statuses_set: int = 0  # articles already in the library given the file's review status
    snapped: list[Snapped] = field(default_factory=list)  # the first KEPT
    snapped_count: int = 0  # all of them

    def bad_line(self, line: int, reason: str) -> None:
        """Count a bad line, and keep it to show if it is among the first KEPT."""
        self.bad_lines += 1
        if len(self.errors) < KEPT:
            self.errors.append((line, reason))

    def snap(self, snapped: Snapped) -> None:
        """Count a span moved onto whole tokens, and keep it to show if among the first KEPT."""
        self.snapped_count += 1
        if len(self.snapped) < KEPT:
            self.snapped.append(snapped)

    def messages(self) -> list[str]:
        """Each bad line kept as `FILE:LINE: reason` (then how many more there were), and why
        the file could not be read, if so (`FILE: reason`, or `FILE:LINE: reason` for a line
        that stopped the reading)."""
        shown = [f"{self.path}:{line}: {reason}" for line, reason in self.errors]
        if self.bad_lines > len(self.errors):
            shown.append(f"{self.path}: {self.bad_lines - len(self.errors)} more bad lines")
        if self.failure:
            line, reason = self.failure
            shown.append(f"{self.path}:{line}: {reason}" if line else f"{self.path}: {reason}")
        return shown


@dataclass(slots=True)
class ImportReport:
    """What an import did, file by file, and the model new articles were analysed with."""

    files: list[FileReport] = field(default_factory=list)
    model: str | None = None
    warning: str | None = None

    @property
    def ok(self) -> bool:
        """True when every line of every file was good and every file was stored."""
        return all(f.stored and not f.errors for f in self.files)


class _Texts:
    """The text each article id stands for, to catch a text the id matches but that differs.

    An id is a hash of the text with case and white space folded, so two texts that differ
    only there share one; offsets into one would not fit the other.
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self.known: dict[str, tuple[int, int]] = {}  # id: (hash of the text, line or 0)

    def check(self, item: ImportedText) -> None:
        aid = item.article_id
        if aid not in self.known:
            if self.library.has(aid):
                self.known[aid] = (hash(self.library.get(aid).text), 0)
            else:
                self.known[aid] = (hash(item.text), item.line)
        digest, line = self.known[aid]
        if digest != hash(item.text):
            whose = f"line {line}'s" if line else "the library's"
            raise LineError(
                f"the text differs from {whose} (article {aid[:10]}) only in case or white space: "
                "the offsets would not fit"
            )


def scan(
    stream: BinaryIO, library: Library, *, utf16: bool | None = False
) -> Iterator[tuple[int, ImportedText | str | None, str | None]]:
    """Every non-blank line: `(line, item, None)` when good, `(line, None, reason)` when bad.

    The item is the line's `ImportedText`, or why a good line is skipped (`NOT_ACCEPTED`,
    `NOT_SPANS`). FileError for a line too long to read.
    """
    texts = _Texts(library)
    for number, raw in read_lines(stream):
        try:
            item = parse_line(raw, number, utf16=utf16)
            if isinstance(item, ImportedText):
                texts.check(item)
        except LineError as exc:
            yield number, None, str(exc)
            continue
        yield number, item, None


# -- storing -------------------------------------------------------------------------------


def _new_article(item: ImportedText, source: str) -> Article:
    meta = item.meta

    def given(key: str) -> str | None:
        # Metadata carries no offsets, so it is cleaned like any ingested title.
        value = meta.get(key)
        return (clean_line(value) or None) if isinstance(value, str) else None

    return Article(
        id=item.article_id,
        text=item.text,
        source=given("source") or source,
        title=given("title"),
        byline=given("byline"),
        date=given("date"),
        site=given("site"),
        url=given("url"),
        ingested_at=added_now(),
    )


class _Batch:
    """New articles and spans waiting to be stored together."""

    def __init__(self, library: Library, report: FileReport, model: str | None) -> None:
        self.library = library
        self.report = report
        self.model = model
        self.articles: dict[str, Article] = {}
        self.statuses: dict[str, ReviewStatus] = {}
        self.spans: dict[str, list[tuple[int, int, str, str, int]]] = {}
        self.chars = 0

    def add(self, item: ImportedText) -> None:
        aid = item.article_id
        if aid not in self.articles and not self.library.has(aid):
            self.articles[aid] = _new_article(item, self.report.path)
            self.chars += len(item.text)
        if item.status and item.status != "new":
            self.statuses[aid] = item.status
        self.spans.setdefault(aid, []).extend((*span, item.line) for span in item.spans)
        if len(self.articles) >= BATCH or len(self.spans) >= BATCH or self.chars >= BATCH_CHARS:
            self.flush()

    def flush(self) -> None:
        from reader import pipeline

        new = list(self.articles.values())
        if new:
            if self.model is None:
                raise RuntimeError("a new article needs a model, and none was chosen")
            for analysis, article in pipeline.analyse_articles(new, self.model):
                article.analysis = analysis
            self.report.articles_added += sum(self.library.add_many(new))
        # Every article's spans are checked here, then stored in one batch: one catalog
        # transaction and one folder sync for the batch, not for each article.
        adding: dict[str, list[tuple[int, int, str, str]]] = {}
        for aid, spans in self.spans.items():
            article = self.articles.get(aid) or self.library.get(aid)
            have = {(a.start, a.end, a.label) for a in self.library.annotations(aid)}
            fresh = []
            for start, end, label, source, line in spans:
                if (start, end, label) in have:
                    # Exactly an annotation the library holds, even one off the tokens of an
                    # analysis made since (another model's tokenizer): not to be snapped again.
                    self.report.already_there += 1
                    continue
                try:
                    snapped = article.snap(start, end)
                except ValueError:
                    snapped = (start, end)  # on no token at all (an analysis without tokens)
                if snapped != (start, end):
                    text = article.text[snapped[0] : snapped[1]]
                    self.report.snap(Snapped(line, (start, end), snapped, text))
                key = (*snapped, label)
                if key in have:
                    self.report.already_there += 1
                    continue
                have.add(key)
                fresh.append((*snapped, label, source))
            if fresh:
                adding[aid] = fresh
        if adding:
            made = self.library.add_annotations_many(adding)
            self.report.annotations_added += sum(len(m) for m in made.values())
        # The file's review status, for an article it says more about than the library does:
        # a done export imported where the same text was only ingested stays done.
        raising: dict[ReviewStatus, list[str]] = {}
        for aid, status in self.statuses.items():
            if _REVIEW_RANK[status] > _REVIEW_RANK[self.library.article_state(aid).status]:
                raising.setdefault(status, []).append(aid)
                self.report.statuses_set += aid not in self.articles
        for status, ids in raising.items():
            self.library.set_status_many(ids, status)
        self.articles.clear()
        self.statuses.clear()
        self.spans.clear()
        self.chars = 0


def import_file(
    library: Library,
    path: Path,
    *,
    skip_invalid: bool = False,
    choose_model: Callable[[], str] | None = None,
    label_set: Collection[str] | None = None,
    add_labels: Callable[[list[str]], object] | None = None,
    utf16: bool | None = False,
) -> FileReport:
    """Check every line of one file, then store it (or only its good lines with `skip_invalid`).

    `choose_model()` is called, once, only when the file holds a text the library does not
    have, before anything is stored; it returns the model's name. With a `label_set`, a
    file whose spans have other labels is not stored (`unknown_labels` lists them), unless
    `add_labels` is given: it is called with them before anything is stored. `utf16`: the
    file counts offsets in UTF-16 code units (doccano); None when nobody said (see
    `tasks.parse_line`).
    """
    report = FileReport(path=clean_line(str(path)))
    try:
        with open_import_file(str(path)) as stream:
            needs_model = _check(library, stream, report, label_set, utf16)
            if report.unknown_labels and add_labels is None:
                return report
            if report.errors and not skip_invalid:
                return report
            before = file_state(stream)
            model = choose_model() if needs_model and choose_model else None
            if report.unknown_labels and add_labels is not None:
                report.added_labels = sorted(report.unknown_labels)
                add_labels(report.added_labels)
            stream.seek(0)
            if file_state(stream) != before:
                report.failure = (0, "changed while it was read: nothing stored")
                return report
            batch = _Batch(library, report, model)
            for _, item, _reason in scan(stream, library, utf16=utf16):
                if isinstance(item, ImportedText):
                    batch.add(item)
            batch.flush()
    except FileError as exc:
        report.failure = (exc.line, exc.reason)
        return report
    except OSError as exc:
        report.failure = (0, f"cannot read: {exc.strerror or exc}")
        return report
    report.stored = True
    return report


def _check(
    library: Library,
    stream: BinaryIO,
    report: FileReport,
    label_set: Collection[str] | None,
    utf16: bool | None,
) -> bool:
    """The first read: every line checked into `report`; whether a new article needs a model."""
    needs_model = False
    for number, item, reason in scan(stream, library, utf16=utf16):
        report.lines += 1
        if reason is not None:
            report.bad_line(number, reason)
        elif item == NOT_ACCEPTED:
            report.ignored += 1
        elif item == NOT_SPANS:
            report.not_spans += 1
        elif isinstance(item, ImportedText):
            report.predictions += item.predictions
            needs_model = needs_model or not library.has(item.article_id)
            if label_set is not None:
                for label in item.labels:
                    if label not in label_set:
                        report.unknown_labels.setdefault(label, number)
    return needs_model


def import_files(
    library: Library,
    files: list[Path],
    *,
    skip_invalid: bool = False,
    model: str | None = None,
    label_set: Collection[str] | None = None,
    add_labels: Callable[[list[str]], object] | None = None,
    utf16: bool | None = False,
) -> ImportReport:
    """Import JSONL files one after another; a file with a bad line stores nothing of itself
    unless `skip_invalid`, and does not stop the others.

    `model` is the requested model (from --model or the config), resolved only if some
    file holds a new text. Raises `nlp.ModelError` for a requested model not installed.
    `label_set`, `add_labels` and `utf16` are `import_file`'s.
    """
    from reader import pipeline

    report = ImportReport()

    def choose() -> str:
        if report.model is None:
            report.model, report.warning = pipeline.choose_model(model)
        return report.model

    for path in files:
        report.files.append(
            import_file(
                library,
                Path(path),
                skip_invalid=skip_invalid,
                choose_model=choose,
                label_set=label_set,
                add_labels=add_labels,
                utf16=utf16,
            )
        )
    return report
