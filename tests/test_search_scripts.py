"""Search in scripts whose marks are spelling (Thai, Lao, Khmer, Myanmar, the Indic scripts)
and in those whose marks a writer may leave out (Greek accents, Arabic vowel marks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.article import Article, Draft
from reader.store import Library

# Each article holds a word the query looks for and, elsewhere, the same consonants with
# other vowels: a search that drops the marks finds both.
TEXTS = {
    "thai shares": "ตลาดหุ้นไทยปิดบวกแรง นักลงทุนต่างชาติกลับมาซื้อสุทธิ",
    "thai heavy rain": "ฝนตกหนักต่อเนื่องตลอดคืน แม่น้ำเอ่อล้นตลิ่ง",
    "lao health": "ກະຊວງສາທາລະນະສຸກ ແຈ້ງວ່າ",
    "khmer ministry": "ក្រសួងសុខាភិបាល បានប្រកាស",
    "myanmar city": "ရန်ကုန်မြို့ တွင် မိုးသည်းထန်စွာ ရွာသွန်းခဲ့သည်",
    "hindi work": "सरकार ने नया काम शुरू किया",
    "hindi less": "बारिश कम हुई",
    "bengali metro": "ঢাকায় নতুন মেট্রো লাইনের কাজ শুরু",
    "greek crete": "Σεισμός ταρακούνησε την Κρήτη",
    "arabic wrote": "كَتَبَ الصحفي مقالاً عن الطاقة",
}


@pytest.fixture
def library(data_dir: Path) -> Library:
    library = Library(data_dir)
    library.add_many([Article.from_draft(Draft([text], f"{title}.txt", title=title)) for title, text in TEXTS.items()])
    return library


@pytest.mark.parametrize(
    ("query", "titles"),
    [("หุ้น", ["thai shares"]), ("หนัก", ["thai heavy rain"]), ("ສາທາລະນະສຸກ", ["lao health"]),
     ("សុខាភិបាល", ["khmer ministry"]), ("ရန်ကုန်", ["myanmar city"]), ("काम", ["hindi work"]),
     ("कम", ["hindi less"]), ("মেট্রো", ["bengali metro"]), ("Κρήτη", ["greek crete"]),
     ("κρητη", ["greek crete"]), ("كتب", ["arabic wrote"])],
)  # fmt: skip
def test_each_script_finds_its_word_and_only_it(library: Library, query: str, titles: list[str]) -> None:
    """A vowel sign or tone mark is part of the word ("หุ้น" is not "หน", "काम" is not "कम");
    a Greek accent or an Arabic vowel mark need not be typed."""
    assert sorted(hit.summary.title for hit in library.search(query)) == titles


def test_a_hit_in_an_indic_word_is_marked_whole(library: Library) -> None:
    """The snippet marks the whole word, its vowel signs included."""
    [hit] = library.search("शुरू")
    [(start, end)] = hit.marks
    assert hit.snippet[start:end] == "शुरू"
