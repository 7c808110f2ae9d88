"""Figure 6, export: JSONL of 100,000 annotations over 5,000 articles.

At most 3 s, and a peak memory at most 1.2 times that of exporting 1,000 annotations over 50
articles (the same 20 per article): an export that streams article by article needs the same
memory whatever the size of the library. Each export runs in a fresh process that imports
everything first and then reports the export's time and its peak resident size (VmHWM, else ru_maxrss);
tracemalloc would be finer but slows an export of this size several times over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.corpus import Pool
from bench.report import Figure, median
from bench.stores import annotated_library

PER_ARTICLE = 20
BIG, SMALL = 5000, 50
RUNS = 2

# The peak comes from /proc's VmHWM where there is one: ru_maxrss of a child started by fork
# and exec can carry the parent's high-water mark over, and this parent holds a lot.
_CHILD = """
import json, resource, sys, time
from pathlib import Path
from reader.export import export_library
from reader.export import jsonl  # noqa: F401  imported before measuring, as the first export would
from reader.store import Library

def peak_kib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

library = Library(Path(sys.argv[1]))
before = peak_kib()
started = time.perf_counter()
report = export_library(library, "jsonl", Path(sys.argv[2]))
elapsed = time.perf_counter() - started
peak = peak_kib()
print(json.dumps({"seconds": elapsed, "rss_before_kib": before, "rss_peak_kib": peak,
                  "articles": report.articles, "spans": report.spans}))
"""


def _export(root: Path, out: Path) -> dict[str, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")])
    )
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"export child failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the export figures."""
    big = annotated_library(pool, workdir / "big", BIG, PER_ARTICLE, writes=False)
    small = annotated_library(pool, workdir / "small", SMALL, PER_ARTICLE, writes=False)
    workdir.mkdir(parents=True, exist_ok=True)
    big_runs, small_runs = [], []
    for _ in range(RUNS):
        big_runs.append(_export(big.root, workdir / "big.jsonl"))
        small_runs.append(_export(small.root, workdir / "small.jsonl"))
    size = (workdir / "big.jsonl").stat().st_size
    spans = int(big_runs[0]["spans"])
    big_peak = median([r["rss_peak_kib"] for r in big_runs]) / 1024
    small_peak = median([r["rss_peak_kib"] for r in small_runs]) / 1024
    growth = median([r["rss_peak_kib"] - r["rss_before_kib"] for r in big_runs]) / 1024
    small_growth = median([r["rss_peak_kib"] - r["rss_before_kib"] for r in small_runs]) / 1024
    return [
        Figure(
            "export",
            median([r["seconds"] for r in big_runs]),
            "s",
            target=3,
            note=f"{spans:,} spans over {BIG:,} articles, {size / 2**20:.0f} MiB of JSONL, median of {RUNS}",
            extra={"runs": big_runs},
        ),
        Figure(
            "export.memory",
            big_peak,
            "MiB",
            baseline=small_peak,
            baseline_name=f"{SMALL * PER_ARTICLE:,} annotations",
            target=1.2,
            note=f"peak RSS of the export process; growth during export {growth:.1f} MiB vs {small_growth:.1f} MiB",
            extra={"runs": big_runs, "small_runs": small_runs},
        ),
    ]
