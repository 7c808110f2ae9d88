"""Start: `reader` to the first titles on screen, at 1,000, 10,000 and 100,000 articles.

Against a bare Textual app that shows one DataTable of 1,000 rows (the cells reader's table
shows for the 1,000-article library). Every program runs as the real command in a
pseudo-terminal of 120x40 (`bench.terminal`), and counts as started once it has written ten
distinct titles of its library: interpreter start, imports, reading the catalog, Textual's
start-up and the first paint are all counted, and the check holds whatever widget draws the
library. The rounds interleave the programs, so load from elsewhere falls on all alike; each
figure is the median of RUNS rounds after one unmeasured round.

Targets: 1,000 articles at most 1.3 times the bare app; 100,000 articles at most 1.5 times it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.corpus import Pool
from bench.report import Figure, median, options
from bench.stores import SIZES, Cached, shared_libraries
from bench.terminal import reader_argv, show_titles, terminal_env, title_prefixes
from reader.catalog import View
from reader.store import ArticleSummary, Library

RUNS = 5
NEED = 10  # distinct titles on screen
BARE_ROWS = 1000
TARGETS = {1_000: 1.3, 100_000: 1.5}

# A bare Textual app: one DataTable of the rows in rows.json, added at mount.
_BARE = """
import json, sys
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

Bare().run()
"""


def bare_app(library: Library, folder: Path) -> tuple[list[str], set[str]]:
    """The bare app's command, with rows.json of the library's rows written to `folder`, and its titles."""
    folder.mkdir(parents=True, exist_ok=True)
    summaries = library.page(View(), 0, BARE_ROWS)
    rows = [_cells(s) for s in summaries]
    columns = ["Title", "Source", "Date", "Words", "Spans", "Notes", "Read"]
    (folder / "rows.json").write_text(json.dumps({"columns": columns, "rows": rows}), encoding="utf-8")
    return [sys.executable, "-c", _BARE, str(folder)], title_prefixes(s.title for s in summaries)


def _cells(s: ArticleSummary) -> list[str]:
    """What a library table shows of an article (the bare app's rows)."""
    return [
        s.title or "(untitled)",
        s.site or Path(s.source).name,
        (s.date or "")[:10],
        f"{s.words:,}",
        f"{s.entities + s.numbers:,}",
        f"{s.annotations:,}",
        "read" if s.read else "new",
    ]


def library_titles(library: Library) -> set[str]:
    """What reader's titles are recognised by: every article's."""
    return title_prefixes(s.title for s in library.iter_summaries())


def run(pool: Pool, workdir: Path) -> list[Figure]:
    """Measure the start figures."""
    libraries: dict[int, Cached] = shared_libraries(pool, options.largest)
    env = terminal_env(workdir / "config")
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    smallest = libraries[min(libraries)]
    bare_argv, bare_titles = bare_app(Library(smallest.root), workdir / "bare")
    programs: dict[str, tuple[list[str], set[str]]] = {"bare": (bare_argv, bare_titles)}
    for n, cached in libraries.items():
        programs[f"{n}"] = (reader_argv(cached.root), library_titles(Library(cached.root)))
    times: dict[str, list[float]] = {name: [] for name in programs}
    for round_ in range(RUNS + 1):
        for name, (argv, titles) in programs.items():
            shown = show_titles(argv, env, titles, NEED)
            if round_:  # the first round is unmeasured: byte-compiling and cold disk reads
                times[name].append(shown.titles_at * 1000)
    if options.profile:
        largest = max(libraries)
        shown = show_titles(reader_argv(libraries[largest].root, profile=True), env, programs[str(largest)][1], NEED, profile=True)
        print(f"--- start at {largest:,} articles: reader's calls by cumulative time, to the first titles ---")
        print(shown.profile)
    bare = median(times["bare"])
    figures = []
    for n in SIZES:
        if n not in libraries:
            continue
        name = "start" if n == 1_000 else f"start.{n // 1000}k"
        figures.append(
            Figure(
                name,
                median(times[str(n)]),
                "ms",
                baseline=bare,
                baseline_name=f"bare DataTable, {BARE_ROWS:,} rows",
                target=TARGETS.get(n),
                note=f"{n:,} articles to {NEED} titles on screen, median of {RUNS} fresh processes in a terminal",
                extra={"reader_ms": times[str(n)], "bare_ms": times["bare"]},
            )
        )
    return figures
