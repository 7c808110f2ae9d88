"""`python -m bench [FIGURE ...]`: generate data, measure each figure, print one line each.

Figures: build, start, memory, open, session, keys, ingest, ingest-one, save, import, search, entities,
export, rebuild (all by default). Libraries of 1,000, 10,000 and 100,000 articles are built once and
cached in bench/data/ (`bench.stores`); `--largest 10000` stops at 10,000 for a quick run.
Results also go to bench/results.json. The exit status is 1 when a figure misses its target
or cannot be measured.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.report import options, write_results
from bench.stores import SIZES

FIGURES = {
    "build": "bench.build",
    "start": "bench.start",
    "memory": "bench.memory",
    "open": "bench.open_article",
    "keys": "bench.keys",
    "ingest": "bench.ingest",
    "ingest-one": "bench.ingest_one",
    "save": "bench.save",
    "import": "bench.import_list",
    "search": "bench.search",
    "entities": "bench.entities",
    "export": "bench.export",
    "rebuild": "bench.rebuild",
    "session": "bench.session",
}
RESULTS = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str] | None = None) -> int:
    """Run the chosen figures; 0 when every one meets its target."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("figures", nargs="*", metavar="FIGURE", help="any of: " + ", ".join(FIGURES))
    parser.add_argument("--keep", action="store_true", help="keep the generated data dir and say where")
    parser.add_argument(
        "--largest",
        type=int,
        choices=SIZES,
        default=SIZES[-1],
        help="the largest library to build and measure (default %(default)s); targets apply to it",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="also rebuild and check the catalog of the largest library (minutes at 100,000 articles)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run each figure under cProfile and print where reader's own code spends the time "
        "(start also profiles one `reader` child to its first titles; other children are not seen)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.figures if n not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {unknown[0]!r} (choose from {', '.join(FIGURES)})")
    names = args.figures or list(FIGURES)
    options.largest, options.profile, options.full = args.largest, args.profile, args.full

    from textual import __version__ as textual_version

    from bench.corpus import CACHE, load_pool

    started = datetime.now(UTC).isoformat(timespec="seconds")
    meta = {
        "started": started,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "textual": textual_version,
        "figures": names,
        "largest": args.largest,
        "load_before": os.getloadavg()[0],
    }
    print(
        f"reader bench · {started} · python {meta['python']} · {meta['cpus']} cpus · textual {textual_version}"
        f" · load {meta['load_before']:.2f}"
    )
    t0 = run_started = time.perf_counter()
    pool = load_pool()
    print(f"paragraph pool: {len(pool.paragraphs)} paragraphs, {pool.words:,} words, {pool.model} {pool.version} ({time.perf_counter() - t0:.1f} s)")

    figures = []
    failed = False
    # Beside the cached libraries, on the same file system: working copies hard-link to them.
    CACHE.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_runs(CACHE)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=CACHE))
    (workdir / "pid").write_text(str(os.getpid()))
    try:
        for name in names:
            t0 = time.perf_counter()
            try:
                module = importlib.import_module(FIGURES[name])
                if args.profile:
                    measured = _profiled(name, module.run, pool, workdir / name)
                else:
                    measured = module.run(pool, workdir / name)
            except Exception as exc:  # one figure that cannot run must not hide the others
                failed = True
                print(f"{name:<18} ERROR: {type(exc).__name__}: {exc}")
                traceback.print_exc(limit=4, file=sys.stderr)
                continue
            for figure in measured:
                print(figure.line(), flush=True)
                failed |= not figure.passed
            figures += measured
            # Others' work on a shared machine slows a figure: say how loaded it was.
            print(f"{'':18} ({name}: {time.perf_counter() - t0:.1f} s, load {os.getloadavg()[0]:.2f})", flush=True)
    finally:
        if args.keep:
            print(f"data kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    meta["seconds"] = time.perf_counter() - run_started
    write_results(RESULTS, figures, meta)
    print(f"results: {RESULTS} (whole run {meta['seconds'] / 60:.1f} min)")
    return 1 if failed else 0


def _remove_abandoned_runs(cache: Path) -> None:
    """Remove the data dirs of runs that were killed (their process is gone): they can hold gigabytes."""
    import shutil

    for run in cache.glob("run-*"):
        try:
            os.kill(int((run / "pid").read_text()), 0)
        except (ProcessLookupError, FileNotFoundError, ValueError):
            shutil.rmtree(run, ignore_errors=True)


def _profiled(name: str, run, *args):  # type: ignore[no-untyped-def]
    """`run(*args)` under cProfile; prints the 25 costliest calls made in reader's own modules."""
    import cProfile
    import io
    import pstats

    profile = cProfile.Profile()
    try:
        return profile.runcall(run, *args)
    finally:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(r"/reader/", 25)
        print(f"--- {name}: reader's calls by cumulative time (the profiler slows every figure) ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    sys.exit(main())
