"""Import, then list: the first `reader list` after `reader import` of 20,000 annotations into a
library of 10,000 articles, against the next `reader list`.

A store that leaves work for later (recounting the articles an import touched, rebuilding an
index) makes the first list after a bulk import pay for it; one that keeps its catalog right
as it writes does not. The import is the real command on a JSONL file in reader's own format
(two annotations on each of the 10,000 articles, all new to the library), into a working copy
of the shared 10,000-article library; then the first list, then NEXT more, each a whole
command with its output thrown away. Target: first at most 2 times the median of the next.
The import's own time is reported too: it writes every article's annotation file once.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.commands import command_env, whole
from bench.corpus import Pool
from bench.report import Figure, median, options
from bench.stores import cached_library, library_spec, working_copy
from reader.store import Library

ARTICLES = 10_000
ANNOTATIONS = 20_000
NEXT = 5
LABELS = ["PERSON", "ORG", "GPE", "DATE", "EVENT", "MONEY"]


def write_import(library: Library, path: Path, annotations: int, rng: random.Random) -> int:
    """A reader JSONL file giving the library's articles `annotations` new spans, spread evenly
    (whole tokens, within one paragraph); returns the number of articles it touches."""
    ids = library.ids()
    per_article = max(1, annotations // len(ids))
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for article_id in ids:
            if written >= annotations:
                break
            article = library.get(article_id)
            taken = {(a.start, a.end, a.label) for a in library.annotations(article_id)}
            bounds = article.token_bounds()
            spans = []
            while len(spans) < min(per_article, annotations - written):
                first = rng.randrange(len(bounds))
                start, end = bounds[first]
                label = rng.choice(LABELS)
                if (start, end, label) not in taken and "\n" not in article.text[start:end]:
                    taken.add((start, end, label))
                    spans.append({"start": start, "end": end, "label": label})
            out.write(json.dumps({"text": article.text, "spans": spans}, ensure_ascii=False) + "\n")
            written += len(spans)
    return min(len(ids), -(-annotations // per_article))


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the import-then-list figure."""
    articles = min(ARTICLES, options.largest)
    annotations = ANNOTATIONS * articles // ARTICLES
    library = working_copy(cached_library(pool, library_spec(articles)), workdir / "library")
    env = command_env(workdir / "config")
    jsonl = workdir / "import.jsonl"
    touched = write_import(library, jsonl, annotations, random.Random(8))
    whole(["list"], library.root, env)  # the command's code read once from disk, before the import
    imported = whole(["import", str(jsonl)], library.root, env)
    if f"{annotations:,} annotations added" not in imported.stderr and f"{annotations} annotations added" not in imported.stderr:
        raise RuntimeError(f"the import did not add {annotations} annotations: {imported.stderr[-500:]}")
    first = whole(["list"], library.root, env)
    following = [whole(["list"], library.root, env) for _ in range(NEXT)]
    return [
        Figure(
            "import.list",
            first.seconds * 1000,
            "ms",
            baseline=median([r.seconds * 1000 for r in following]),
            baseline_name="the next list",
            target=2,
            note=(
                f"{articles:,} articles; `reader import` of {annotations:,} annotations on {touched:,} articles took "
                f"{imported.seconds:.1f} s ({imported.seconds / touched * 1000:.1f} ms per article)"
            ),
            extra={
                "import_s": imported.seconds,
                "first_ms": first.seconds * 1000,
                "next_ms": [r.seconds * 1000 for r in following],
                "first_peak_kib": first.peak_kib,
            },
        )
    ]
