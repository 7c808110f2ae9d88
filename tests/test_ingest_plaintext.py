"""Plain-text ingestion: the seed dump and scraped dumps of other shapes, and date parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.ingest import ingest_inputs
from reader.ingest.dates import find_date, parse_date
from reader.ingest.furniture import split_byline
from reader.ingest.plaintext import parse_plaintext, split_paragraphs
from reader.text import is_safe
from tests.conftest import SEED


def test_seed_metadata_and_body() -> None:
    """The seed gives its title, byline, date and a body free of page furniture."""
    (result,) = list(ingest_inputs([str(SEED)]))
    draft = result.draft
    assert result.error is None and draft is not None
    assert (
        draft.title
        == "Tajikistan Vows Joint Anti-Terrorism Efforts with Russia After Moscow Attack"
    )
    assert draft.byline == "Vusala Abbasova"
    assert draft.date == "2024-03-26"
    assert draft.source == str(SEED.resolve())
    first = draft.paragraphs[0]
    assert first.startswith(
        (
            "In a telephone conversation with Russian President",
            "Tajikistan President Emomali Rahmon has affirmed",
        )
    )
    text = draft.text()
    assert "Last update" not in text
    assert "Newsroom logo" not in text
    assert "None" not in draft.paragraphs
    assert draft.title not in draft.paragraphs
    assert draft.paragraphs[-1].endswith("to set the building on fire.")
    assert len(draft.paragraphs) == 12  # the caption repeats a body paragraph: dropped


def test_seed_source_is_absolute_for_a_relative_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative path given on the command line is stored as an absolute one."""
    monkeypatch.chdir(SEED.parent)
    (result,) = list(ingest_inputs([SEED.name]))
    assert result.input == SEED.name
    assert result.draft is not None and result.draft.source == str(SEED.resolve())


PIPES = """Home | World | Business | Sport

Skip to content

The Daily Courier

Council Approves New Budget for City Parks and Libraries

By Jane Doe and John Roe | Published March 3, 2023 | 4 min read

The city council approved a new budget on Tuesday that raises spending on parks.

Officials said the money would come from reserves.

Share this article

© 2023 The Daily Courier. All rights reserved.
"""

SINGLE_NEWLINES = """Posted on 12 January 2022
Scientists Discover Ancient Forest Beneath Sinkhole in China
null
Written by Maria Garcia
A team of cave explorers found an ancient forest at the bottom of a giant sinkhole in southern China, with trees as tall as 40 metres.
The sinkhole is 306 metres long and 150 metres wide.
"""

HARD_WRAPPED = """Why Hard-Wrapped Text Still Matters Today

By ALEX SMITH
2021-05-06T09:30:00Z

This is a paragraph that was wrapped by an editor at seventy-two
characters per line, as plain text emails and old archives often are,
so its lines must be joined back together into one paragraph again.

By the end of the day, nothing had changed, and that is the second
paragraph of this example, which also starts with the word By.
"""

BYLINE_FIRST = """By Chris Evans, Staff Writer
Updated 2 hours ago
Markets Rally as Inflation Cools More Than Expected
Stocks rose sharply on Wednesday after data showed inflation easing for the third month in a row, lifting hopes of a rate cut.
undefined
"""

NO_HEADER = """The committee met on Thursday. It discussed many things, including the state of the roads and the new school building planned for next year.

Nothing was decided."""

LIVE_PAGE_LABELS = """Skip to main content
Menu
Search
World
Ukraine war: Kyiv hit by drones overnight, officials say
Published
3 hours ago
Share
Image source, Reuters
Image caption,
Firefighters at the scene in Kyiv
By Jane Smith
BBC News
Russia launched dozens of drones at Kyiv overnight, officials said, in one of the largest attacks on the capital this year.
Air defences shot down most of them, according to the mayor.
"""

BLOG = """Posted by admin on 2019-04-02

My Favourite Hiking Trails in the Lake District

Tags: hiking, outdoors, travel

I have walked the fells for twenty years and these are the trails I keep coming back to.

Catbells is the obvious first choice for families.

Leave a comment
"""

STANDFIRST_BEFORE_BYLINE = """Sign in
Subscribe
Opinion
The Economy Is Not What It Seems
Slower growth is coming, and policymakers are not ready for it.
By Paul Krugman
Jan. 5, 2024
Listen to this article · 6:02 min
Share full article
Illustration by Jane Painter
The economy grew faster than expected last year, defying forecasts of a recession that never came.
But that strength may not last, and there are signs that it is already fading.
"""

BREADCRUMB_AND_CAPTION = """News > Science > Space

Last updated: 5 June 2023, 14:02 BST

Telescope Spots Water Vapour Around a Distant Rocky Planet

Tuesday, 6th of June 2023 at 8:15 a.m.

The planet orbits a small red star about 26 light years away from Earth. (Photo: ESA/Webb)

Astronomers using the James Webb Space Telescope have found hints of water vapour in the atmosphere of a rocky planet.

The result still needs to be confirmed by more observations.
"""


@pytest.mark.parametrize(
    ("text", "title", "byline", "date", "first", "last"),
    [
        (
            PIPES,
            "Council Approves New Budget for City Parks and Libraries",
            "Jane Doe and John Roe",
            "2023-03-03",
            "The city council approved",
            "Officials said the money would come from reserves.",
        ),
        (
            SINGLE_NEWLINES,
            "Scientists Discover Ancient Forest Beneath Sinkhole in China",
            "Maria Garcia",
            "2022-01-12",
            "A team of cave explorers",
            "The sinkhole is 306 metres long and 150 metres wide.",
        ),
        (
            HARD_WRAPPED,
            "Why Hard-Wrapped Text Still Matters Today",
            "ALEX SMITH",
            "2021-05-06T09:30:00Z",
            "This is a paragraph that was wrapped by an editor at seventy-two characters per line,",
            "By the end of the day, nothing had changed, and that is the second paragraph of this example, which also starts with the word By.",
        ),
        (
            BYLINE_FIRST,
            "Markets Rally as Inflation Cools More Than Expected",
            "Chris Evans, Staff Writer",
            None,
            "Stocks rose sharply",
            "Stocks rose sharply on Wednesday after data showed inflation easing for the third month in a row, lifting hopes of a rate cut.",
        ),
        (NO_HEADER, None, None, None, "The committee met on Thursday.", "Nothing was decided."),
        (
            BREADCRUMB_AND_CAPTION,
            "Telescope Spots Water Vapour Around a Distant Rocky Planet",
            None,
            "2023-06-06T08:15",
            "Astronomers using the James Webb Space Telescope",
            "The result still needs to be confirmed by more observations.",
        ),
        (
            LIVE_PAGE_LABELS,
            "Ukraine war: Kyiv hit by drones overnight, officials say",
            "Jane Smith",
            None,
            "Russia launched dozens of drones",
            "Air defences shot down most of them, according to the mayor.",
        ),
        (
            BLOG,
            "My Favourite Hiking Trails in the Lake District",
            None,
            "2019-04-02",
            "I have walked the fells",
            "Catbells is the obvious first choice for families.",
        ),
        (
            STANDFIRST_BEFORE_BYLINE,
            "The Economy Is Not What It Seems",
            "Paul Krugman",
            "2024-01-05",
            "Slower growth is coming, and policymakers are not ready for it.",
            "But that strength may not last, and there are signs that it is already fading.",
        ),
    ],
    ids=[
        "pipes",
        "single-newlines",
        "hard-wrapped",
        "byline-first",
        "no-header",
        "breadcrumb-caption",
        "labels-on-own-lines",
        "blog",
        "standfirst-before-byline",
    ],
)
def test_dumps_of_different_shapes(
    text: str, title: str | None, byline: str | None, date: str | None, first: str, last: str
) -> None:
    """Furniture goes, title/byline/date are found, the body keeps every real paragraph."""
    draft = parse_plaintext(text, "/tmp/x.txt")
    assert draft.title == title
    assert draft.byline == byline
    assert draft.date == date
    assert draft.paragraphs[0].startswith(first)
    assert draft.paragraphs[-1] == last
    body = draft.text()
    for furniture in (
        "Skip to content",
        "Share this article",
        "All rights reserved",
        "null",
        "undefined",
        "Home | World",
        "min read",
        "Updated",
        "Last updated",
        "News > Science",
        "Image caption",
        "Firefighters",
        "BBC News",
        "Tags:",
        "Leave a comment",
        "Published",
        "Sign in",
        "Opinion",
        "Listen to this article",
        "Illustration by",
        "Share full article",
    ):
        assert furniture not in body


def test_dump_with_single_newlines_and_short_lines_is_not_joined() -> None:
    """Short lines that each start a sentence or heading are not taken for wrapped prose."""
    text = (
        "Council Approves New Budget for City Parks Today\n"
        "By Jane Doe | March 3, 2023 | Reuters\n"
        "The city council approved a new budget on Tuesday.\n"
        "Officials said the money would come from reserves."
    )
    draft = parse_plaintext(text, "x")
    assert draft.title == "Council Approves New Budget for City Parks Today"
    assert draft.byline == "Jane Doe"
    assert draft.date == "2023-03-03"
    assert draft.paragraphs == [
        "The city council approved a new budget on Tuesday.",
        "Officials said the money would come from reserves.",
    ]


def test_hard_wrapped_paragraphs_are_joined() -> None:
    """Lines wrapped by an editor come back as one paragraph each, without line breaks."""
    draft = parse_plaintext(HARD_WRAPPED, "x")
    assert len(draft.paragraphs) == 2
    assert all("\n" not in p for p in draft.paragraphs)


def test_furniture_words_inside_the_article_are_kept() -> None:
    """Only the header zone is scanned: "None" and "By ..." later in the text stay."""
    text = (
        "A Long Enough Title For This Article\n\nFirst paragraph of the body, which is prose.\n\n"
        "None of the residents wanted to leave.\n\nBy Tuesday the water had gone.\n\nNone\n\nEnd of story here."
    )
    draft = parse_plaintext(text, "x")
    assert "None of the residents wanted to leave." in draft.paragraphs
    assert "By Tuesday the water had gone." in draft.paragraphs
    assert "None" not in draft.paragraphs  # a bare stray value is never text
    assert draft.byline is None


def test_site_name_before_title_is_not_the_title() -> None:
    """A short site name above the headline is dropped; the substantial line is the title."""
    text = "Metro Times\n\nLocal Bakery Wins National Award for Sourdough\n\nThe bakery on Elm Street won first prize on Sunday, beating 300 others."
    draft = parse_plaintext(text, "x")
    assert draft.title == "Local Bakery Wins National Award for Sourdough"
    assert draft.paragraphs == [
        "The bakery on Elm Street won first prize on Sunday, beating 300 others."
    ]


def test_text_with_control_sequences_is_cleaned() -> None:
    """ESC sequences, OSC hyperlinks and bidi overrides never reach the draft."""
    text = (
        "\x1b]8;;http://evil.example\x07Evil \x1b[31mRed\x1b[0m Headline Over Here\x1b]8;;\x07\n\n"
        "By Mallory \u202eEvil\u202c Person\n\nBody text with \x1b[2J a clear-screen and \x07 a bell in it."
    )
    draft = parse_plaintext(text, "x")
    for value in [draft.title, draft.byline, *draft.paragraphs]:
        assert value is not None and is_safe(value) and "\x1b" not in value
    assert draft.title == "Evil Red Headline Over Here"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Vusala Abbasova March 26, 2024", ("Vusala Abbasova", "2024-03-26")),
        ("by JANE DOE", ("JANE DOE", None)),
        ("By Jean de la Fontaine, 12 May 2020 10:30", ("Jean de la Fontaine", "2020-05-12T10:30")),
        ("Written by Sam O'Neil | Updated", ("Sam O'Neil", None)),
        ("By the end of the year, prices had doubled.", None),
        ("Bypass road opens", None),
        ("Posted by admin on 2019-04-02", (None, "2019-04-02")),
        ("By Jane Doe, 2024-03-26", ("Jane Doe", "2024-03-26")),
    ],
)
def test_split_byline(line: str, expected: tuple[str | None, str | None] | None) -> None:
    """A "By NAME DATE" line splits into name and date; a sentence starting with By does not."""
    assert split_byline(line) == expected


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("March 26, 2024", "2024-03-26"),
        ("Mar. 5 2024", "2024-03-05"),
        ("26 March 2024", "2024-03-26"),
        ("Tuesday, 26th of March 2024 at 8:38 p.m. ET", "2024-03-26T20:38"),
        ("2015-07-24T05:36:09+01:00", "2015-07-24T05:36:09+01:00"),
        ("2023-06-07T20:54:26.829Z", "2023-06-07T20:54:26Z"),
        ("2017-11-03 03:01:00.000000", "2017-11-03T03:01:00"),
        ("Fri Mar 13 21:30:09 EST 2015", "2015-03-13T21:30:09"),
        ("2024/03/26", "2024-03-26"),
        ("February 30, 2024", None),
        ("03/04/2024", None),  # day-first or month-first: unknowable, so no date
        ("yesterday", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    """Common English and ISO date forms become ISO 8601; impossible or ambiguous ones None."""
    assert parse_date(text) == iso


def test_find_date_reports_position() -> None:
    """find_date says where the date is, so that a byline can be cut before it."""
    found = find_date("Last update: April 26, 2024 20:38")
    assert found is not None
    assert found.iso == "2024-04-26T20:38"
    assert found.start == len("Last update: ")


def test_split_paragraphs_keeps_uneven_lines_apart() -> None:
    """Single newlines between lines of uneven length are paragraph breaks (scraper dumps)."""
    text = (
        "Short line\nA much longer line of text that goes on and on for quite a while longer.\nTiny"
    )
    assert split_paragraphs(text) == [
        "Short line",
        "A much longer line of text that goes on and on for quite a while longer.",
        "Tiny",
    ]


def test_text_file_with_only_furniture_has_no_article(tmp_path: Path) -> None:
    """A dump that is all furniture is reported, not stored as an empty article."""
    path = tmp_path / "furniture.txt"
    path.write_text("Newsroom logo\n\nNone\n\nShare this article\n", encoding="utf-8")
    (result,) = list(ingest_inputs([str(path)]))
    assert result.draft is None
    assert result.error == "no article text found"


@pytest.mark.parametrize(
    ("headline", "body"),
    [
        ("北京举行国际气候变化会议", "来自五十多个国家的代表周一在北京出席了国际气候变化会议，讨论如何减少温室气体排放。"),
        ("東京で国際会議が開かれる", "五十以上の国の代表が月曜日に東京で会議に出席し、温室効果ガスの削減について話し合った。"),
    ],
)
def test_a_headline_without_spaces_is_the_title(tmp_path: Path, headline: str, body: str) -> None:
    from reader.ingest import ingest_inputs

    path = tmp_path / "dump.txt"
    path.write_text(f"{headline}\n\n{body}\n\n{body[:20]}。\n", encoding="utf-8")
    [result] = list(ingest_inputs([str(path)]))
    assert result.draft is not None and result.draft.title == headline
