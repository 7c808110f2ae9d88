"""Figure 2, open: first paint of a 20,000-word article with about 4,000 highlights.

At most 150 ms, and at most 1.5 times the seed article's, both opened in the same headless app
session (reading the article from the store, building the screen, laying out and painting).
Each is opened once unmeasured first, so that importing the article screen is not counted.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.corpus import Pool
from bench.reading import SIZE, app_env, close_article, open_and_paint, reading_library
from bench.report import Figure, median

RUNS = 7


async def _measure(root: Path, ids: list[str]) -> dict[str, list[float]]:
    from reader.app import make_app

    times: dict[str, list[float]] = {i: [] for i in ids}
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for article_id in ids:
            await open_and_paint(app, pilot, article_id)
            await close_article(app, pilot)
        for _ in range(RUNS):
            for article_id in ids:
                times[article_id].append(await open_and_paint(app, pilot, article_id))
                await close_article(app, pilot)
    return times


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the open figures."""
    app_env(workdir)
    data = reading_library(pool, workdir / "library")
    times = asyncio.run(_measure(data.root, [data.seed.id, data.long.id]))
    seed_ms = median(times[data.seed.id]) * 1000
    long_ms = median(times[data.long.id]) * 1000
    note = (
        f"{data.long.words:,} words, {data.highlights[data.long.id]:,} highlights; "
        f"seed {data.seed.words:,} words, {data.highlights[data.seed.id]:,} highlights"
    )
    extra = {
        "seed_ms": [t * 1000 for t in times[data.seed.id]],
        "long_ms": [t * 1000 for t in times[data.long.id]],
    }
    return [
        Figure("open", long_ms, "ms", target=150, note=f"median of {RUNS}; {note}", extra=extra),
        Figure(
            "open.vs_seed",
            long_ms,
            "ms",
            baseline=seed_ms,
            baseline_name="seed article",
            target=1.5,
            note=note,
        ),
    ]
