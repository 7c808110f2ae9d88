"""Figure 5, save: p50 and p95 of saving one annotation (`Library.add_annotation`).

With 100,000 annotations over 5,000 articles in the store, against the same density (20 per
article) with 1,000 annotations over 50 articles: ratio at most 1.5, p95 at most 10 ms. Saves
go to random articles whose length is already known, as in the app, where the article is open;
the two libraries take turns, save by save, so load from elsewhere falls on both alike.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from bench.corpus import Pool
from bench.report import Figure, median, percentile
from bench.stores import annotated_library
from reader.store import Library

PER_ARTICLE = 20
BIG, SMALL = 5000, 50
SAVES = 300
LABELS = ["PERSON", "ORG", "GPE", "DATE"]


def _targets(library: Library, rng: random.Random, count: int) -> list[tuple[str, int]]:
    """Articles to save to, each with its text length (read now, as opening it would)."""
    ids = rng.sample(library.ids(), min(count, len(library.ids())))
    return [(i, library.text_length(i)) for i in ids]


class _FsyncClock:
    """Wraps os.fsync to add up the time spent in it, so a save's time can be split in two."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._real = os.fsync

    def __enter__(self) -> _FsyncClock:
        def timed(fd: int) -> None:
            started = time.perf_counter()
            try:
                self._real(fd)
            finally:
                self.spent += time.perf_counter() - started

        os.fsync = timed  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        os.fsync = self._real


def _save(
    library: Library, targets: list[tuple[str, int]], rng: random.Random, clock: _FsyncClock
) -> tuple[float, float]:
    """One save: its time, and the part of it spent in fsync, in milliseconds."""
    article_id, length = rng.choice(targets)
    start = rng.randrange(0, max(1, length - 20))
    fsync_before = clock.spent
    started = time.perf_counter()
    library.add_annotation(article_id, start, start + rng.randrange(3, 20), rng.choice(LABELS))
    return (time.perf_counter() - started) * 1000, (clock.spent - fsync_before) * 1000


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the save figures."""
    big = annotated_library(pool, workdir / "big", BIG, PER_ARTICLE)
    small = annotated_library(pool, workdir / "small", SMALL, PER_ARTICLE)
    rng = random.Random(5)
    big_targets, small_targets = _targets(big, rng, 100), _targets(small, rng, 50)
    big_times: list[float] = []
    small_times: list[float] = []
    big_fsync: list[float] = []
    with _FsyncClock() as clock:
        for _ in range(5):  # unmeasured: first writes in a fresh process warm code paths
            _save(big, big_targets, rng, clock)
            _save(small, small_targets, rng, clock)
        for _ in range(SAVES):
            total, fsync = _save(big, big_targets, rng, clock)
            big_times.append(total)
            big_fsync.append(fsync)
            small_times.append(_save(small, small_targets, rng, clock)[0])
    note = f"{SAVES} saves each; {BIG * PER_ARTICLE:,} annotations over {BIG:,} articles vs {SMALL * PER_ARTICLE:,} over {SMALL}"
    rest = [t - f for t, f in zip(big_times, big_fsync, strict=True)]
    split = (
        f"fsync p50 {median(big_fsync):.2f} ms, p95 {percentile(big_fsync, 95):.2f} ms; "
        f"the rest p50 {median(rest):.2f} ms, p95 {percentile(rest, 95):.2f} ms"
    )
    return [
        Figure(
            "save.p50",
            median(big_times),
            "ms",
            baseline=median(small_times),
            baseline_name=f"{SMALL * PER_ARTICLE:,} annotations",
            target=1.5,
            note=note,
        ),
        Figure(
            "save.p95",
            percentile(big_times, 95),
            "ms",
            baseline=percentile(small_times, 95),
            baseline_name=f"{SMALL * PER_ARTICLE:,} annotations",
            target=1.5,
        ),
        Figure(
            "save.p95.abs",
            percentile(big_times, 95),
            "ms",
            target=10,
            note=split,
            extra={"fsync_ms": big_fsync, "total_ms": big_times},
        ),
    ]
