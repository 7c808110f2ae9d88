"""Figure 4, ingest: tokens per second of the real ingest pipeline on a folder of 200 text articles.

Against bare NER-only `nlp.pipe` over the same paragraphs with the same model (the pipeline
`reader.nlp.load` gives): ratio at least 0.9. Then the pipeline with `jobs=2` against one job:
at least 1.6. The models are loaded before any clock starts, for both sides: spaCy's, and the
language detector's (which an ingest loads once, the first time an article is not plainly
English; its load time is reported beside the figure).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench.corpus import ArticleMaker, Pool
from bench.report import Figure
from reader.article import Article
from reader.store import Library
from reader.text import paragraph_bounds

ARTICLES = 200
CHUNKS = 4
WORDS = (150, 500)


def write_folder(pool: Pool, folder: Path, count: int = ARTICLES, seed: int = 4) -> None:
    """`count` plain-text articles as a user would save them: title, byline, date, paragraphs."""
    maker = ArticleMaker(pool, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        article = maker.article(maker.rng.randrange(*WORDS), index=i)
        body = article.text
        header = f"{article.title}\n\nBy Jane Doe, {article.date}\n\n"
        (folder / f"article-{i:03}.txt").write_text(header + body + "\n", encoding="utf-8")


def _stored(library: Library) -> list[Article]:
    return [library.get(i) for i in library.ids()]


def _tokens(articles: list[Article]) -> int:
    return sum(len(a.analysis.tokens) // 2 for a in articles if a.analysis)


def _ingest(folder: Path, library: Library, model: str, jobs: int) -> float:
    from reader.pipeline import ingest_into

    started = time.perf_counter()
    report = ingest_into(library, [str(folder)], model=model, jobs=jobs)
    elapsed = time.perf_counter() - started
    if report.failed:
        raise RuntimeError(f"ingest failed for {report.failed[:3]}")
    return elapsed


def _bare(pipeline: Any, paragraphs: list[str], processes: int) -> tuple[float, int]:
    options = {"batch_size": 64} | ({"n_process": processes} if processes > 1 else {})
    started = time.perf_counter()
    tokens = sum(1 for doc in pipeline.pipe(paragraphs, **options) for t in doc if not t.is_space)
    return time.perf_counter() - started, tokens


def _load_detector() -> float:
    """Seconds the language detector takes to load (0 when it is loaded already)."""
    from reader.ingest.language import detect_language

    started = time.perf_counter()
    detect_language(["Las listas de espera de la sanidad pública se agravan en toda España."])
    return time.perf_counter() - started


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the ingest figures.

    The folder is split in chunks, and the four contenders (pipeline with one and two jobs,
    bare pipe with one and two processes) take turns on each chunk: on a shared machine a burst
    of someone else's load then falls on all of them alike.
    """
    from reader import nlp

    folders = []
    for chunk in range(CHUNKS):
        folder = workdir / f"articles-{chunk}"
        write_folder(pool, folder, count=ARTICLES // CHUNKS, seed=10 + chunk)
        folders.append(folder)
    model = nlp.resolve_model(None)
    pipeline = nlp.load(model)
    warm = workdir / "warm"
    write_folder(pool, warm, count=3, seed=99)
    _ingest(warm, Library(workdir / "warm-library"), model, jobs=1)
    detector_load = _load_detector()

    one, two = Library(workdir / "one-job"), Library(workdir / "two-jobs")
    seconds = {"jobs1": 0.0, "jobs2": 0.0, "bare1": 0.0, "bare2": 0.0}
    bare_tokens = 0
    for folder in folders:
        before = set(one.ids())
        seconds["jobs1"] += _ingest(folder, one, model, jobs=1)
        new = [one.get(i) for i in one.ids() if i not in before]
        paragraphs = [a.text[s:e] for a in new for s, e in paragraph_bounds(a.text)]
        elapsed, tokens = _bare(pipeline, paragraphs, 1)
        seconds["bare1"] += elapsed
        bare_tokens += tokens
        seconds["jobs2"] += _ingest(folder, two, model, jobs=2)
        seconds["bare2"] += _bare(pipeline, paragraphs, 2)[0]

    articles = _stored(one)
    tokens = _tokens(articles)
    two_tokens = _tokens(_stored(two))
    words = sum(a.words for a in articles)
    note = f"{len(articles)} articles, {words:,} words, {model}; detector load {detector_load:.2f} s"
    bare2_speedup = seconds["bare1"] / seconds["bare2"]
    return [
        Figure(
            "ingest",
            tokens / seconds["jobs1"],
            "tok/s",
            goal="min",
            baseline=bare_tokens / seconds["bare1"],
            baseline_name="bare nlp.pipe",
            target=0.9,
            note=note,
            extra={**seconds, "tokens": tokens, "bare_tokens": bare_tokens, "detector_load": detector_load},
        ),
        Figure(
            "ingest.jobs2",
            two_tokens / seconds["jobs2"],
            "tok/s",
            goal="min",
            baseline=tokens / seconds["jobs1"],
            baseline_name="jobs=1",
            target=1.6,
            note=f"{os.cpu_count()} cpus; bare nlp.pipe n_process=2 gets {bare2_speedup:.2f}x of one",
            extra={**seconds, "bare_n_process2_speedup": bare2_speedup},
        ),
    ]
