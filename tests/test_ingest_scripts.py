"""Pages written for these tests in scripts and calendars the shared corpus lacks: each is
read (never refused), with its title, byline and date, and no date the page does not state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader import nlp
from reader.ingest import ingest_bytes
from reader.ingest.credits import clean_byline, headline_from_title
from reader.ingest.dates import find_date, find_numeric_date
from reader.text import ends_sentence

PAGES = Path(__file__).parent / "pages"

# What each page states, written with the pages: title, byline, date (null: the page states
# no Gregorian date), the opening of the first paragraph, the language (also read by
# `python -m bench.extraction`).
EXPECTED = [
    (row["page"], row["title"], row["byline"], row["date"], row["first"], row["language"])
    for row in json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
]


@pytest.mark.parametrize(
    ("page", "title", "byline", "date", "opening", "language"), EXPECTED, ids=[row[0] for row in EXPECTED]
)
def test_page_in_another_script(
    page: str, title: str, byline: str | None, date: str | None, opening: str, language: str
) -> None:
    """Title without the site, byline without its "By" or role, the stated date or none,
    the body from its first paragraph, and the language."""
    draft = ingest_bytes((PAGES / page).read_bytes(), page)
    assert (draft.title, draft.byline, draft.date) == (title, byline, date)
    assert draft.paragraphs[0].startswith(opening)
    assert draft.language == language


@pytest.mark.parametrize(
    ("page", "last"),
    [("ko.html", "시민단체는 물가 상승으로"), ("id.html", "Pemerintah berjanji"), ("ar.html", "ويأمل المغرب")],
)
def test_story_ends_before_its_sign_off_and_read_also_links(page: str, last: str) -> None:
    """A reporter's sign-off ("김민수 기자 minsu@example.kr") and a "Read also:" link in
    another language ("Baca juga:") are no part of the story."""
    draft = ingest_bytes((PAGES / page).read_bytes(), page)
    assert draft.paragraphs[-1].startswith(last)


@pytest.mark.parametrize(
    "text",
    ["२५ दिसंबर २०२४ को", "ডিসেম্বর ২৫, ২০২৪", "٢٥ ديسمبر ٢٠٢٤", "25 декабря 2024 года",
     "25 грудня 2024", "25 Δεκεμβρίου 2024", "25 Aralık 2024", "25 Desember 2024", "Desemba 25, 2024",
     "25 בדצמבר 2024", "25 دسامبر 2024"],
)  # fmt: skip
def test_month_names_and_digits_of_other_scripts(text: str) -> None:
    """Gregorian months named in other languages, in any script's digits."""
    assert find_date(text).iso == "2024-12-25"


@pytest.mark.parametrize(
    "text", ["25/03/2568", "25.03.2568", "2568-03-25", "1446/09/12", "۱۴۰۳/۱۱/۲۲", "١٥ رمضان ١٤٤٦", "12 March 2568"]
)
def test_years_of_other_calendars_are_no_date(text: str) -> None:
    """A Buddhist, Hijri or Solar Hijri year is not read as a Gregorian one."""
    assert find_date(text) is None
    assert find_numeric_date(text, month_first=False) is None


@pytest.mark.parametrize(
    ("text", "ends"),
    [("यह एक वाक्य है।", True), ("এটি একটি বাক্য।", True), ("هل هذا سؤال؟", True), ("这是一句话！", True),
     ("ฝนที่ตกหนักต่อเนื่องตลอดคืนวันเสาร์ทำให้แม่น้ำปิงเอ่อล้นตลิ่งเข้าท่วมพื้นที่", True), ("หน้าแรก", False),
     ("Home", False), ("«Цитата.»", True)],
)  # fmt: skip
def test_sentence_ends_in_every_script(text: str, ends: bool) -> None:
    """The danda, the Arabic question mark and full-width stops end sentences; a long run of
    Thai is prose though Thai marks no sentence end; a menu word is no sentence."""
    assert ends_sentence(text) is ends


@pytest.mark.parametrize(
    ("byline", "name"),
    [("Автор: Иван Петров", "Иван Петров"), ("लेखक: राकेश कुमार, वरिष्ठ संवाददाता", "राकेश कुमार"), ("김민수 기자", "김민수"),
     ("記者陳怡君／台北報導", "陳怡君"), ("מאת דנה לוי", "דנה לוי"), ("بقلم: خالد المنصوري", "خالد المنصوري"),
     ("Na Li", "Na Li"), ("文／王小明", "王小明"), ("文：佐藤花子", "佐藤花子"), ("글 김민수", "김민수"),
     ("Текст: Иван Петров", "Иван Петров"), ("ANA DE ARMAS", "Ana de Armas"),
     ("นักวิเคราะห์ระบุว่าแรงซื้อมาจากกลุ่มธนาคาร", None)],
)  # fmt: skip
def test_bylines_in_other_scripts(byline: str, name: str | None) -> None:
    """"By" and job titles in other languages go; a name in a script without capitals is a
    name, a long phrase in one is not; a surname that is a "by" elsewhere stays."""
    assert clean_byline(byline) == name


@pytest.mark.parametrize(
    ("text", "language"),
    [("ข่าวด่วน\n\nฝนตกหนัก", "th"), ("Срочно\n\nМост открыт", "ru"), ("दिल्ली में बारिश", "hi"),
     ("הרכבת הקלה", "he"), ("서울 지하철", "ko"), ("Σεισμός στην Κρήτη", "el")],
)  # fmt: skip
def test_short_text_in_another_script_never_goes_to_the_english_model(
    text: str, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too short for a confident answer, but plainly not English: the detector's best guess
    is kept, and without a pipeline for it the article gets numbers only."""
    draft = ingest_bytes(text.encode(), "short.txt")
    assert draft.language == language
    monkeypatch.setattr(nlp, "_installed_for", lambda language: None)
    assert nlp.ModelChoice(requested=nlp.RULES).for_language(draft.language) == nlp.NUMBERS_ONLY


@pytest.mark.parametrize(
    ("title", "site"),
    [("大阪で新しい水族館が開業｜関西ニュース", "関西ニュース"), ("大阪で新しい水族館が開業 － 関西ニュース", "関西ニュース"),
     ("Новый мост через Обь открыт « Новости Сибири", "Новости Сибири")],
)  # fmt: skip
def test_site_names_after_full_width_and_other_separators(title: str, site: str) -> None:
    """A full-width bar without spaces, a full-width hyphen, and "«" set the site's name apart."""
    assert headline_from_title(title, headings=[], sites=[site], host=None, byline=None) == title.split(site)[0].rstrip(" ｜－«")


@pytest.mark.parametrize(
    ("text", "iso"),
    [("14 ก.ย. 2568", "2025-09-14"), ("25 มีนาคม 2568", "2025-03-25"),
     ("วันที่ 25 มี.ค. พ.ศ. 2568 16:45 น.", "2025-03-25T16:45"), ("12 มีนาคม 2025", "2025-03-12")],
)  # fmt: skip
def test_thai_dates_in_the_buddhist_era(text: str, iso: str) -> None:
    """A Thai month named with a Buddhist-era year is that year less 543."""
    assert find_date(text).iso == iso


def test_norwegian_goes_to_the_pipeline_spacy_names_nb(monkeypatch: pytest.MonkeyPatch) -> None:
    """The detector says "no" for Norwegian; spaCy's Norwegian pipelines are "nb"."""
    monkeypatch.setattr(nlp, "_installed_for", lambda language: "nb_core_news_sm" if language == "nb" else None)
    assert nlp.ModelChoice(requested=nlp.RULES).for_language("no") == "nb_core_news_sm"
    assert nlp.ModelChoice(requested=nlp.RULES, by_language={"nb": nlp.RULES}).for_language("no") == nlp.RULES


@pytest.mark.parametrize(
    ("dump", "byline", "date"),
    [("הרכבת הקלה תפעל בלילות\n\nמאת דנה לוי, ירושלים — 4 במרץ 2025\n\n", "דנה לוי", "2025-03-04"),
     ("Trains run all night\n\nBy Jane Doe, Tokyo — 3 April 2025\n\n", "Jane Doe", "2025-04-03"),
     ("Trains run all night\n\nBy Jane Doe, John Smith — 3 April 2025\n\n", "Jane Doe, John Smith", "2025-04-03"),
     ("大阪で新しい水族館が開業\n\n2025年4月12日 18時05分\n\n", None, "2025-04-12T18:05"),
     ("서울 지하철 요금 인상\n\n2025년 3월 11일 14시 20분\n\n", None, "2025-03-11T14:20")],
)  # fmt: skip
def test_dump_headers_in_other_scripts(dump: str, byline: str | None, date: str) -> None:
    """A dateline's place after the byline's name is no co-author; a time written with 時分
    or 시분 belongs to the date."""
    text = dump + "The story itself begins here and goes on for a while, as stories do.\n"
    draft = ingest_bytes(text.encode(), "dump.txt")
    assert (draft.byline, draft.date) == (byline, date)
    assert draft.paragraphs[0].startswith("The story itself")
