"""Session: what reading one article after another costs in memory over a long session.

In one headless app, the 20,000-word article is opened and closed 10 times, then 90 times
more (10x), then 900 more with `--full` (100x). After each stretch, once a full collection
has run, the process's resident size (VmRSS) is read. The figure is what the 90 more cost,
per hundred articles read, against the size after the first 10; it must stay under 5 MB per
hundred, where a Textual cache once kept every closed screen's drawn lines (about 30 MB a
hundred, with no limit).
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from bench.corpus import Pool
from bench.reading import SIZE, app_env, close_article, open_and_paint, reading_library
from bench.report import Figure, options

FIRST = 10
STRETCHES = (10, 100, 1000)  # reads done when the size is read: 1x, 10x, 100x
TARGET_MB_PER_100 = 5.0


def _rss_mb() -> float:
    """This process's resident size, in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmRSS in /proc/self/status")


async def _measure(root: Path, article_id: str, stretches: tuple[int, ...]) -> dict[int, float]:
    from reader.app import make_app

    sizes: dict[int, float] = {}
    app = make_app(root)
    done = 0
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for upto in stretches:
            while done < upto:
                await open_and_paint(app, pilot, article_id)
                await close_article(app, pilot)
                done += 1
            gc.collect()
            sizes[upto] = _rss_mb()
    return sizes


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the session figures."""
    app_env(workdir)
    data = reading_library(pool, workdir / "library")
    stretches = STRETCHES if options.full else STRETCHES[:2]
    sizes = asyncio.run(_measure(data.root, data.long.id, stretches))
    figures = []
    for upto in stretches[1:]:
        per_100 = (sizes[upto] - sizes[FIRST]) / (upto - FIRST) * 100
        figures.append(
            Figure(
                f"session.{upto}",
                per_100,
                "MB per 100 reads",
                target=TARGET_MB_PER_100,
                note=(
                    f"RSS {sizes[FIRST]:.0f} MB after {FIRST} reads of the {data.long.words:,}-word "
                    f"article, {sizes[upto]:.0f} MB after {upto:,}"
                ),
                extra={"rss_mb": {str(k): v for k, v in sizes.items()}},
            )
        )
    return figures
