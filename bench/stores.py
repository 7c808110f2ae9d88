"""Libraries of a chosen size, written fast with the store's own bulk functions, and cached.

A library of 100,000 articles takes minutes to write, so the ones the figures share are kept
under `bench/data/libraries/` (git ignores `bench/data/`) between runs. Each is keyed by
everything that decides what its files hold: the store's layout, schema and catalog versions,
the paragraph pool, the generator's code and the library's parameters. A library is built in a
folder of its own and renamed into place only when whole, so a killed build is never taken
for a library; entries under other keys (stale ones) are removed when a new one is built.
On every use, a sample of articles is compared with what this reader makes of their files, so
a change to how the catalog summarises an article, without a version bump, is not measured
on a stale catalog either.

Figures that write get a working copy: the article and annotation files are hard links to
the cached ones (the store replaces a file by renaming a new one over it, never by writing
into it, so the cache is never changed through a link), the catalog a real copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import multiprocessing
import os
import random
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import corpus
from bench.corpus import CACHE, ArticleMaker, Pool
from reader import store
from reader.article import Article
from reader.catalog import CATALOG_VERSION, mentions_in, summarize
from reader.store import Library

# add_many writes one catalog transaction per call; chunks keep the article list in memory bounded.
CHUNK = 500
LIBRARIES = CACHE / "libraries"
# The sizes the figures that grow with the library are measured at: today's, 10x and 100x.
SIZES = (1_000, 10_000, 100_000)


@contextlib.contextmanager
def without_fsync() -> Iterator[None]:
    """Skip fsync while generating data: durability of a throwaway library is not what is measured.

    Every figure is measured after this context has ended, with the store's real fsyncs.
    """
    real = os.fsync
    os.fsync = lambda fd: None  # type: ignore[assignment]
    try:
        yield
    finally:
        os.fsync = real


def store_bytes(root: Path) -> int:
    """Bytes of every file under the data dir."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def disk_bytes(root: Path) -> int:
    """Bytes the data dir takes on disk (`du`: whole blocks, each file once)."""
    done = subprocess.run(["du", "-sb", "--apparent-size", str(root)], capture_output=True, text=True, check=False)
    apparent = int(done.stdout.split()[0]) if done.returncode == 0 else store_bytes(root)
    done = subprocess.run(["du", "-sB1", str(root)], capture_output=True, text=True, check=False)
    return int(done.stdout.split()[0]) if done.returncode == 0 else apparent


# -- cached libraries --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    """What a cached library holds. Every field is part of its cache key.

    Every `annotated_every`-th article gets `per_article` annotations; every `opened_every`-th
    was opened (a reading position) and every `read_every`-th read to the end, so the library
    has reading state and a "continue reading" article as a user's would.
    """

    name: str
    articles: int
    seed: int = 100
    words: tuple[int, int] = (300, 1200)
    vocabulary: float = 0.15
    annotated_every: int = 20
    per_article: int = 20
    opened_every: int = 100
    read_every: int = 200

    def key(self, pool: Pool) -> str:
        """A digest of everything that decides the library's files."""
        generator = "".join(inspect.getsource(f) for f in (corpus, _make_chunk, _chunks, _write_library))
        parts = {
            "spec": asdict(self),
            "pool": pool.key,
            "store_layout": store.STORE_LAYOUT,
            "schema": store.SCHEMA_VERSION,
            "catalog": CATALOG_VERSION,
            "generator": hashlib.sha256(generator.encode()).hexdigest(),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def library_spec(articles: int) -> Spec:
    """The spec of the shared library of this size (all sizes alike but for the count)."""
    return Spec(name=f"library-{articles}", articles=articles)


@dataclass(slots=True)
class Cached:
    """A cached library: where it is, what it holds, and how building it went."""

    root: Path
    spec: Spec
    built: dict[str, Any] = field(default_factory=dict)

    @property
    def build_seconds(self) -> float:
        """Seconds the whole build took."""
        return float(self.built.get("seconds", 0.0))


_INFO = "bench-library.json"


def cached_library(pool: Pool, spec: Spec, *, say: Any = print) -> Cached:
    """The library `spec` describes, from the cache, built first when it is not there."""
    key = spec.key(pool)
    home = LIBRARIES / f"{spec.name}-{key}"
    info = home / _INFO
    if info.is_file():
        cached = Cached(home / "data", spec, json.loads(info.read_text(encoding="utf-8")))
        problem = _sample_problem(cached.root)
        if problem is None:
            return cached
        say(f"cached {spec.name} disagrees with this reader ({problem}): building it again")
    LIBRARIES.mkdir(parents=True, exist_ok=True)
    partial = LIBRARIES / f".partial-{spec.name}-{key}"
    shutil.rmtree(partial, ignore_errors=True)
    say(f"building {spec.name} ({spec.articles:,} articles) into {home} ...")
    built = _write_library(pool, spec, partial / "data", say)
    built["bytes"] = disk_bytes(partial / "data")
    (partial / _INFO).write_text(json.dumps(built, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(home, ignore_errors=True)
    os.rename(partial, home)
    for stale in LIBRARIES.glob(f"{spec.name}-*"):
        if stale != home:
            shutil.rmtree(stale, ignore_errors=True)
    say(
        f"built {spec.name}: {built['seconds']:.1f} s ({built['seconds'] / spec.articles * 1000:.2f} ms per article), "
        f"{built['bytes'] / 2**20:,.0f} MiB on disk"
    )
    return Cached(home / "data", spec, built)


# The article maker of a build's generating process (one per process, so its random state and
# the ids it has made carry from one chunk to the next).
_maker: ArticleMaker | None = None


def _start_maker(pool: Pool, spec: Spec) -> None:
    global _maker
    _maker = ArticleMaker(pool, seed=spec.seed, vocabulary=spec.vocabulary)


def _make_chunk(first: int, count: int, words: tuple[int, int]) -> tuple[list[Article], float]:
    """Articles `first` to `first + count` of the build, and the seconds making them took."""
    assert _maker is not None
    started = time.perf_counter()
    chunk = [_maker.article(_maker.rng.randrange(*words), index=i) for i in range(first, first + count)]
    return chunk, time.perf_counter() - started


def _chunks(pool: Pool, spec: Spec) -> Iterator[tuple[int, list[Article], float]]:
    """The build's articles, CHUNK at a time, made by one process of their own a chunk or two
    ahead of the caller: making articles then costs the build no time beside storing them.
    One process makes them all, in order, so the library is the same whatever the timing."""
    starts = list(range(0, spec.articles, CHUNK))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=_start_maker, initargs=(pool, spec)) as maker:
        ahead = [maker.submit(_make_chunk, first, min(CHUNK, spec.articles - first), spec.words) for first in starts[:2]]
        for n, first in enumerate(starts):
            chunk, seconds = ahead.pop(0).result()
            if n + 2 < len(starts):
                nxt = starts[n + 2]
                ahead.append(maker.submit(_make_chunk, nxt, min(CHUNK, spec.articles - nxt), spec.words))
            yield first, chunk, seconds


def _write_library(pool: Pool, spec: Spec, root: Path, say: Any) -> dict[str, Any]:
    """Write the library with the store's bulk functions, fsync off; returns how long each part took.

    Articles go in with `add_many`, CHUNK at a time, then the annotations and reading state
    of each chosen article with one write each, as the app or an import makes them. The
    time per CHUNK articles is kept for every tenth of the build, to show it stays flat.
    """
    # Spans and reading positions are chosen here, apart from the making of the articles.
    chooser = ArticleMaker(pool, seed=spec.seed + 1)
    library = Library(root)
    started = time.perf_counter()
    generate = store_seconds = annotate = 0.0
    tenths: list[float] = []  # ms per article over each tenth of the articles
    loads: list[float] = []  # the machine's load at the end of each tenth
    tenth_started, tenth_count, next_tenth = time.perf_counter(), 0, max(1, spec.articles // 10)
    annotations = opened = 0
    with without_fsync():
        for first, chunk, made_in in _chunks(pool, spec):
            t1 = time.perf_counter()
            library.add_many(chunk)
            t2 = time.perf_counter()
            for n, article in enumerate(chunk, first):
                if spec.per_article and n % spec.annotated_every == 0:
                    items = chooser.annotation_items(article, spec.per_article)
                    annotations += len(library.add_annotations(article.id, items))
                if n % spec.opened_every == 0:
                    library.set_position(article.id, chooser.rng.randrange(len(article.text)))
                    opened += 1
                if n % spec.read_every == 0:
                    library.set_read(article.id)
            t3 = time.perf_counter()
            generate, store_seconds, annotate = generate + made_in, store_seconds + t2 - t1, annotate + t3 - t2
            tenth_count += len(chunk)
            if tenth_count >= next_tenth or first + CHUNK >= spec.articles:
                tenths.append((time.perf_counter() - tenth_started) / tenth_count * 1000)
                loads.append(os.getloadavg()[0])
                tenth_started, tenth_count = time.perf_counter(), 0
                done = first + len(chunk)
                if spec.articles >= 10_000:
                    say(
                        f"  {done:>7,} articles  {tenths[-1]:.2f} ms per article  "
                        f"({time.perf_counter() - started:.0f} s, load {loads[-1]:.1f})"
                    )
    # One file for the catalog: its write-ahead log folded in, so a copy of it is whole.
    with contextlib.closing(sqlite3.connect(library.catalog_path)) as cx:
        cx.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    library.catalog.close()
    with contextlib.suppress(FileNotFoundError):
        (root / "lock").unlink()  # each copy makes its own: a hard-linked lock would be shared
    return {
        "spec": asdict(spec),
        "seconds": time.perf_counter() - started,
        "generate_seconds": generate,
        "store_seconds": store_seconds,
        "annotate_seconds": annotate,
        "ms_per_article_by_tenth": tenths,
        "annotations": annotations,
        "opened": opened,
        "pool": pool.key,
        "load_by_tenth": loads,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _sample_problem(root: Path, sample: int = 40) -> str | None:
    """Compare some articles' catalog rows and mentions with what this reader makes of their
    files; a line saying what differs, or None when they agree."""
    library = Library(root)
    ids = library.stored_ids()
    if not ids:
        return "no article files"
    rng = random.Random(len(ids))
    chosen = rng.sample(ids, min(sample, len(ids)))
    cx = sqlite3.connect(f"file:{library.catalog_path}?mode=ro", uri=True)
    try:
        for article_id in chosen:
            article = library.get(article_id)
            state = library.article_state(article_id)
            row = library.summary(article_id)
            if row != summarize(article, state):
                return f"the summary of {article_id}"
            kept = set(
                cx.execute(
                    "SELECT m.label, m.norm, m.text, m.mentions, m.annotated, m.first FROM mentions m"
                    " JOIN articles a ON a.n = m.article WHERE a.id = ?",
                    (article_id,),
                )
            )
            made = {(m.label, m.norm, m.text, m.mentions, m.annotated, m.first) for m in mentions_in(article, state)}
            if kept != made:
                return f"the mentions of {article_id}"
    except (sqlite3.Error, store.StoreError, LookupError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        cx.close()
        library.catalog.close()
    return None


def working_copy(cached: Cached, root: Path) -> Library:
    """A library at `root` that a figure may write to, without changing the cached one.

    Opened once before it is returned: a copied articles folder has a new modification
    time, which the store checks at its first open, and that check is not what any figure
    measures (a user's library does not move under it).
    """
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    for folder in ("articles", "annotations"):
        if (cached.root / folder).is_dir():
            subprocess.run(["cp", "-al", str(cached.root / folder), str(root / folder)], check=True)
    for name in os.listdir(cached.root):
        path = cached.root / name
        # Not the lock (each copy needs its own) nor SQLite's shared-memory index (rebuilt).
        if path.is_file() and name != "lock" and not name.endswith("-shm"):
            shutil.copyfile(path, root / name)
    library = Library(root)
    library.count()
    return library


def shared_libraries(pool: Pool, largest: int) -> dict[int, Cached]:
    """The cached libraries of every size up to `largest`, by size."""
    return {n: cached_library(pool, library_spec(n)) for n in SIZES if n <= largest}


# Annotated libraries are slow to write; figures that need the same one share it, from the
# cache, and those that write work on their own copy of it.
def annotated_library(
    pool: Pool, root: Path, articles: int, per_article: int, *, writes: bool = True
) -> Library:
    """A library of `articles` articles with `per_article` annotations each, at `root`.

    A caller that `writes` gets its own working copy at `root`; one that only reads gets
    the cached library itself.
    """
    spec = Spec(
        name=f"annotated-{articles}x{per_article}",
        articles=articles,
        seed=articles,
        vocabulary=0.0,
        annotated_every=1,
        per_article=per_article,
        opened_every=10**9,
        read_every=10**9,
    )
    cached = cached_library(pool, spec)
    if not writes:
        return Library(cached.root)
    return working_copy(cached, root)
