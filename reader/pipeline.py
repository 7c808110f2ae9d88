"""Ingest and analyse: from inputs on the command line (or the app's dialog) to stored articles.

Articles stream through spaCy as they are read, so a large folder goes through one model
pass with bounded memory, and analysed articles are stored in batches, one index write each.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from reader.article import Article
from reader.store import Library, now
from reader.text import clean_line

# How many new articles are analysed and stored together.
BATCH = 32

Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did: ids added, ids already there, inputs that failed and why."""

    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    model: str | None = None
    warning: str | None = None
    # (input, article id, title, already there) for every article found, in input order
    found: list[tuple[str, str, str | None, bool]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no input failed."""
        return not self.failed


def choose_model(requested: str | None) -> tuple[str, str | None]:
    """The model to analyse with, and the warning to show when it is only the rule-based fallback."""
    from reader import nlp

    name = nlp.resolve_model(requested)
    return name, nlp.warning_for(name)


def ingest_into(
    library: Library,
    inputs: list[str],
    *,
    model: str | None = None,
    jobs: int = 1,
    stdin: BinaryIO | None = None,
    on_progress: Progress | None = None,
) -> IngestReport:
    """Read every input, analyse the new articles once, and store them.

    Inputs stream through one `nlp.pipe` (and one set of worker processes with `jobs` > 1);
    analysed articles are stored in batches, one index write per batch. `model` is the
    requested model (from --model or the config), resolved here. Raises `nlp.ModelError` for
    a requested model that is not installed, before anything is read.
    """
    from reader import ingest, nlp

    name, warning = choose_model(model)
    report = IngestReport(model=name, warning=warning)
    # Reading the index first also stops here, before any input is read, if it is damaged.
    known = set(library.ids())
    files = ingest.expand_inputs(inputs)
    total = len(files)
    # New articles waiting for their analysis, in the order their texts went to the model.
    waiting: deque[Article] = deque()

    def new_texts() -> Iterator[str]:
        for done, result in enumerate(ingest.ingest_inputs(files, stdin=stdin), start=1):
            # A file name is untrusted too (a downloaded folder can hold escapes in names).
            name = clean_line(result.input)
            if on_progress:
                on_progress(min(done, total), total, name)
            if result.draft is None:
                report.failed.append((name, result.error or "could not be read"))
                continue
            article = Article.from_draft(result.draft, ingested_at=now())
            if not article.text:
                report.failed.append((name, "no article text found"))
                continue
            duplicate = article.id in known
            report.found.append((name, article.id, article.title, duplicate))
            if duplicate:
                report.duplicates.append(article.id)
                continue
            known.add(article.id)
            waiting.append(article)
            yield article.text

    analysed: list[Article] = []

    def store() -> None:
        for article, added in zip(analysed, library.add_many(analysed), strict=True):
            (report.added if added else report.duplicates).append(article.id)
        analysed.clear()

    for analysis in nlp.analyse_texts(new_texts(), name, jobs=jobs):
        article = waiting.popleft()
        article.analysis = analysis
        analysed.append(article)
        if len(analysed) >= BATCH:
            store()
    store()
    return report


def reanalyze(
    library: Library,
    ids: Iterable[str],
    *,
    model: str | None = None,
    jobs: int = 1,
    on_progress: Progress | None = None,
) -> tuple[str, str | None, int]:
    """Run the analysis again on the given articles; annotations are kept as they are.

    Returns the model used, its warning (if any) and how many articles were analysed.
    """
    from reader import nlp

    name, warning = choose_model(model)
    ids = list(ids)
    waiting: deque[Article] = deque()

    def texts() -> Iterator[str]:
        for article_id in ids:
            try:
                article = library.get(article_id)
            except LookupError:
                continue  # removed since the list was made: nothing to analyse
            waiting.append(article)
            yield article.text

    count = 0
    analysed: list[Article] = []
    for analysis in nlp.analyse_texts(texts(), name, jobs=jobs):
        article = waiting.popleft()
        article.analysis = analysis
        analysed.append(article)
        count += 1
        if on_progress:
            on_progress(count, len(ids), article.title or article.id)
        if len(analysed) >= BATCH:
            count -= len(library.save_analyses(analysed))  # those removed meanwhile
            analysed.clear()
    count -= len(library.save_analyses(analysed))
    return name, warning, count
