"""Ingest one: adding one article to a library of 100,000 articles, against adding it to an empty one.

Two figures. The target (at most 1.5) is on the whole command: `reader ingest FILE` of one
short text article, in a fresh process, model loading and analysis included, into a working
copy of the 100,000-article library against into a new empty data dir. Each run ingests an
article of its own (the big library grows by one each time), the two sides take turns, and
each side's first run is unmeasured.

For scale, the store's part alone: `Library.add_many` of one analysed article (no model) at
every library size and into an empty library, in this process, with the store's fsyncs. That
is where a cost growing with the library would show, unhidden by a second of model loading.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from bench.commands import command_env, whole
from bench.corpus import ArticleMaker, Pool
from bench.ingest import write_folder
from bench.report import Figure, median, options
from bench.stores import SIZES, shared_libraries, working_copy
from reader.store import Library

RUNS = 5
STORE_ADDS = 30
TARGET = 1.5


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the ingest-one figures."""
    libraries = shared_libraries(pool, options.largest)
    largest = max(libraries)
    env = command_env(workdir / "config")
    texts = workdir / "texts"
    write_folder(pool, texts, count=2 * (RUNS + 1), seed=41)
    files = sorted(texts.iterdir())
    big = working_copy(libraries[largest], workdir / "big")
    times: dict[str, list[float]] = {"big": [], "empty": []}
    for n in range(RUNS + 1):
        for side in ("big", "empty"):
            if side == "empty":
                root = workdir / f"empty-{n}"
                shutil.rmtree(root, ignore_errors=True)
            else:
                root = big.root
            ran = whole(["ingest", str(files.pop())], root, env)
            if "1 added" not in ran.stderr:
                raise RuntimeError(f"ingest did not add its article: {ran.stderr[-500:]}")
            if n:
                times[side].append(ran.seconds * 1000)

    # The store alone: one analysed article at a time, into every size (copies) and an empty library.
    stores = {str(n): big if n == largest else working_copy(c, workdir / f"store-{n}") for n, c in libraries.items()}
    stores["empty"] = Library(workdir / "store-empty")
    maker = ArticleMaker(pool, seed=42, vocabulary=0.15)
    rng = random.Random(42)
    adds: dict[str, list[float]] = {name: [] for name in stores}
    for n in range(STORE_ADDS + 2):
        for name, library in stores.items():
            article = maker.article(rng.randrange(300, 1200), index=n)
            started = time.perf_counter()
            library.add_many([article])
            if n >= 2:  # the first adds warm the connection and code paths
                adds[name].append((time.perf_counter() - started) * 1000)
    empty_add = median(adds["empty"])
    figures = [
        Figure(
            "ingest.one",
            median(times["big"]),
            "ms",
            baseline=median(times["empty"]),
            baseline_name="into an empty library",
            target=TARGET,
            note=f"`reader ingest` of one article into {largest:,} articles, whole command, median of {RUNS}",
            extra=times,
        )
    ]
    for n in SIZES:
        if str(n) in adds:
            figures.append(
                Figure(
                    f"ingest.store.{n // 1000}k",
                    median(adds[str(n)]),
                    "ms",
                    baseline=empty_add,
                    baseline_name="into an empty library",
                    target=None,
                    note=f"Library.add_many of one analysed article into {n:,}, median of {STORE_ADDS}",
                    extra={"ms": adds[str(n)], "empty_ms": adds["empty"]},
                )
            )
    return figures
