"""Figure 3, keys: time from a key press (right, down, pagedown) to the screen being idle.

On the 20,000-word article against the seed article, in one headless app session: median and
p95 ratios at most 1.2. Two clocks are kept for every press:

- wall: `await pilot.press(key)` then `await pilot.pause()`, as a test would; Pilot's idle
  detection sleeps at least three 20 ms slices, so this has a floor that hides small costs;
- cpu: the process time spent over the same press and pause, which leaves the sleeps out and
  so shows what the key really cost (handling, refresh, render of the touched lines).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from bench.corpus import Pool
from bench.reading import app_env, article_view, close_article, open_and_paint, reading_library
from bench.report import Figure, median, percentile

KEYS = ("right", "down", "pagedown")
PRESSES = 20  # of each key, per article
# Short enough that the seed article fills a few pages: paging it then renders as many lines
# per press as paging the long one, rather than a mostly empty last page.
SIZE = (120, 24)


def _at_end(view: Any, key: str) -> bool:
    """Whether `key` would have nothing left to do (then the cursor goes home first, unmeasured)."""
    if key == "pagedown":
        return view.scroll_y >= view.max_scroll_y
    if key == "down":
        return view.lines and view.offset() >= view.lines[-1].start
    # From the flat token list: token_bounds() would build a tuple per token between presses.
    return view.cursor >= len(view.article.analysis.tokens) // 2 - 2


async def _presses(
    app: Any, pilot: Any, article_id: str, presses: int = PRESSES
) -> dict[str, list[tuple[float, float]]]:
    await open_and_paint(app, pilot, article_id)
    await pilot.pause()
    view = article_view(app)
    assert view is not None
    found: dict[str, list[tuple[float, float]]] = {k: [] for k in KEYS}
    for key in KEYS:
        await pilot.press("home")
        await pilot.pause()
        for _ in range(presses):
            if _at_end(view, key):
                await pilot.press("home")
                await pilot.pause()
            wall, cpu = time.perf_counter(), time.process_time()
            await pilot.press(key)
            await pilot.pause()
            found[key].append((time.perf_counter() - wall, time.process_time() - cpu))
    await close_article(app, pilot)
    return found


async def _measure(root: Path, seed_id: str, long_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    from reader.app import make_app

    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # One round each unmeasured: the first presses import and warm caches in any article.
        await _presses(app, pilot, seed_id, presses=3)
        await _presses(app, pilot, long_id, presses=3)
        seed = await _presses(app, pilot, seed_id)
        long = await _presses(app, pilot, long_id)
    return seed, long


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the keys figures."""
    app_env(workdir)
    data = reading_library(pool, workdir / "library")
    seed, long = asyncio.run(_measure(data.root, data.seed.id, data.long.id))
    figures: list[Figure] = []
    for clock, index in (("wall", 0), ("cpu", 1)):
        seed_all = [p[index] * 1000 for k in KEYS for p in seed[k]]
        long_all = [p[index] * 1000 for k in KEYS for p in long[k]]
        per_key = {
            k: {
                "seed_p50": median([p[index] * 1000 for p in seed[k]]),
                "long_p50": median([p[index] * 1000 for p in long[k]]),
                "long_p95": percentile([p[index] * 1000 for p in long[k]], 95),
            }
            for k in KEYS
        }
        for stat, measure in (("p50", median), ("p95", lambda v: percentile(v, 95))):
            figures.append(
                Figure(
                    f"keys.{clock}.{stat}",
                    measure(long_all),
                    "ms",
                    baseline=measure(seed_all),
                    baseline_name="seed article",
                    target=1.2,
                    note=f"{len(long_all)} presses of {'/'.join(KEYS)}"
                    + (" incl. Pilot's idle sleeps" if clock == "wall" else ", process time"),
                    extra=per_key,
                )
            )
    return figures
