"""Rebuild and check: the costs that read every file of the library, by design.

`reader check` compares every store file with the catalog; `reader check --repair`, and the
first open of a store from a release without a catalog, rebuild the catalog from every file.
Both are linear in the library; what must hold is that they stay linear (the same time per
article at every size). Measured at 1,000 and 10,000 articles, whole commands on a working
copy; 100,000 only when that is the largest asked for and `--full` was given, since a rebuild
there takes minutes (the per-article figure tells what to expect).
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.commands import command_env, whole
from bench.corpus import Pool
from bench.report import Figure, options
from bench.stores import SIZES, shared_libraries, working_copy


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the check and rebuild figures."""
    sizes = [n for n in SIZES if n <= (options.largest if options.full else min(options.largest, 10_000))]
    libraries = {n: c for n, c in shared_libraries(pool, max(sizes)).items() if n in sizes}
    env = command_env(workdir / "config")
    per_article: dict[int, tuple[float, float]] = {}
    figures = []
    for n, cached in libraries.items():
        library = working_copy(cached, workdir / f"library-{n}")
        checked = whole(["check"], library.root, env)
        # What a store from before the catalog, or a lost catalog, costs at its first open.
        for suffix in ("", "-wal", "-shm"):
            path = Path(f"{library.catalog_path}{suffix}")
            if path.exists():
                os.unlink(path)
        rebuilt = whole(["list"], library.root, env)
        per_article[n] = (checked.seconds / n * 1000, rebuilt.seconds / n * 1000)
        size = f"{n // 1000}k"
        figures.append(
            Figure(
                f"check.{size}",
                checked.seconds,
                "s",
                target=None,
                note=f"`reader check` of {n:,} articles: {per_article[n][0]:.2f} ms per article",
            )
        )
        figures.append(
            Figure(
                f"rebuild.{size}",
                rebuilt.seconds,
                "s",
                target=None,
                note=(
                    f"first `reader list` with no catalog (built from {n:,} article files): "
                    f"{per_article[n][1]:.2f} ms per article, peak RSS {rebuilt.peak_kib * 1024 / 1e6:.0f} MB"
                ),
            )
        )
    return figures
