"""Memory: the resident size of `reader` showing a library of 1,000, 10,000 and 100,000 articles.

Each run starts the real command in a pseudo-terminal (`bench.terminal`), waits for the first
titles and until the screen is idle, reads VmRSS, then presses End (the last row of the
library) and reads again once idle. The figure is the peak (VmHWM) over the whole run, the
stricter of the two: at most 250 MB with 100,000 articles. The bare DataTable app of the
start figure is measured alike, for scale.
"""

from __future__ import annotations

from pathlib import Path

from bench.corpus import Pool
from bench.report import Figure, median, options
from bench.start import NEED, bare_app, library_titles
from bench.stores import SIZES, shared_libraries
from bench.terminal import reader_argv, show_titles, terminal_env
from reader.store import Library

RUNS = 2
TARGET_MB = 250
KEYS = ("end",)


def _mb(kib: float) -> float:
    return kib * 1024 / 1e6


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the memory figures."""
    libraries = shared_libraries(pool, options.largest)
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    env = terminal_env(workdir / "config")
    bare_argv, bare_titles = bare_app(Library(libraries[min(libraries)].root), workdir / "bare")
    programs = {"bare": (bare_argv, bare_titles)} | {
        str(n): (reader_argv(c.root), library_titles(Library(c.root))) for n, c in libraries.items()
    }
    peaks: dict[str, list[float]] = {name: [] for name in programs}
    idle: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(RUNS):
        for name, (argv, titles) in programs.items():
            shown = show_titles(argv, env, titles, NEED, keys=KEYS, measure_memory=True)
            peaks[name].append(_mb(max(m["VmHWM"] for m in shown.memory_kib.values())))
            idle[name].append(_mb(shown.memory_kib["idle"]["VmRSS"]))
    figures = []
    for n in SIZES:
        if n not in libraries:
            continue
        figures.append(
            Figure(
                f"memory.{n // 1000}k",
                median(peaks[str(n)]),
                "MB",
                target=TARGET_MB if n == 100_000 else None,
                note=(
                    f"peak RSS of `reader` on {n:,} articles, start and End; idle after start "
                    f"{median(idle[str(n)]):.0f} MB; the bare DataTable app peaks at {median(peaks['bare']):.0f} MB"
                ),
                extra={"peak_mb": peaks[str(n)], "idle_mb": idle[str(n)], "bare_peak_mb": peaks["bare"]},
            )
        )
    return figures
