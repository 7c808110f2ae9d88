"""The rules that read a page's title, byline, date and opening, each on a small page built
here in the shape real news pages take (the pages themselves are measured by
`python -m bench.extraction`)."""

from __future__ import annotations

import json

import pytest

from reader.article import Draft
from reader.ingest import ingest_bytes
from reader.ingest.credits import clean_byline, headline_from_title
from reader.ingest.dates import find_date, find_numeric_date

PROSE = (
    "The harbour board met on Tuesday and agreed that the northern quay would reopen to "
    "fishing boats once the last of the storm repairs had been inspected by the engineers."
)
BODY = "".join(f"<p>{PROSE} Part {n} of the story goes on from there.</p>" for n in range(1, 6))


def read(html: str, url: str | None = None, lang: str = "en") -> Draft:
    """The draft reader makes of a page."""
    page = f"<!DOCTYPE html><html lang='{lang}'>{html}</html>"
    return ingest_bytes(page.encode(), "/page.html", kind="html", url=url)


def head(title: str, extra: str = "") -> str:
    return f"<head><title>{title}</title>{extra}</head>"


# --- bylines -------------------------------------------------------------------------------


def test_byline_below_a_photo_caption_beats_a_wire_service_in_metadata() -> None:
    """A long caption between headline and byline does not hide "By NAME"; the wire's name
    in the author metadata gives way to the person."""
    page = head("Workers Leave State", '<meta name="author" content="AP">') + (
        "<body><div class='entry'><h1>Workers Leave State</h1>"
        "<div class='large-image-caption'>In a Monday photo, a farm worker sorts tomatoes in a "
        "field near the town, where only a few of the owner's crew came back to work after the "
        "new law took effect this week.</div>"
        f"<p><span class='bold'>By PHILLIP RAWLS</span> 10/ 5/11 09:19 PM ET</p>{BODY}</div></body>"
    )
    assert read(page).byline == "Phillip Rawls"


def test_byline_under_a_headline_that_differs_from_the_title() -> None:
    """A page heading its story with other words than its <title> still has its byline read
    below that heading."""
    page = head("Hill: Coaches grandstanding about agents") + (
        "<body><div class='headline'><h1>Grandstanding?</h1><h3>Are the coaches serious?</h3></div>"
        "<cite class='source'>By Jemele Hill<br>ESPN.com</cite>"
        f"<div>{BODY}</div></body>"
    )
    draft = read(page)
    assert draft.title == "Hill: Coaches grandstanding about agents"
    assert draft.byline == "Jemele Hill"


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By World's Editorial Writers", "World's Editorial Writers"),
        ("Our Foreign Staff", "Our Foreign Staff"),
        ("Andrea Stone Senior Washington Correspondent", "Andrea Stone"),
        ("Brenda Goodman, MA", "Brenda Goodman"),
        ("Martin Untersinger (avec Damien Leloup et Morgane Tual)", "Martin Untersinger, Damien Leloup, Morgane Tual"),
        ("Maggie Haberman and Shira Toeplitz", "Maggie Haberman, Shira Toeplitz"),
        ("Username", None),
    ],
)
def test_byline_cut_to_its_people(byline: str, expected: str | None) -> None:
    """Groups keep their name whole, job titles and degrees go, co-authors in brackets count,
    a template's placeholder is nobody."""
    assert clean_byline(byline) == expected


def test_newsroom_named_as_author_is_kept_whole() -> None:
    """A page whose author metadata is its own name ("Mac & i") has that newsroom as byline,
    not a piece of it."""
    extra = '<meta property="og:site_name" content="Mac &amp; i"><meta name="author" content="Mac &amp; i">'
    page = head("1Password generates one-time passwords | Mac &amp; i", extra) + (
        f"<body><article><h1>1Password generates one-time passwords</h1>{BODY}</article></body>"
    )
    assert read(page).byline == "Mac & i"


def test_name_printed_alone_beats_the_same_name_with_a_job_title() -> None:
    """"Ben Silverman" printed beside "Ben Silverman Games Editor" is the byline."""
    page = head("The coolest VR games") + (
        "<body><article><h1>The coolest VR games</h1>"
        "<div class='author-card'><span class='author-name'>Ben Silverman</span>"
        "<span class='author-title'>Games Editor</span></div>"
        f"{BODY}</article></body>"
    )
    assert read(page).byline == "Ben Silverman"


def test_teaser_author_above_the_headline_loses_to_the_byline_below_it() -> None:
    """Of two names by the headline, the one printed below it is the article's."""
    page = head("The sharing economy is a lie") + (
        "<body><div class='rail'><a href='/t'>Another story</a> <span class='byline'>Henry Grabar</span></div>"
        "<div class='post'><h1>The sharing economy is a lie</h1>"
        "<span class='byline'><a rel='author' href='/writer/eskow'>Richard Eskow</a></span>"
        f"{BODY}</div></body>"
    )
    assert read(page).byline == "Richard Eskow"


def test_author_profile_url_confirms_a_printed_name() -> None:
    """Author metadata that is a profile URL (".../titiou-lecoq") confirms the name the page
    prints in a side column."""
    extra = '<meta property="article:author" content="http://www.example.fr/source/titiou-lecoq">'
    page = head("Tapie et La Provence", extra) + (
        "<body><h1>Tapie et La Provence</h1>"
        "<h2>Un long chapeau qui raconte toute l'affaire en une phrase bien plus longue que cent soixante "
        "caractères, comme le font les magazines en ligne quand ils résument un article entier.</h2>"
        f"<div class='article'>{BODY}</div>"
        "<div class='leftbar'><a rel='author' href='/source/titiou-lecoq'>Titiou Lecoq</a></div></body>"
    )
    assert read(page).byline == "Titiou Lecoq"


def test_microdata_blog_post() -> None:
    """A blog post marked up with microdata gives its own title, author and date; the blog's
    name heading every post is no headline."""
    page = head("Lost in JIT: PyPy and the road towards SciPy") + (
        "<body><h1>Lost in JIT</h1>"
        "<div class='post hentry' itemscope itemtype='https://schema.org/BlogPosting'>"
        "<h3 class='post-title' itemprop='name'>PyPy and the road towards SciPy</h3>"
        f"<div class='post-body' itemprop='articleBody'>{BODY}</div>"
        "<div class='post-footer'>Posted by <span itemprop='author' itemscope "
        "itemtype='https://schema.org/Person'><span itemprop='name'>Maciej Fijalkowski</span></span> "
        "at <abbr itemprop='datePublished' title='2011-10-27T05:06:00-07:00'>5:06 AM</abbr></div>"
        "</div></body>"
    )
    draft = read(page, url="http://lostinjit.blogspot.com/2011/10/pypy.html")
    assert draft.title == "PyPy and the road towards SciPy"
    assert draft.byline == "Maciej Fijalkowski"
    assert draft.date == "2011-10-27T05:06:00-07:00"


# --- titles --------------------------------------------------------------------------------


def test_section_heading_is_not_the_title() -> None:
    """A page heading its article with its section's name keeps its <title> as the title."""
    page = head("Babies Who Eat Peanuts Early May Avoid Allergy") + (
        "<body><h1>Allergies Health Center</h1><div class='article'>"
        f"<h2>Babies Who Eat Peanuts Early May Avoid Allergy</h2>{BODY}</div></body>"
    )
    assert read(page).title == "Babies Who Eat Peanuts Early May Avoid Allergy"


@pytest.mark.parametrize(
    ("title", "headings", "expected"),
    [
        ("海外留学生看两会：出国前后关注点大不同_教育频道_中国青年网", [], "海外留学生看两会：出国前后关注点大不同"),
        (
            "アプリ「フリーWi-Fiプロテクション」（CNET Japan） - Yahoo!ニュース",
            ["アプリ「フリーWi-Fiプロテクション」"],
            "アプリ「フリーWi-Fiプロテクション」",
        ),
    ],
)
def test_title_without_portal_sections_or_bracketed_source(
    title: str, headings: list[str], expected: str
) -> None:
    """A portal's "headline_section_site" keeps its headline; a heading followed by its
    source in brackets is the headline."""
    assert headline_from_title(title, headings=headings, sites=["Yahoo!ニュース"], host=None, byline=None) == expected


# --- the opening ---------------------------------------------------------------------------


def test_standfirst_the_description_repeats_is_kept() -> None:
    """A deck printed under the headline that the page's description repeats opens the text."""
    deck = "The star has achieved fame by targeting nerdy guys, who she says \"control popularity\""
    extra = f'<meta name="description" content="{deck.replace(chr(34), "&quot;")}.">'
    page = head("Queen of the Uncool", extra) + (
        f"<body><div id='storyBody'><h1>Queen of the Uncool</h1><h2>{deck}</h2>"
        f"<p class='byline'>By <a href='/bios/felix'>Felix Gillette</a></p>{BODY}</div></body>"
    )
    draft = read(page)
    assert draft.paragraphs[0] == deck
    assert draft.paragraphs[1].startswith(PROSE[:40])


def test_wire_lead_printed_outside_any_paragraph_is_kept() -> None:
    """"SAN FRANCISCO (AP) — ..." printed as bare text after a related-links box is the lead."""
    lead = (
        "SAN FRANCISCO (AP) — Steve Jobs, the mind behind the iPhone, resigned as CEO on "
        "Wednesday, saying he can no longer handle the job."
    )
    page = head("Apple says Steve Jobs resigning as CEO") + (
        "<body><h1>Apple says Steve Jobs resigning as CEO</h1><div class='yom-art-content'><div class='bd'>"
        "<p><div class='related'><h3>Related Content</h3><ul><li><a href='/v'>Video</a></li></ul></div>"
        f"{lead}</p>{BODY}</div></div></body>"
    )
    assert read(page).paragraphs[0] == lead


def test_opening_set_as_a_heading_between_standfirst_and_body_is_kept() -> None:
    """A sentence-long opening set as <h2> in the article's container is prose, not a heading
    to drop."""
    opening = (
        "The mother of a woman who took suspected diet pills bought online has described how "
        "her daughter was burning up from within moments before her death."
    )
    page = head("Student dies after diet pills") + (
        "<body><article><h1>Student dies after diet pills</h1>"
        "<p class='dek'>An inquest into the death has been adjourned until July.</p>"
        f"<div class='suplist_article'><h2>{opening}</h2><p>Police handout</p>{BODY}</div>"
        "</article></body>"
    )
    assert opening in read(page).paragraphs


def test_kicker_above_the_headline_is_not_the_article() -> None:
    """What an extractor keeps above the page's headline (a kicker, a teaser) is dropped."""
    page = head("The Hidden Heroines of Chaos") + (
        "<body><article><p>chaos theory</p><h1>The Hidden Heroines of Chaos</h1>"
        f"{BODY}</article></body>"
    )
    draft = read(page)
    assert draft.paragraphs[0].startswith(PROSE[:40])
    assert "chaos theory" not in draft.paragraphs


# --- dates ---------------------------------------------------------------------------------


def test_markup_date_agreeing_with_the_printed_dateline_wins() -> None:
    """Of two dates in the markup, the one the page prints under its headline is the date."""
    extra = (
        '<meta itemprop="datePublished" content="2015-03-12T13:11:07Z">'
        '<meta itemprop="datePublished" content="2015-03-11T19:46:14Z">'
    )
    page = head("Veteran wraps baby in flag", extra) + (
        "<body><article><h1>Veteran wraps baby in flag</h1>"
        f"<p class='byline'>By GILLIAN MOHNEY</p><p>March 11, 2015 3:46 PM</p>{BODY}</article></body>"
    )
    assert read(page).date == "2015-03-11T19:46:14Z"


def test_update_stamp_is_not_the_publication_date() -> None:
    """"Updated" above a date marks it as the update; the markup's publication date stands."""
    ld = {"@type": "NewsArticle", "headline": "The 21 best movies", "datePublished": "2017-12-15T08:50:02-05:00"}
    extra = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    page = head("The 21 best movies", extra) + (
        "<body><article><h1>The 21 best movies</h1><span>Updated</span>"
        f"<time pubdate datetime='2018-07-24'>Jul 24, 2018, 2:15pm EDT</time>{BODY}</article></body>"
    )
    assert read(page).date == "2017-12-15T08:50:02-05:00"


def test_time_element_under_the_headline_gives_the_day() -> None:
    """"1 day ago" on the screen, the day in `<time datetime>`."""
    page = head("Game launches in December") + (
        "<body><article><h1>Game launches in December</h1>"
        f"<time datetime='2016-11-15T07:00:00.000Z'>1 day ago</time>{BODY}</article></body>"
    )
    assert read(page).date == "2016-11-15T07:00:00Z"


def test_dateline_opening_the_first_paragraph() -> None:
    """"Feb. 23, 2015 -- ..." at the start of the text dates the article."""
    page = head("Babies who eat peanuts early may avoid allergy") + (
        "<body><article><h1>Babies who eat peanuts early may avoid allergy</h1>"
        f"<p>Feb. 23, 2015 -- {PROSE}</p>{BODY}</article></body>"
    )
    assert read(page).date == "2015-02-23"


@pytest.mark.parametrize(("lang", "expected"), [("en-US", "2015-03-09T08:00"), ("en-GB", "2015-09-03T08:00"), ("", None)])
def test_numeric_date_read_in_the_page_language_order(lang: str, expected: str | None) -> None:
    """3/09/15 is March 9 on an American page, 3 September on a British one, and nothing
    when the page does not say."""
    page = head("Stop buying things you do not need") + (
        "<body><article><h1>Stop buying things you do not need</h1>"
        f"<span class='published'>3/09/15 8:00am</span>{BODY}</article></body>"
    )
    assert read(page, lang=lang).date == expected


def test_dateline_with_weekday_and_update_time() -> None:
    """An Arabic dateline with its weekday and the time of the last update is the date."""
    arabic = "قال مسؤولون إن المعارضين سيطروا على مخازن للصواريخ في ريف دمشق بعد معارك استمرت أياما. "
    page = head("معارضون يسيطرون على مخازن للصواريخ") + (
        "<body><article><h1>معارضون يسيطرون على مخازن للصواريخ</h1>"
        "<div class='timestamp'>الأحد، 04 آب/اغسطس 2013، آخر تحديث 02:21 (GMT+0400)</div>"
        + "".join(f"<p>{arabic * 3}</p>" for _ in range(4))
        + "</article></body>"
    )
    assert read(page, lang="ar").date == "2013-08-04"


def test_date_in_the_title() -> None:
    """A <title> that carries the day as one of its pieces dates the page."""
    page = head("Una solución no violenta - 07.12.2017 - LA NACION") + (
        f"<body><article><h1>Una solución no violenta</h1>{BODY}</article></body>"
    )
    assert read(page, lang="es").date == "2017-12-07"


def test_date_found_only_in_a_script_is_refused() -> None:
    """A date that only a script on the page mentions is not the page's date; the same day
    in the page's URL is."""
    page = head("Nintendo's first iPhone game") + (
        "<body><script>var az = {dt: '2016-11-09T14:47:17Z'};</script><article>"
        f"<h1>Nintendo's first iPhone game</h1>{BODY}</article></body>"
    )
    assert read(page).date is None
    dated = read(page, url="https://news.example/2016/11/09/nintendo-iphone")
    assert dated.date == "2016-11-09"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("TNW中文站2016年10月14日07:17", "2016-10-14T07:17"),
        ("2013년 10월 24일", "2013-10-24"),
        ("08.04.2015 12:46", "2015-04-08T12:46"),
        ("Publié le 29/10/2012", "2012-10-29"),
        ("12/21/2018", "2018-12-21"),
        ("03/04/2024", None),
        ("الأحد، 04 آب/اغسطس 2013، آخر تحديث 02:21", "2013-08-04"),
        ("Publié le 29 octobre 2012", "2012-10-29"),
        ("4. August 2013", "2013-08-04"),
        ("4 de agosto de 2013", "2013-08-04"),
        ("version v1.2.2015", None),
    ],
)
def test_dates_written_the_ways_pages_write_them(text: str, iso: str | None) -> None:
    """Chinese, Japanese and Korean dates, months named in other languages, dotted day-first
    dates, and numeric dates whose order cannot be mistaken; an ambiguous one is no date."""
    found = find_date(text)
    assert (found.iso if found else None) == iso


def test_numeric_date_with_a_two_digit_year() -> None:
    """"10/ 5/11 09:19 PM" month first is 5 October 2011 at 21:19."""
    found = find_numeric_date("10/ 5/11 09:19 PM ET", month_first=True)
    assert found is not None and found.iso == "2011-10-05T21:19"
