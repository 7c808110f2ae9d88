"""Search: `reader search QUERY` over 1,000, 10,000 and 100,000 articles, against a scan.

The query mix is drawn from the paragraph pool and the library itself (`query_mix`): names
from the corpus (as words and as phrases), common words, pairs of them, phrases, prefixes,
rare words (made-up words found in a handful of articles) and a word in none. Each query
runs REPS times, in this process, through reader's command line (`reader search QUERY`:
parsing, config, opening the library, the ranked query, the count, a snippet from each of
the 20 articles shown); interpreter start and imports are left out and reported apart, with
the whole command in a fresh process, for scale.

The scan is what a reader without an index would do, made as cheap as it can honestly be:
read every article's file from the store (`read_json_file`, the store's own reader, and
nothing else of the record), and match the query's terms (the same patterns reader's
snippets use, every term required, case-insensitive) against the title and text; no ranking,
no snippets. Reading is shared by the queries (it is timed once per chunk of articles and
charged to each), matching is timed per query. The scan runs at the largest size only, on the
first query of each kind: it reads the whole library, which takes tens of seconds at 100,000
articles, and what it finds is compared with the index's count of the same query.

Targets at 100,000 articles: p95 at most 50 ms, and the fastest query's scan at least 20 times
the p95 (the figure's ratio, p95 / scan, at most 0.05).
"""

from __future__ import annotations

import collections
import os
import random
import re
import time
from pathlib import Path

from bench.commands import command_env, in_process, whole
from bench.corpus import Pool
from bench.report import Figure, median, options, percentile
from bench.stores import SIZES, shared_libraries
from reader.catalog import parse_query, term_pattern
from reader.store import Library, read_json_file

REPS = 5
P95_MS = 50
SPEEDUP = 20
_WORD = re.compile(r"[a-z]+")
_CHUNK = 1000


def query_mix(pool: Pool, library: Library, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) pairs: what people search a news library for."""
    words = collections.Counter(w for p in pool.paragraphs for w in _WORD.findall(p.text))
    common = [w for w, _ in words.most_common() if len(w) >= 6][:6]
    names = sorted(
        {p.text[s:e] for p in pool.paragraphs for s, e, label in p.entities if label == "PERSON" and " " in p.text[s:e]}
    )
    places = sorted(
        {
            p.text[s:e]
            for p in pool.paragraphs
            for s, e, label in p.entities
            if label in ("ORG", "GPE") and " " in p.text[s:e] and p.text[s:e].replace(" ", "").isalpha()
        }
    )
    mix: list[tuple[str, str]] = []
    people = rng.sample(names, 6)
    mix += [("name", n) for n in people[:4]]
    mix += [("name phrase", f'"{n}"') for n in people[4:]]
    mix += [("name phrase", f'"{n}"') for n in rng.sample(places, 2)]
    mix += [("common word", w) for w in common[:4]]
    mix += [("common words", f"{common[4]} {common[5]}"), ("common words", f"{common[0]} {common[3]}")]
    for paragraph in rng.sample(pool.paragraphs, 4):
        found = _WORD.findall(paragraph.text)
        at = rng.randrange(max(1, len(found) - 3))
        mix.append(("phrase", '"' + " ".join(found[at : at + 3]) + '"'))
    long_words = [w for w, _ in words.most_common() if len(w) >= 8][:4]
    mix += [("prefix", w[:5] + "*") for w in long_words]
    mix += [("name and word", f"{people[0].split()[-1]} {common[1]}"), ("name and word", f"{people[1].split()[-1]} {common[2]}")]
    mix += [("rare word", w) for w in rare_words(pool, library, rng, 3)]
    mix.append(("no match", "qqxzvw"))
    return mix


def rare_words(pool: Pool, library: Library, rng: random.Random, count: int) -> list[str]:
    """Words in only a few articles: made-up words (not in the pool) from random articles,
    the `count` found in the fewest articles."""
    known = {w for p in pool.paragraphs for w in _WORD.findall(p.text.lower())}
    ids = library.ids()
    candidates: set[str] = set()
    for article_id in rng.sample(ids, min(5, len(ids))):
        candidates |= {w for w in _WORD.findall(library.get(article_id).text) if w not in known}
    counted = sorted((library.search_count(w), w) for w in sorted(candidates))
    return [w for n, w in counted if n >= 1][:count]


def scan(library: Library, queries: list[str]) -> tuple[dict[str, float], dict[str, int]]:
    """Seconds a scan of every article takes for each query, and how many articles it finds."""
    patterns = {q: [term_pattern([term]) for term in parse_query(q).terms] for q in queries}
    seconds = dict.fromkeys(queries, 0.0)
    found = dict.fromkeys(queries, 0)
    ids = library.stored_ids()
    for first in range(0, len(ids), _CHUNK):
        started = time.perf_counter()
        texts = []
        for article_id in ids[first : first + _CHUNK]:
            record = read_json_file(library.articles_dir / f"{article_id}.json", "article")["article"]["1"]  # type: ignore[index]
            texts.append(f"{record.get('title') or ''}\n{record['text']}")
        reading = time.perf_counter() - started
        for query, terms in patterns.items():
            started = time.perf_counter()
            found[query] += sum(1 for text in texts if all(t.search(text) for t in terms))
            seconds[query] += reading + time.perf_counter() - started
    return seconds, found


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the search figures."""
    libraries = shared_libraries(pool, options.largest)
    largest = max(libraries)
    # Commands run in this process read a fresh config, as those in fresh processes do.
    os.environ["READER_CONFIG_DIR"] = command_env(workdir / "config")["READER_CONFIG_DIR"]
    rng = random.Random(7)
    figures: list[Figure] = []
    for n in SIZES:
        if n not in libraries:
            continue
        library = Library(libraries[n].root)
        mix = query_mix(pool, library, rng)
        queries = [q for _, q in mix]
        in_process(["search", queries[0]], library.root)  # imports and first reads, unmeasured
        times: dict[str, list[float]] = {q: [] for q in queries}
        counts: dict[str, int] = {}
        for _ in range(REPS):
            for query in queries:
                seconds, _status, _out = in_process(["search", query], library.root)
                times[query].append(seconds * 1000)
        for query in queries:
            counts[query] = library.search_count(query)
        every = [t for q in queries for t in times[q]]
        p95 = percentile(every, 95)
        slowest = sorted(queries, key=lambda q: -median(times[q]))[:3]
        by_kind: dict[str, list[float]] = {}
        for kind, query in mix:
            by_kind.setdefault(kind, []).extend(times[query])
        extra = {
            "queries": {q: {"kind": k, "ms": times[q], "matches": counts[q]} for k, q in mix},
            "p50_by_kind_ms": {k: median(v) for k, v in by_kind.items()},
        }
        size = f"{n // 1000}k"
        note = (
            f"{len(queries)} queries x {REPS}, in-process `reader search`; p50 {median(every):.1f} ms; "
            f"slowest {', '.join(f'{q!r} {median(times[q]):.0f} ms ({counts[q]:,} hits)' for q in slowest)}"
        )
        figures.append(Figure(f"search.p95.{size}", p95, "ms", target=P95_MS if n == largest else None, note=note, extra=extra))
        if n != largest:
            continue
        sample = list({kind: query for kind, query in reversed(mix)}.values())
        scanned, scan_found = scan(library, sample)
        fastest_scan = min(scanned.values()) * 1000
        differ = [f"{q} ({counts[q]} vs {scan_found[q]})" for q in sample if counts[q] != scan_found[q]]
        figures.append(
            Figure(
                f"search.vs_scan.{size}",
                p95,
                "ms",
                baseline=fastest_scan,
                baseline_name="fastest scan",
                target=1 / SPEEDUP,
                note=(
                    f"{len(sample)} queries scanned, median {median(list(scanned.values())) * 1000:,.0f} ms; "
                    f"search p95 {fastest_scan / p95:,.0f}x faster than the fastest"
                    + (f"; index and scan disagree on {len(differ)}: {'; '.join(differ[:3])}" if differ else "; index and scan find the same articles")
                ),
                extra={q: {"scan_ms": scanned[q] * 1000, "scan_matches": scan_found[q], "matches": counts[q]} for q in sample},
            )
        )
        env = command_env(workdir / "config")
        startup = median([whole(["--version"], None, env).seconds * 1000 for _ in range(5)])
        runs = [whole(["search", q], library.root, env, check=False).seconds * 1000 for q in queries]
        figures.append(
            Figure(
                f"search.cli.{size}",
                percentile(runs, 95),
                "ms",
                baseline=startup,
                baseline_name="`reader --version`",
                target=None,
                note=f"whole command, p95 of one run per query (p50 {median(runs):.0f} ms); the baseline is interpreter start and imports",
                extra={"ms": runs},
            )
        )
    return figures
