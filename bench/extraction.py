"""Extraction quality: reader against trafilatura alone, page by page, on real news pages.

    python -m bench.extraction [--goose3 DIR] [--readability DIR] [--show]

Pages come from `../shared/corpus` (its `index.json` gives the expected title, byline, date
and body) and, when given, from checkouts of two public test suites: goose3's test pages
(`tests/data/content`: news in English, Spanish, French, German, Arabic, Chinese and Korean)
and Mozilla Readability's (`test/test-pages`: the news and magazine pages among them that the
shared corpus does not hold, in English, Czech, Portuguese, French, German, Spanish, Chinese
and Japanese). The pages belong to their publishers, so they are not copied here. The pages
written for reader's tests in other scripts and calendars (`tests/pages`) are scored too.
`extraction_labels.json` beside this file holds the title, byline and date each of those pages
states, read off the page by hand (null: the page states none; a list of titles: the page
gives its article more than one headline, and any of them is right), and for Readability's
pages the opening words of the body's first paragraph (goose3's files give those).

Scores, for each extractor: titles exactly right (white space and quotes normalised),
bylines right (either contains the other, "By " ignored), dates right to the day, dates
wrong, dates given where the page states none, and the body's first paragraph found.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
LABELS = HERE / "extraction_labels.json"
# Pages written for the tests in scripts and calendars the suites above lack.
OWN_PAGES = ROOT / "tests" / "pages"

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "`": "'"})


@dataclass(slots=True)
class Case:
    """One page and what it states."""

    name: str
    path: Path
    title: str | list[str] | None = None  # a list: any of these headlines is right
    byline: str | None = None
    date: str | None = None  # the day the page states, or None when it states none
    date_known: bool = False  # False: no one checked, so the date is not scored
    byline_known: bool = False  # True with byline None: the page names no author
    first: str | None = None  # the opening words of the body
    url: str | None = None


@dataclass(slots=True)
class Found:
    """What one extractor found on one page."""

    title: str | None
    byline: str | None
    date: str | None
    text: str


@dataclass(slots=True)
class Score:
    """One extractor's totals."""

    titles: list[bool] = field(default_factory=list)
    bylines: list[bool] = field(default_factory=list)
    dates_right: int = 0
    dates_wrong: int = 0
    dates_invented: int = 0
    dates_scored: int = 0
    firsts: list[bool] = field(default_factory=list)
    refused: int = 0

    def line(self) -> str:
        """The totals as one table row."""

        def rate(hits: list[bool]) -> str:
            return f"{sum(hits)}/{len(hits)}" if hits else "-"

        return (
            f"{rate(self.titles)} | {rate(self.bylines)} | {self.dates_right}/{self.dates_scored} | "
            f"{self.dates_wrong} | {self.dates_invented} | {rate(self.firsts)} | {self.refused}"
        )


_CAPTION = (
    "ancestor-or-self::*[self::figure or self::figcaption"
    " or contains(translate(@class, 'CAPTION', 'caption'), 'caption')]"
)


def normal(text: str) -> str:
    """Text compared loosely: quotes straightened, white space folded, case ignored."""
    return " ".join(text.translate(_QUOTES).split()).casefold()


def byline_matches(found: str | None, expected: str) -> bool:
    """True when the bylines name the same people: "By ", case and separators ignored."""
    if not found:
        return False

    def bare(text: str) -> str:
        text = re.sub(r"^\s*by\s+", "", text, flags=re.I)
        return " ".join(re.sub(r"[,;&]|\band\b", " ", text.casefold()).split())

    return bare(found) == bare(expected)


def first_found(text: str, first: str) -> bool:
    """True when the opening words of the body (up to 60 characters) are in the text."""
    flat = re.sub(r"\W+", "", normal(text))
    # The first paragraph only: suites join paragraphs with runs of spaces or newlines.
    first = re.split(r"\n|\s{2,}", first.strip())[0]
    opening = re.sub(r"\W+", "", normal(first))[:60]
    return opening in flat


def title_matches(found: str | None, expected: str | list[str]) -> bool:
    """True when the title is exactly one of the page's headlines (quotes and spaces aside)."""
    wanted = [expected] if isinstance(expected, str) else expected
    return any(normal(found or "") == normal(title) for title in wanted)


def corpus_cases() -> list[Case]:
    """The shared corpus pages with their expectations (and the corrections in the labels)."""
    index = CORPUS / "index.json"
    if not index.is_file():
        return []
    corrections = json.loads(LABELS.read_text(encoding="utf-8")).get("corpus", {})
    cases = []
    truth_file = CORPUS / "scrapinghub-article-extraction-benchmark" / "ground-truth.json"
    truth = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.is_file() else {}
    for item in json.loads(index.read_text(encoding="utf-8")):
        item = item | {k: v for k, v in corrections.get(item["case"], {}).items() if k != "why"}
        first = None
        if item.get("expected_body_html"):
            import lxml.html

            tree = lxml.html.fromstring((CORPUS / item["expected_body_html"]).read_text("utf-8"))
            # A photo's caption is no paragraph of the body, even inside a <p>.
            paragraphs = [
                p.text_content()
                for p in tree.iter("p")
                if p.text_content().strip() and not p.xpath(_CAPTION)
            ]
            first = paragraphs[0] if paragraphs else None
        elif item["case"] in truth:
            first = truth[item["case"]]["articleBody"].strip().split("\n")[0]
        elif item.get("text_must_contain"):
            first = item["text_must_contain"][0]
        published = item.get("published")
        cases.append(
            Case(
                name=item["case"],
                path=CORPUS / (item.get("html") or item["html_gz"]),
                title=item.get("title"),
                byline=item.get("byline"),
                byline_known=item.get("byline") is not None,
                date=published[:10] if published else None,
                date_known=published is not None,
                first=first,
                url=item.get("url"),
            )
        )
    return cases


def labelled_case(name: str, page: Path, label: dict, **more: str | None) -> Case:
    """A page with what `extraction_labels.json` says it states (a key left out: unscored)."""
    return Case(
        name=name,
        path=page,
        title=label.get("title"),
        byline=label.get("byline"),
        byline_known="byline" in label,
        date=label.get("date"),
        date_known="date" in label,
        first=more.get("first") or label.get("first"),
        url=more.get("url"),
    )


def goose3_cases(folder: Path) -> list[Case]:
    """goose3's content test pages, with the labels kept beside this file."""
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["goose3"]
    cases = []
    for name, label in labels.items():
        page, expected = folder / f"{name}.html", folder / f"{name}.json"
        if not page.is_file() or not expected.is_file():
            continue
        data = json.loads(expected.read_text(encoding="utf-8"))
        first, url = data["expected"].get("cleaned_text"), data.get("url")
        cases.append(labelled_case(name.removeprefix("test_"), page, label, first=first, url=url))
    return cases


def readability_cases(folder: Path) -> list[Case]:
    """Readability's news and magazine test pages, with the labels kept beside this file."""
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["readability"]
    pages = {name: folder / name / "source.html" for name in labels}
    return [labelled_case(name, pages[name], label) for name, label in labels.items() if pages[name].is_file()]


def own_cases() -> list[Case]:
    """The HTML pages written for reader's tests (Thai, Hindi, Bengali, Russian, Ukrainian,
    Greek, Hebrew, Arabic, Persian, Turkish, Swahili, Indonesian, Japanese, Korean, Chinese),
    with what `tests/pages/expected.json` says each states."""
    rows = json.loads((OWN_PAGES / "expected.json").read_text(encoding="utf-8"))
    return [
        Case(
            name=row["page"],
            path=OWN_PAGES / row["page"],
            title=row["title"],
            byline=row["byline"],
            byline_known=True,
            date=row["date"][:10] if row["date"] else None,
            date_known=True,
            first=row["first"],
        )
        for row in rows
        if row["page"].endswith(".html")
    ]


def read_page(path: Path) -> bytes:
    """A page's bytes, unpacked when gzipped."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def by_reader(case: Case) -> Found | None:
    """What reader's ingest finds on the page (None: refused)."""
    from reader.ingest import IngestError, ingest_bytes

    try:
        draft = ingest_bytes(read_page(case.path), str(case.path), kind="html", url=case.url)
    except IngestError:
        return None
    return Found(draft.title, draft.byline, draft.date, draft.text())


def by_trafilatura(case: Case) -> Found | None:
    """What trafilatura alone finds, with its metadata (None: nothing extracted)."""
    import trafilatura

    from reader.ingest.decode import decode_bytes

    document = trafilatura.bare_extraction(
        decode_bytes(read_page(case.path)), url=case.url, with_metadata=True
    )
    if document is None or not (document.text or "").strip():
        return None
    return Found(document.title, document.author, document.date, document.text or "")


def score(cases: list[Case], extract, rows: dict[str, list[str]] | None = None) -> Score:  # noqa: ANN001
    """Run one extractor over the cases and total its hits."""
    total = Score()
    for case in cases:
        found = extract(case)
        marks = []
        if found is None:
            total.refused += 1
            found = Found(None, None, None, "")
        if case.title:
            hit = title_matches(found.title, case.title)
            total.titles.append(hit)
            marks.append("T" if hit else "t")
        if case.byline_known:
            hit = byline_matches(found.byline, case.byline) if case.byline else not found.byline
            total.bylines.append(hit)
            marks.append("B" if hit else "b")
        if case.date_known:
            total.dates_scored += 1 if case.date else 0
            day = (found.date or "")[:10] or None
            if case.date and day == case.date:
                total.dates_right += 1
            elif case.date and day:
                total.dates_wrong += 1
                marks.append("date-wrong")
            elif not case.date and day:
                total.dates_invented += 1
                marks.append("date-invented")
        if case.first:
            hit = first_found(found.text, case.first)
            total.firsts.append(hit)
            marks.append("F" if hit else "f")
        if rows is not None:
            rows.setdefault(case.name, []).append(
                f"{' '.join(marks)} | {found.title!r} | {found.byline!r} | {found.date!r}"
            )
    return total


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table (and with --show, what each extractor found per page)."""
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__.splitlines()[0])
    parser.add_argument("--goose3", type=Path, help="goose3's tests/data/content folder")
    parser.add_argument("--readability", type=Path, help="Readability's test/test-pages folder")
    parser.add_argument("--show", action="store_true", help="print each page's findings")
    args = parser.parse_args(argv)
    suites = {"shared corpus": corpus_cases(), "pages in other scripts": own_cases()}
    if args.goose3:
        suites["goose3 pages"] = goose3_cases(args.goose3)
    if args.readability:
        suites["Readability pages"] = readability_cases(args.readability)
    print("| pages | extractor | titles exact | bylines | dates right | dates wrong | dates invented | first paragraph | refused |")
    print("|---|---|---|---|---|---|---|---|---|")
    for suite, cases in suites.items():
        if not cases:
            print(f"{suite}: no pages found", file=sys.stderr)
            continue
        rows: dict[str, list[str]] = {}
        mine = score(cases, by_reader, rows)
        theirs = score(cases, by_trafilatura, rows)
        print(f"| {suite} ({len(cases)}) | reader | {mine.line()} |")
        print(f"| {suite} ({len(cases)}) | trafilatura alone | {theirs.line()} |")
        if args.show:
            for name, found in rows.items():
                print(f"  {name}\n    reader: {found[0]}\n    trafilatura: {found[1]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
