"""Figure 1, start: `reader` on 1,000 articles to the first painted library screen.

Against a bare Textual app that shows one DataTable of the same 1,000 rows. Both run as fresh
`python -c` processes through the same harness (headless `run_test`, wait until a DataTable
holds every row, force one paint, print the time), so interpreter start, imports and Textual's
own start-up are counted alike; the figure is the median over several interleaved runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import ArticleMaker, Pool
from bench.report import Figure, median
from bench.stores import build_library

ARTICLES = 1000
RUNS = 7
SIZE = (120, 40)

# The part both children share, so neither gets a cheaper way to wait or paint.
_HARNESS = """
import asyncio, sys, time
from textual.widgets import DataTable

ROWS = int(sys.argv[2])

def painted(app):
    try:
        return any(t.row_count == ROWS for t in app.screen.query(DataTable))
    except Exception:
        return False

async def main():
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        while not painted(app):
            await asyncio.sleep(0.001)
        await pilot.pause(0)  # let pending messages through, then paint the screen
        print(repr(time.time()), flush=True)

asyncio.run(main())
"""

_READER = """
from pathlib import Path
from reader.app import make_app

def make():
    return make_app(Path(sys.argv[1]))
"""

_BARE = """
import json
from pathlib import Path
from textual.app import App
from textual.widgets import DataTable

class Bare(App):
    def compose(self):
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self):
        data = json.loads(Path(sys.argv[1], "rows.json").read_text(encoding="utf-8"))
        table = self.query_one(DataTable)
        table.add_columns(*data["columns"])
        table.add_rows(data["rows"])
        table.focus()

def make():
    return Bare()
"""


def _program(app_part: str) -> str:
    # sys is imported first by the harness; the app part only defines make().
    return f"import sys\nSIZE = {SIZE!r}\n{app_part}\n{_HARNESS}"


def _time_to_paint(program: str, data_dir: Path, env: dict[str, str]) -> float:
    """Seconds from starting the process to its first painted screen of every row."""
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-c", program, str(data_dir), str(ARTICLES)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError("start benchmark child did not paint within 120 s") from None
    if proc.returncode != 0 or not out.strip():
        raise RuntimeError(f"start benchmark child failed ({proc.returncode}):\n{err[-2000:]}")
    return float(out.split()[0]) - started


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the start figure."""
    data_dir = workdir / "start-library"
    library, _ = build_library(data_dir, ArticleMaker(pool, seed=1), ARTICLES)
    summaries = library.summaries()
    # The bare app gets the same cells reader's table shows, ready to add.
    rows = [
        [
            s.title or "(untitled)",
            s.site or Path(s.source).name,
            (s.date or "")[:10],
            f"{s.words:,}",
            f"{s.entities + s.numbers:,}",
            f"{s.annotations:,}",
            "read" if s.opened else "new",
        ]
        for s in summaries
    ]
    columns = ["Title", "Source", "Date", "Words", "Spans", "Notes", "Read"]
    (data_dir / "rows.json").write_text(json.dumps({"columns": columns, "rows": rows}), encoding="utf-8")

    config = Path(tempfile.mkdtemp(dir=workdir, prefix="config-"))
    env = {**os.environ, "READER_CONFIG_DIR": str(config), "READER_DATA_DIR": str(data_dir)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")]))
    reader_program, bare_program = _program(_READER), _program(_BARE)
    # One unmeasured run each: byte-compiling and the first disk reads are not start-up.
    _time_to_paint(reader_program, data_dir, env)
    _time_to_paint(bare_program, data_dir, env)
    reader_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(RUNS):
        reader_times.append(_time_to_paint(reader_program, data_dir, env))
        bare_times.append(_time_to_paint(bare_program, data_dir, env))
    return [
        Figure(
            name="start",
            value=median(reader_times) * 1000,
            unit="ms",
            baseline=median(bare_times) * 1000,
            baseline_name="bare DataTable app",
            target=1.3,
            note=f"{ARTICLES} articles, median of {RUNS} fresh processes",
            extra={"reader_ms": [t * 1000 for t in reader_times], "bare_ms": [t * 1000 for t in bare_times]},
        )
    ]
