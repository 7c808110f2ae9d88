"""Screenshots of the real app for the README: `make screenshots` (or `python scripts/screenshots.py`).

Builds a throwaway library holding the seed article (ingested through the real pipeline and
model when they are there, else built by hand) and, when ../shared/corpus is beside the
repo, its news pages; drives the app with real keys, and writes SVGs to screenshots/:
library (also at 80x24 and 120x40), search, mentions, article (also at 80x24 and 120x40),
entities, label-picker and help. PNGs are written as well when a headless Chromium is
installed; it is not a dependency.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZE = (110, 34)

sys.path.insert(0, str(ROOT))
# Never the user's config or data: everything lives in a temporary dir.
_WORK = Path(tempfile.mkdtemp(prefix="reader-screenshots-"))
os.environ["READER_CONFIG_DIR"] = str(_WORK / "config")
os.environ["READER_DATA_DIR"] = str(_WORK / "data")
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from reader import paths  # noqa: E402
from reader.article import Analysis, Article, Span  # noqa: E402
from reader.config import Config, default_labels  # noqa: E402
from reader.store import Library  # noqa: E402
from reader.text import join_paragraphs, word_spans  # noqa: E402


def ingest_seeds(library: Library) -> str:
    """Put the seed article in the library: through the pipeline and model, or by hand."""
    seeds = paths.bundled("seeds")
    try:
        from reader.pipeline import ingest_into
    except ImportError:
        ingest_into = None
    if ingest_into is not None:
        try:
            report = ingest_into(library, [str(seeds)], model=None)
            if report.added:
                print(f"ingested the seeds with {report.model}")
                return report.added[0]
            print(f"the pipeline added nothing ({report.failed}); building the article by hand")
        except Exception as exc:  # no model installed, say: the hand-built article still shows the UI
            print(f"the pipeline failed ({exc}); building the article by hand")
    return hand_built(library, next(seeds.glob("*.txt")))


def ingest_corpus(library: Library) -> None:
    """The shared corpus's news pages too, when they are beside the repo (for the library,
    search and mentions pictures): reader's own pipeline, as `reader ingest` runs it."""
    corpus = ROOT.parent / "shared" / "corpus"
    if not (corpus / "index.json").is_file():
        print("no ../shared/corpus: the library shows the seed article alone")
        return
    import gzip
    import json

    from reader.pipeline import ingest_into

    pages = []
    for case in json.loads((corpus / "index.json").read_text()):
        if "html" in case:
            pages.append(str(corpus / case["html"]))
        elif "html_gz" in case:  # kept compressed in the corpus: a plain copy to ingest
            page = _WORK / "corpus" / f"{case['case']}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(gzip.decompress((corpus / case["html_gz"]).read_bytes()))
            pages.append(str(page))
    report = ingest_into(library, pages, model=None)
    print(f"ingested {len(report.added)} corpus pages")


def hand_built(library: Library, seed: Path) -> str:
    """The seed's text with a few entities marked by hand, for when spaCy is not there."""
    lines = [line.strip() for line in seed.read_text(encoding="utf-8").split("\n\n")]
    text = join_paragraphs(lines)
    entities = []
    for words, label in (
        ("Emomali Rahmon", "PERSON"),
        ("Vladimir Putin", "PERSON"),
        ("Crocus City Hall", "FAC"),
        ("Tajikistan", "GPE"),
        ("Russia", "GPE"),
        ("Moscow", "GPE"),
        ("Kremlin", "ORG"),
    ):
        start = text.find(words)
        while start >= 0:
            entities.append(Span(start, start + len(words), label))
            start = text.find(words, start + len(words))
    tokens = [edge for span in word_spans(text) for edge in span]
    from reader.text import article_id

    article = Article(
        id=article_id(text),
        text=text,
        source=str(seed),
        title="Tajikistan Vows Joint Anti-Terrorism Efforts with Russia After Moscow Attack",
        byline="Vusala Abbasova",
        date="2024-03-26",
        analysis=Analysis("hand-built", "0", entities=sorted(entities, key=lambda s: s.start), tokens=tokens),
    )
    library.add(article)
    return article.id


async def shoot() -> list[Path]:
    """Drive the app and save each screen."""
    from reader.app import make_app

    data = _WORK / "data"
    library = Library(data)
    article_id = ingest_seeds(library)
    try:
        ingest_corpus(library)
    except Exception as exc:  # no model: the other pictures still show the UI
        print(f"the corpus was not ingested ({exc})")
    others = [i for i in library.ids() if i != article_id]
    # Some review work done, so the library shows its marks and progress.
    for other, status in zip(others[:4], ("done", "done", "in_progress", "ignored"), strict=False):
        library.set_status(other, status)
    for other in others[4:9]:
        library.set_read(other)
    config = Config(labels=default_labels(), theme="reader-dark", path=_WORK / "config" / "config.toml")
    app = make_app(data_dir=data, config=config)
    written: list[Path] = []

    def save(name: str) -> None:
        written.append(Path(app.save_screenshot(f"{name}.svg", str(OUT))))

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        save("library")
        for width, height in ((80, 24), (120, 40)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            save(f"library-{width}x{height}")
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press(*"president", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        save("search")
        await pilot.press("escape")
        await pilot.pause()
        app.screen.table.move_to(app.screen.table.rows().index(next(s for s in app.screen.table.rows() if s.id == article_id)))
        await pilot.press("enter")
        await pilot.pause()
        # Some annotations, so the article shows both suggestions and the reader's tags.
        from reader.widgets.article_view import ArticleView

        view = app.screen.query_one(ArticleView)
        text = library.get(article_id).text
        for words in ("Emomali Rahmon", "Crocus City Hall"):
            if words in text:
                view.move_to_offset(text.index(words))
                await pilot.press("a")
        if "Tajik nationals" in text:
            view.move_to_offset(text.index("Tajik nationals"))
            await pilot.press("v", "right", "5")  # NORP, by hand
        view.move_to_offset(text.index("In a telephone") if "In a telephone" in text else 0)
        await pilot.pause()
        # Let the notifications of those keys expire before the picture.
        app.clear_notifications()
        await pilot.pause()
        save("article")
        # The same place on a small terminal and a large one: everything has to fit both.
        for width, height in ((80, 24), (120, 40)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            save(f"article-{width}x{height}")
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        save("entities")
        # The entity of this article that most other articles mention.
        panel = app.screen.panel
        named = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"}
        mentions = [(i, row) for i, row in enumerate(panel._rows) if hasattr(row, "spans") and row.label in named]
        widest = max(mentions, key=lambda m: len(library.mentioned_in(m[1].text, m[1].label)), default=None)
        if widest is not None:
            panel.highlighted = widest[0]
            await pilot.press("m")
            await pilot.pause()
            save("mentions")
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("e", "l", "p")
        await pilot.pause()
        save("label-picker")
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        save("help")
    return written


VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def to_png(svgs: list[Path]) -> None:
    """PNG copies, drawn by a headless Chromium when one is installed (it is not a dependency).

    Chromium draws the SVGs' text as a browser does, with the web font they name; simpler
    SVG renderers drop the non-breaking spaces at the edges of each run of text.
    """
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if browser is None:
        print("no Chromium found: SVGs only (apt-get install chromium for PNGs)")
        return
    for svg in svgs:
        width, height = (math.ceil(float(v)) for v in VIEWBOX.search(svg.read_text()).groups())
        with tempfile.TemporaryDirectory() as profile:
            page = Path(profile) / "page.html"
            page.write_text(
                f'<html><body style="margin:0;background:#000">'
                f'<img src="{svg.resolve().as_uri()}" width="{width}" height="{height}"></body></html>'
            )
            png = svg.with_suffix(".png")
            subprocess.run(
                [
                    browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", f"--user-data-dir={profile}/chrome", f"--window-size={width},{height}",
                    f"--screenshot={png}", page.as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        print(f"wrote {png.relative_to(ROOT)}")


def main() -> None:
    """Write every screenshot."""
    OUT.mkdir(exist_ok=True)
    svgs = asyncio.run(shoot())
    for svg in svgs:
        print(f"wrote {svg.relative_to(ROOT)}")
    to_png(svgs)


if __name__ == "__main__":
    main()
