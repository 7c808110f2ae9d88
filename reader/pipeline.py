"""Ingest and analyse: from inputs on the command line (or the app's dialog) to stored articles.

Articles are analysed in batches as they arrive, so a large folder streams through
spaCy with bounded memory, and each batch is stored with one index write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from reader.model import Article
from reader.store import Library, now

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

    `model` is the requested model (from --model or the config), resolved here. Raises
    `nlp.ModelError` for a requested model that is not installed, before anything is read.
    """
    from reader import ingest, nlp

    name, warning = choose_model(model)
    report = IngestReport(model=name, warning=warning)
    # Reading the index first also stops here, before any input is read, if it is damaged.
    known = set(library.ids())
    files = ingest.expand_inputs(inputs)
    total = len(files)
    pending: list[tuple[str, Article]] = []
    seen: set[str] = set()

    def flush() -> None:
        if not pending:
            return
        texts = [article.text for _, article in pending]
        for (_, article), analysis in zip(
            pending, nlp.analyse_texts(texts, name, jobs=jobs), strict=True
        ):
            article.analysis = analysis
        for (_, article), added in zip(pending, library.add_many([a for _, a in pending]), strict=True):
            (report.added if added else report.duplicates).append(article.id)
        pending.clear()

    done = 0
    for result in ingest.ingest_inputs(files, stdin=stdin):
        done += 1
        if on_progress:
            on_progress(min(done, total), total, result.input)
        if result.draft is None:
            report.failed.append((result.input, result.error or "could not be read"))
            continue
        article = Article.from_draft(result.draft, ingested_at=now())
        if not article.text:
            report.failed.append((result.input, "no article text found"))
            continue
        duplicate = article.id in seen or article.id in known
        report.found.append((result.input, article.id, article.title, duplicate))
        if duplicate:
            report.duplicates.append(article.id)
            continue
        seen.add(article.id)
        pending.append((result.input, article))
        if len(pending) >= BATCH:
            flush()
    flush()
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
    count = 0
    for first in range(0, len(ids), BATCH):
        chunk = ids[first : first + BATCH]
        articles = [library.get(i) for i in chunk]
        for article, analysis in zip(
            articles, nlp.analyse_texts([a.text for a in articles], name, jobs=jobs), strict=True
        ):
            library.set_analysis(article.id, analysis)
            count += 1
            if on_progress:
                on_progress(count, len(ids), article.title or article.id)
    return name, warning, count
