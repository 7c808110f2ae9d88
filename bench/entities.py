"""Entities and list: the commands that read the whole catalog, at 1,000, 10,000 and 100,000 articles.

`reader entities --label PERSON` lists every PERSON across the library (model entities not
rejected and annotations, merged), most mentioned first. The target, at most 200 ms at 100,000
articles, is on the command in this process (parsing, config, opening the library, the query
and printing every line), median of RUNS; the whole command in a fresh process is reported
beside it, with `reader --version` (interpreter start and imports) for scale.

`reader list` prints one line per article, so its time grows with the library by nature;
what must not grow is its memory (it streams the catalog). It is reported, whole command,
time and peak resident size, for scale.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.commands import command_env, in_process, whole
from bench.corpus import Pool
from bench.report import Figure, median, options, percentile
from bench.stores import SIZES, shared_libraries

RUNS = 10
WHOLE_RUNS = 5
TARGET_MS = 200


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the entities and list figures."""
    libraries = shared_libraries(pool, options.largest)
    largest = max(libraries)
    env = command_env(workdir / "config")
    os.environ["READER_CONFIG_DIR"] = env["READER_CONFIG_DIR"]
    startup = median([whole(["--version"], None, env).seconds * 1000 for _ in range(WHOLE_RUNS)])
    figures: list[Figure] = []
    for n in SIZES:
        if n not in libraries:
            continue
        root = libraries[n].root
        args = ["entities", "--label", "PERSON"]
        _, _, out = in_process(args, root)  # unmeasured: first reads
        lines = out.count("\n")
        inside = [in_process(args, root)[0] * 1000 for _ in range(RUNS)]
        outside = [whole(args, root, env).seconds * 1000 for _ in range(WHOLE_RUNS)]
        size = f"{n // 1000}k"
        figures.append(
            Figure(
                f"entities.{size}",
                median(inside),
                "ms",
                target=TARGET_MS if n == largest else None,
                note=f"`reader entities --label PERSON` in-process, {lines:,} lines, median of {RUNS} (p95 {percentile(inside, 95):.0f} ms)",
                extra={"in_process_ms": inside, "whole_ms": outside},
            )
        )
        figures.append(
            Figure(
                f"entities.cli.{size}",
                median(outside),
                "ms",
                baseline=startup,
                baseline_name="`reader --version`",
                target=None,
                note=f"whole command, median of {WHOLE_RUNS}",
            )
        )
        listed = [whole(["list"], root, env) for _ in range(3)]
        figures.append(
            Figure(
                f"list.{size}",
                median([r.seconds * 1000 for r in listed]),
                "ms",
                baseline=startup,
                baseline_name="`reader --version`",
                target=None,
                note=f"`reader list` of {n:,} articles, whole command; peak RSS {median([r.peak_kib for r in listed]) * 1024 / 1e6:.0f} MB",
                extra={"ms": [r.seconds * 1000 for r in listed], "peak_kib": [r.peak_kib for r in listed]},
            )
        )
    return figures
