"""Save: one annotation saved in a library of 100,000 articles, against in one of 1,000.

In this process, `Library.add_annotation` as the app calls it: p50 and p95 of SAVES saves to
articles that already hold 20 annotations (every 20th article of the shared libraries has),
ratio at most 1.5, and p95 at most 10 ms. The article is read once before (as opening it
would); the libraries (working copies) take turns save by save, so load from elsewhere falls
on all alike. The same at 10,000 articles, for scale.

And the whole command: `reader tag ID START END LABEL` in a fresh process at 100,000 against
at 1,000 articles, also at most 1.5.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from bench.commands import command_env, whole
from bench.corpus import Pool
from bench.report import Figure, median, options, percentile
from bench.stores import SIZES, shared_libraries, working_copy
from reader.store import Library

SAVES = 300
TAG_RUNS = 7
LABELS = ["PERSON", "ORG", "GPE", "DATE"]
TARGET = 1.5


def _targets(library: Library, rng: random.Random, count: int) -> list[tuple[str, int]]:
    """Annotated articles to save to, each with its text length (read now, as opening it would)."""
    annotated = [s.id for s in library.iter_summaries() if s.annotations]
    ids = rng.sample(annotated, min(count, len(annotated)))
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
    """One save: its time, and the part of it spent in os.fsync, in milliseconds."""
    article_id, length = rng.choice(targets)
    start = rng.randrange(0, max(1, length - 20))
    fsync_before = clock.spent
    started = time.perf_counter()
    library.add_annotation(article_id, start, start + rng.randrange(3, 20), rng.choice(LABELS))
    return (time.perf_counter() - started) * 1000, (clock.spent - fsync_before) * 1000


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the save figures."""
    libraries = shared_libraries(pool, options.largest)
    copies = {n: working_copy(c, workdir / f"library-{n}") for n, c in libraries.items()}
    smallest, largest = min(copies), max(copies)
    rng = random.Random(5)
    targets = {n: _targets(lib, rng, 100) for n, lib in copies.items()}
    times: dict[int, list[float]] = {n: [] for n in copies}
    fsyncs: dict[int, list[float]] = {n: [] for n in copies}
    with _FsyncClock() as clock:
        for _ in range(5):  # unmeasured: first writes in a fresh process warm code paths
            for n, library in copies.items():
                _save(library, targets[n], rng, clock)
        for _ in range(SAVES):
            for n, library in copies.items():
                total, fsync = _save(library, targets[n], rng, clock)
                times[n].append(total)
                fsyncs[n].append(fsync)

    # The whole command, on the same copies.
    env = command_env(workdir / "config")
    tag: dict[int, list[float]] = {smallest: [], largest: []}
    for run_ in range(TAG_RUNS + 1):
        for n in tag:
            article_id, length = rng.choice(targets[n])
            start = rng.randrange(0, max(1, length - 20))
            ran = whole(["tag", article_id, str(start), str(start + 12), rng.choice(LABELS)], copies[n].root, env)
            if run_:
                tag[n].append(ran.seconds * 1000)

    big, small = times[largest], times[smallest]
    rest = [t - f for t, f in zip(big, fsyncs[largest], strict=True)]
    baseline = f"{smallest:,} articles"
    note = f"{SAVES} saves each to articles holding 20 annotations; {largest:,} vs {smallest:,} articles"
    figures = [
        Figure("save.p50", median(big), "ms", baseline=median(small), baseline_name=baseline, target=TARGET, note=note),
        Figure("save.p95", percentile(big, 95), "ms", baseline=percentile(small, 95), baseline_name=baseline, target=TARGET),
        Figure(
            "save.p95.abs",
            percentile(big, 95),
            "ms",
            target=10,
            note=(
                f"fsync p50 {median(fsyncs[largest]):.2f} ms, p95 {percentile(fsyncs[largest], 95):.2f} ms; "
                f"the rest p50 {median(rest):.2f} ms, p95 {percentile(rest, 95):.2f} ms"
            ),
            extra={"fsync_ms": fsyncs[largest], "total_ms": big},
        ),
    ]
    for n in SIZES:
        if n in times and n not in (smallest, largest):
            figures.append(
                Figure(
                    f"save.p50.{n // 1000}k",
                    median(times[n]),
                    "ms",
                    baseline=median(small),
                    baseline_name=baseline,
                    target=None,
                    note=f"p95 {percentile(times[n], 95):.2f} ms",
                )
            )
    figures.append(
        Figure(
            "save.cli",
            median(tag[largest]),
            "ms",
            baseline=median(tag[smallest]),
            baseline_name=baseline,
            target=TARGET,
            note=f"`reader tag`, whole command, median of {TAG_RUNS}",
            extra={str(n): v for n, v in tag.items()},
        )
    )
    return figures
