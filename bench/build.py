"""Build: writing the shared libraries of 1,000, 10,000 and 100,000 articles (`bench.stores`).

Built once and cached; these figures report the build that made the cached library (when it
ran, and on how loaded a machine, is in bench/data/libraries/*/bench-library.json). Per
size: seconds, milliseconds per article and disk use. The build is linear when the time per
article of its last tenth is at most 1.5 times that of its first tenth.
"""

from __future__ import annotations

from pathlib import Path

from bench.corpus import Pool
from bench.report import Figure, options
from bench.stores import SIZES, shared_libraries

LINEAR = 1.5


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Report the build figures (building whatever is not cached yet)."""
    libraries = shared_libraries(pool, options.largest)
    figures = []
    for n in SIZES:
        if n not in libraries:
            continue
        built = libraries[n].built
        size = f"{n // 1000}k"
        mib = built["bytes"] / 2**20
        figures.append(
            Figure(
                f"build.{size}",
                built["seconds"],
                "s",
                target=None,
                note=(
                    f"{n:,} articles, {built['annotations']:,} annotations: {built['seconds'] / n * 1000:.2f} ms per article "
                    f"(add_many {built['store_seconds']:.0f} s, annotations and reading state {built['annotate_seconds']:.0f} s; "
                    f"the articles were made meanwhile by a second process in {built['generate_seconds']:.0f} s); {mib:,.0f} MiB on disk, "
                    f"{mib * 1024 / n:.1f} KiB per article; built {built['built_at']}"
                ),
                extra=built,
            )
        )
        tenths = built["ms_per_article_by_tenth"]
        if n >= 10_000 and len(tenths) >= 2:
            figures.append(
                Figure(
                    f"build.linear.{size}",
                    tenths[-1],
                    "ms",
                    baseline=tenths[0],
                    baseline_name="first tenth",
                    target=LINEAR,
                    note="ms per article over the last tenth of the build, by tenth: "
                    + " ".join(f"{t:.1f}" for t in tenths)
                    + "; the machine's load then: "
                    + " ".join(f"{x:.1f}" for x in built.get("load_by_tenth", [])),
                )
            )
    return figures
