"""Screenshots of the real app for the README: `make screenshots` (or `python scripts/screenshots.py`).

Builds a throwaway library holding the seed article (ingested through the real pipeline and
model when they are there, else built by hand), drives the app with real keys, and writes
SVGs to screenshots/: library, article (also at 80x24 and 120x40), entities, label-picker and
help. PNGs are written as
well when a headless Chromium is installed; it is not a dependency.
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
    config = Config(labels=default_labels(), theme="reader-dark", path=_WORK / "config" / "config.toml")
    app = make_app(data_dir=data, config=config)
    written: list[Path] = []

    def save(name: str) -> None:
        written.append(Path(app.save_screenshot(f"{name}.svg", str(OUT))))

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        save("library")
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
