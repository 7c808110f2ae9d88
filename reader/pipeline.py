"""Ingest and analyse: from inputs on the command line (or the app's dialog) to stored articles.

Articles stream through spaCy as they are read, so a large folder goes through one model
pass with bounded memory, and analysed articles are stored in batches, one index write each.
Each article carries itself through the analysis as its context (spaCy's `as_tuples`), so an
analysis can never be paired with the wrong article, whichever model or process made it.

An ingest can be cancelled from another thread (the app quitting): set the `cancel` event
and the run stops within about a second, a URL being fetched included; what was analysed by
then is stored whole, nothing is stored in part.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

from reader.article import Analysis, Article
from reader.store import Library, added_now
from reader.text import clean_line

# How many new articles are analysed and stored together.
BATCH = 32

Progress = Callable[[int, int, str], None]
InputStatus = Literal["added", "already there", "failed"]


@dataclass(slots=True)
class InputResult:
    """What became of one input (a file of a folder counts as one): the article or the reason."""

    input: str
    status: InputStatus
    id: str | None = None
    title: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """The form `reader ingest --json` prints."""
        return {"input": self.input, "id": self.id, "status": self.status, "reason": self.reason}


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did: ids added, ids already there, inputs that failed and why."""

    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    model: str | None = None
    warning: str | None = None
    # One entry per input, in the order the inputs were read.
    results: list[InputResult] = field(default_factory=list)
    # The pipeline each language's articles went through ("none": numbers only).
    models: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        """True when no input failed."""
        return not self.failed


def choose_model(requested: str | None) -> tuple[str, str | None]:
    """The model to analyse with, and the warning to show when it is only the rule-based fallback."""
    from reader import nlp

    name = nlp.resolve_model(requested)
    return name, nlp.warning_for(name)


def _models_from_config() -> dict[str, str]:
    """The config's per-language pipelines (`[models]`)."""
    from reader import config

    return dict(config.load().models)


def ingest_into(
    library: Library,
    inputs: list[str],
    *,
    model: str | None = None,
    models: Mapping[str, str] | None = None,
    jobs: int = 1,
    stdin: BinaryIO | None = None,
    on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> IngestReport:
    """Read every input, analyse the new articles once, each with its language's model, and
    store them.

    Inputs stream through one `nlp.pipe` per model (and one set of worker processes with
    `jobs` > 1); analysed articles are stored in batches, one index write per batch. `model`
    is the requested model (from --model or the config), `models` the pipelines named per
    language (the config's `[models]` when None); both are resolved here, so a named model
    that is not installed raises `nlp.ModelError` before anything is read. Setting `cancel`
    stops the run soon after; the report then says `cancelled`.
    """
    from reader import ingest, nlp

    choice = nlp.ModelChoice(
        requested=model, by_language=_models_from_config() if models is None else models
    )
    report = IngestReport(model=choice.default, warning=choice.warning)
    cancel = cancel or threading.Event()
    # Reading the index first also stops here, before any input is read, if it is damaged.
    known = set(library.ids())

    def new_articles() -> Iterator[tuple[str, str, tuple[Article, InputResult]]]:
        results = ingest.ingest_inputs(inputs, stdin=stdin, cancel=cancel)
        for result in results:
            # A file name is untrusted too (a downloaded folder can hold escapes in names).
            name = clean_line(result.input)
            if on_progress:
                on_progress(result.done, result.total, name)
            if result.draft is None:
                reason = result.error or "could not be read"
                report.failed.append((name, reason))
                report.results.append(InputResult(name, "failed", reason=reason))
                continue
            article = Article.from_draft(result.draft, ingested_at=added_now())
            if not article.text:
                report.failed.append((name, "no article text found"))
                report.results.append(InputResult(name, "failed", reason="no article text found"))
                continue
            duplicate = article.id in known
            outcome = InputResult(
                name, "already there" if duplicate else "added", article.id, article.title
            )
            report.results.append(outcome)
            if duplicate:
                report.duplicates.append(article.id)
                continue
            known.add(article.id)
            chosen = choice.for_language(article.language)
            report.models[article.language or "unknown"] = chosen
            yield article.text, chosen, (article, outcome)

    analysed: list[Article] = []
    outcomes: list[InputResult] = []

    def store() -> None:
        for article, outcome, added in zip(
            analysed, outcomes, library.add_many(analysed), strict=True
        ):
            if added:
                report.added.append(article.id)
            else:  # stored meanwhile by another copy of reader
                outcome.status = "already there"
                report.duplicates.append(article.id)
        analysed.clear()
        outcomes.clear()

    for analysis, (article, outcome) in nlp.analyse_by_language(new_articles(), jobs=jobs):
        article.analysis = analysis
        analysed.append(article)
        outcomes.append(outcome)
        if len(analysed) >= BATCH:
            store()
    store()
    report.cancelled = cancel.is_set()
    return report


def analyse_articles(
    articles: Iterable[Article],
    model: str,
    *,
    models: Mapping[str, str] | None = None,
    jobs: int = 1,
) -> Iterator[tuple[Analysis, Article]]:
    """`(analysis, article)` for each article, each through its language's pipeline as ingest
    does (`model`, already resolved, for its own language and for unknown ones), in the order
    the analyses are ready. An article without a language gets one detected from its text.

    For articles that do not come through ingest (imported texts): nothing pairs an analysis
    with its article by counting, and no language meets the English pipeline by default.
    """
    from reader import nlp
    from reader.ingest.language import detect_language
    from reader.text import paragraph_bounds

    choice = nlp.ModelChoice(
        default=model, by_language=_models_from_config() if models is None else models
    )

    def items() -> Iterator[tuple[str, str, Article]]:
        for article in articles:
            if article.language is None:
                paragraphs = [article.text[s:e] for s, e in paragraph_bounds(article.text)]
                article.language = detect_language(paragraphs, article.title)
            yield article.text, choice.for_language(article.language), article

    yield from nlp.analyse_by_language(items(), jobs=jobs)


def reanalyze(
    library: Library,
    ids: Iterable[str],
    *,
    model: str | None = None,
    models: Mapping[str, str] | None = None,
    jobs: int = 1,
    on_progress: Progress | None = None,
) -> tuple[str, str | None, int]:
    """Run the analysis again on the given articles, each with its language's model;
    annotations are kept as they are.

    Returns the default model, its warning (if any) and how many articles were analysed.
    """
    from reader import nlp

    choice = nlp.ModelChoice(
        requested=model, by_language=_models_from_config() if models is None else models
    )
    ids = list(ids)

    def articles() -> Iterator[tuple[str, str, Article]]:
        for article_id in ids:
            try:
                article = library.get(article_id)
            except LookupError:
                continue  # removed since the list was made: nothing to analyse
            yield article.text, choice.for_language(article.language), article

    count = 0
    analysed: list[Article] = []
    for analysis, article in nlp.analyse_by_language(articles(), jobs=jobs):
        article.analysis = analysis
        analysed.append(article)
        count += 1
        if on_progress:
            on_progress(count, len(ids), article.title or article.id)
        if len(analysed) >= BATCH:
            count -= len(library.save_analyses(analysed))  # those removed meanwhile
            analysed.clear()
    count -= len(library.save_analyses(analysed))
    return choice.default, choice.warning, count
