"""Import annotations made elsewhere: reader's own JSONL, Prodigy JSONL and doccano JSONL.

Every line is one text with its spans. A text the library does not have becomes a new
article (analysed like any other); a text it has gets the spans added, except those it
already holds, so importing a file twice adds nothing the second time.

Each file is read twice: once to check every line, then, only if all of them are good
(or `skip_invalid` was asked for), once more to store them in batches. Nothing is held
but the batch being stored, so a large file costs no more memory than a small one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.article import Article
from reader.store import Library, now
from reader.text import article_id, clean_line, is_safe

# How many new articles are analysed and stored together (as ingest does).
BATCH = 32


class LineError(ValueError):
    """A line that cannot be imported; the message says why, without the file and line."""


@dataclass(slots=True)
class ImportedText:
    """One good line: a text, its metadata, and the spans to store on it."""

    line: int
    text: str
    meta: dict[str, Any]
    # (start, end, label, source) with source "manual" or "model"
    spans: list[tuple[int, int, str, str]]
    predictions: int = 0  # unreviewed model spans on the line, which are not imported

    @property
    def article_id(self) -> str:
        """The id the text has (or will have) in the library."""
        return article_id(self.text)


@dataclass(slots=True)
class FileReport:
    """What importing one file did, or why it did nothing."""

    path: str
    lines: int = 0
    ignored: int = 0  # tasks whose answer is not "accept"
    errors: list[tuple[int, str]] = field(default_factory=list)
    stored: bool = False
    articles_added: int = 0
    annotations_added: int = 0
    already_there: int = 0
    predictions: int = 0

    def messages(self) -> list[str]:
        """Each bad line as `FILE:LINE: reason` (`FILE: reason` for a file that cannot be read)."""
        return [
            f"{self.path}:{line}: {reason}" if line else f"{self.path}: {reason}"
            for line, reason in self.errors
        ]


@dataclass(slots=True)
class ImportReport:
    """What an import did, file by file, and the model new articles were analysed with."""

    files: list[FileReport] = field(default_factory=list)
    model: str | None = None
    warning: str | None = None

    @property
    def ok(self) -> bool:
        """True when every line of every file was good."""
        return not any(f.errors for f in self.files)


# -- reading one line ----------------------------------------------------------------------


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _quote(text: str, limit: int = 40) -> str:
    return json.dumps(text if len(text) <= limit else text[: limit - 1] + "…", ensure_ascii=False)


def _label(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LineError(f"{where}: the label is not a non-empty string")
    if any(c.isspace() for c in value) or not is_safe(value):
        # CoNLL and brat separate fields by white space: such a label could not be exported.
        raise LineError(
            f"{where}: label {_quote(value)} has white space or control characters in it"
        )
    return value


def _span(item: Any, index: int, text: str) -> tuple[int, int, str, str]:
    """One span as `(start, end, label, source)`, from any of the shapes the formats use."""
    where = f"span {index + 1}"
    given_text: Any = None
    source: Any = None
    if isinstance(item, list):
        # doccano: [start, end, "LABEL"]
        if len(item) != 3:
            raise LineError(f"{where}: expected [start, end, label], found {len(item)} items")
        start, end, label = item
    elif isinstance(item, dict):
        # Prodigy and reader: start/end/label; doccano's relation export: start_offset/end_offset.
        start = item.get("start", item.get("start_offset"))
        end = item.get("end", item.get("end_offset"))
        label = item.get("label")
        given_text = item.get("text")
        source = item.get("source")
    else:
        raise LineError(f"{where}: not an object nor a [start, end, label] list")
    if not _integer(start) or not _integer(end):
        raise LineError(f"{where}: start and end must be integers, found {start!r} and {end!r}")
    if not (0 <= start < end <= len(text)):
        if 0 <= start <= len(text) and 0 <= end <= len(text):
            raise LineError(f"span {start}-{end} is empty")
        raise LineError(f"span {start}-{end} is outside the text (0-{len(text)})")
    label = _label(label, f"span {start}-{end}")
    if given_text is not None and given_text != text[start:end]:
        raise LineError(
            f"span {start}-{end} says {_quote(str(given_text))} "
            f"but the text there is {_quote(text[start:end])}"
        )
    if source == "prediction":
        return start, end, label, "prediction"
    return start, end, label, "model" if source == "model" else "manual"


def parse_line(raw: str, line: int) -> ImportedText | None:
    """One JSONL line as an `ImportedText`; None for a task not accepted; LineError if bad.

    Spans come from "spans" (reader, Prodigy), else "entities" (doccano: lists or
    objects with start_offset/end_offset/label), else "label" (doccano: lists).
    """
    try:
        task = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(task, dict):
        raise LineError(f"expected a JSON object, found {type(task).__name__}")
    if "answer" in task and task["answer"] != "accept":
        return None  # Prodigy: rejected or ignored tasks say nothing about the text's spans
    text = task.get("text", task.get("data"))
    if text is None:
        raise LineError('no "text"')
    if not isinstance(text, str):
        raise LineError(f'"text" is not a string but {type(text).__name__}')
    if not text.strip():
        raise LineError('"text" is empty')
    if not is_safe(text):
        # Cleaning would remove characters and shift every offset after them.
        raise LineError(
            '"text" holds control characters: cleaning them out would shift the offsets'
        )
    for key in ("spans", "entities", "label"):
        if key in task:
            found = task[key]
            if not isinstance(found, list):
                raise LineError(f'"{key}" is not a list of spans')
            break
    else:
        found = []
    spans = [_span(item, i, text) for i, item in enumerate(found)]
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    kept = [s for s in spans if s[3] != "prediction"]
    return ImportedText(line, text, meta, kept, predictions=len(spans) - len(kept))


def read_lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """`(line number, text)` for every non-blank line; text is None for a line that is not UTF-8."""
    with open(path, "rb") as stream:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            try:
                decoded = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
            yield number, decoded.removeprefix("\ufeff") if number == 1 else decoded


class _Texts:
    """The text each article id stands for, to catch a text the id matches but that differs.

    An id is a hash of the text with case and white space folded, so two texts that differ
    only there share one; offsets into one would not fit the other.
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self.known: dict[str, tuple[int, str]] = {}

    def check(self, item: ImportedText) -> None:
        aid = item.article_id
        if aid not in self.known:
            if self.library.has(aid):
                self.known[aid] = (hash(self.library.get(aid).text), "the library's")
            else:
                self.known[aid] = (hash(item.text), f"line {item.line}'s")
        digest, whose = self.known[aid]
        if digest != hash(item.text):
            raise LineError(
                f"the text differs from {whose} (article {aid[:10]}) only in case or white space: "
                "the offsets would not fit"
            )


def scan(path: Path, library: Library) -> Iterator[tuple[int, ImportedText | None, str | None]]:
    """Every non-blank line: `(line, item, None)` when good, `(line, None, reason)` when bad.

    An item of None with no reason is a task that was not accepted.
    """
    texts = _Texts(library)
    for number, raw in read_lines(path):
        if raw is None:
            yield number, None, "not UTF-8"
            continue
        try:
            item = parse_line(raw, number)
            if item is not None:
                texts.check(item)
        except LineError as exc:
            yield number, None, str(exc)
            continue
        yield number, item, None


# -- storing -------------------------------------------------------------------------------


def _new_article(item: ImportedText, path: Path) -> Article:
    meta = item.meta

    def given(key: str) -> str | None:
        # Metadata carries no offsets, so it is cleaned like any ingested title.
        value = meta.get(key)
        return (clean_line(value) or None) if isinstance(value, str) else None

    return Article(
        id=item.article_id,
        text=item.text,
        source=given("source") or str(path),
        title=given("title"),
        byline=given("byline"),
        date=given("date"),
        site=given("site"),
        url=given("url"),
        ingested_at=now(),
    )


class _Batch:
    """New articles and spans waiting to be stored together."""

    def __init__(self, library: Library, report: FileReport, model: str | None) -> None:
        self.library = library
        self.report = report
        self.model = model
        self.articles: dict[str, Article] = {}
        self.spans: dict[str, list[tuple[int, int, str, str]]] = {}

    def add(self, item: ImportedText, path: Path) -> None:
        aid = item.article_id
        if aid not in self.articles and not self.library.has(aid):
            self.articles[aid] = _new_article(item, path)
        self.spans.setdefault(aid, []).extend(item.spans)
        if len(self.articles) >= BATCH or len(self.spans) >= BATCH:
            self.flush()

    def flush(self) -> None:
        from reader import nlp

        if self.articles:
            articles = list(self.articles.values())
            if self.model is None:
                raise RuntimeError("a new article needs a model, and none was chosen")
            analyses = nlp.analyse_texts([a.text for a in articles], self.model)
            for article, analysis in zip(articles, analyses, strict=True):
                article.analysis = analysis
            self.report.articles_added += sum(self.library.add_many(articles))
        for aid, spans in self.spans.items():
            have = {(a.start, a.end, a.label) for a in self.library.annotations(aid)}
            fresh = []
            for start, end, label, source in spans:
                if (start, end, label) in have:
                    self.report.already_there += 1
                    continue
                have.add((start, end, label))
                fresh.append((start, end, label, source))
            if fresh:
                self.library.add_annotations(aid, fresh)
                self.report.annotations_added += len(fresh)
        self.articles.clear()
        self.spans.clear()


def import_file(
    library: Library,
    path: Path,
    *,
    skip_invalid: bool = False,
    choose_model: Callable[[], str] | None = None,
) -> FileReport:
    """Check every line of one file, then store it (or only its good lines with `skip_invalid`).

    `choose_model()` is called, once, only when the file holds a text the library does not
    have, before anything is stored; it returns the model's name.
    """
    report = FileReport(path=str(path))
    try:
        needs_model = False
        for number, item, reason in scan(path, library):
            report.lines += 1
            if reason is not None:
                report.errors.append((number, reason))
            elif item is None:
                report.ignored += 1
            else:
                report.predictions += item.predictions
                needs_model = needs_model or not library.has(item.article_id)
    except OSError as exc:
        report.errors.append((0, f"cannot read: {exc.strerror or exc}"))
        return report
    if report.errors and not skip_invalid:
        return report
    model = choose_model() if needs_model and choose_model else None
    batch = _Batch(library, report, model)
    for _, item, _reason in scan(path, library):
        if item is not None:
            batch.add(item, path)
    batch.flush()
    report.stored = True
    return report


def import_files(
    library: Library,
    files: list[Path],
    *,
    skip_invalid: bool = False,
    model: str | None = None,
) -> ImportReport:
    """Import JSONL files one after another; a file with a bad line stores nothing of itself
    unless `skip_invalid`, and does not stop the others.

    `model` is the requested model (from --model or the config), resolved only if some
    file holds a new text. Raises `nlp.ModelError` for a requested model not installed.
    """
    from reader import pipeline

    report = ImportReport()

    def choose() -> str:
        if report.model is None:
            report.model, report.warning = pipeline.choose_model(model)
        return report.model

    for path in files:
        report.files.append(
            import_file(library, Path(path), skip_invalid=skip_invalid, choose_model=choose)
        )
    return report
