"""Pages and texts in many languages and shapes: structure kept, language told, no English
model on other languages, and the hostile shapes of issue 9 read instead of crashing."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader import nlp
from reader.article import Article, Draft
from reader.ingest import ingest_bytes, ingest_inputs
from reader.ingest.markdown import parse_markdown
from reader.ingest.plaintext import parse_plaintext
from reader.layout import wrap
from reader.text import count_words, is_safe, reading_minutes, words_and_minutes

CHINESE = (
    "<html><head><title>港特首就违建事件道歉 - 新闻网</title>"
    '<meta property="og:site_name" content="新闻网"></head><body>'
    "<nav><a href='/'>首页</a></nav><article><h1>港特首就违建事件道歉</h1>"
    "<p>香港行政长官在各方压力下就其大宅的违章建筑问题到立法会接受质询，并向香港民众道歉。</p>"
    "<p>他在星期二的答问大会开始之际在其演说中道歉，但强调他在违章建筑问题上没有隐瞒的意图。</p>"
    "<p>泛民主派议员们普遍指责他撒谎，要求他马上辞职下台，亲北京阵营议员则欢迎他道歉。</p>"
    "</article><footer>© 2012 新闻网</footer></body></html>"
).encode()


def test_chinese_page_is_read_not_refused() -> None:
    """A Chinese page gives its article, its title without the site, its language."""
    draft = ingest_bytes(CHINESE, "zh.html", kind="html")
    assert draft.title == "港特首就违建事件道歉"
    assert draft.paragraphs[0].startswith("香港行政长官")
    assert draft.language == "zh"
    assert draft.date is None  # only a copyright year: no date


def test_words_and_reading_time_without_spaces() -> None:
    """Each Chinese or Japanese character counts as a word; reading time follows."""
    text = "日本語の長い文章です。" * 300
    assert count_words(text) == 3000
    assert reading_minutes(text) == 12  # 3,000 characters at 260 a minute
    assert count_words("two words") == 2


@pytest.mark.parametrize(
    "text",
    [
        "plain ASCII words " * 500,
        "日本語の長い文章です。" * 300,
        "กรุงเทพมหานครเป็นเมืองหลวง และเป็นนครที่มีประชากรมากที่สุด " * 40,
        "Mixed 香港行政长官 text with “curly quotes” and ภาษาไทย " * 50,
        "",
    ],
)
def test_one_pass_counts_words_and_minutes_as_the_two_do(text: str) -> None:
    assert words_and_minutes(text) == (count_words(text), reading_minutes(text))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("El presidente del gobierno anunció ayer nuevas medidas económicas para el país.", "es"),
        ("경기도 용인에 자리 잡은 민간 시험인증 전문기업이 세계 각국의 규격 시험을 한다.", "ko"),
        ("قال الرئيس إن الولايات المتحدة ستواصل دعمها للحكومة في مواجهة الأزمة الحالية", "ar"),
        ("東京で会議が開かれ、多くの人々が新しい政策について話し合いました。", "ja"),
    ],
)
def test_language_is_detected_and_stored(text: str, language: str) -> None:
    """The detected language travels from the draft to the stored article record."""
    draft = parse_plaintext(f"{text}\n\n{text}", "x.txt")
    draft.language = ingest_bytes(f"{text}\n\n{text}".encode(), "x.txt").language
    assert draft.language == language
    article = Article.from_draft(draft)
    assert Article.from_record(article.to_record()).language == language


def test_no_english_model_on_other_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a pipeline for Arabic, Arabic gets numbers only; English keeps its model."""
    monkeypatch.setattr(nlp, "_installed_for", lambda language: None)
    choice = nlp.ModelChoice(requested=nlp.RULES)
    assert choice.for_language("en") == nlp.RULES
    assert choice.for_language("ar") == nlp.NUMBERS_ONLY
    assert choice.for_language(None) == nlp.RULES


def test_numbers_only_analysis_finds_numbers_and_no_names() -> None:
    """The Arabic comma is no number; Arabic-Indic and Latin digits are; nothing is a PERSON."""
    text = "قال الرئيس، إن ١٢٣ شخصا و 45 آخرين غادروا بنسبة 5%"
    analysis = nlp.numbers_only(text)
    found = {(text[s.start : s.end], s.label) for s in analysis.numbers}
    assert found == {("١٢٣", "NUM"), ("45", "NUM"), ("5%", "PERCENT")}
    assert analysis.entities == [] and analysis.model == nlp.NUMBERS_ONLY
    article = Article.from_draft(Draft([text], "x", language="ar"))
    article.analysis = analysis
    assert article.entity_note() == "no entity model for ar"


def test_model_named_in_config_for_a_language_must_be_installed() -> None:
    """A pipeline the config names for a language is checked before anything is read."""
    with pytest.raises(nlp.ModelError, match="for language 'es'"):
        nlp.ModelChoice(requested=nlp.RULES, by_language={"es": "es_core_news_nothere"})


def test_routing_pairs_each_text_with_its_own_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts for two models come back each with its own context, none lost, none swapped."""

    def fake(items, model, **options):  # noqa: ANN001, ANN003, ANN202
        for text, context in items:
            yield nlp.Analysis(model=f"{model}:{text}", version="1"), context

    monkeypatch.setattr(nlp, "analyse_texts", fake)
    items = [(f"t{i}", "a" if i % 3 else "b", i) for i in range(100)]
    results = list(nlp.analyse_by_language(items))
    assert sorted(c for _, c in results) == list(range(100))
    for analysis, context in results:
        assert analysis.model == f"{'a' if context % 3 else 'b'}:t{context}"


ENGLISH = (
    "The harbour board met on Tuesday and agreed that the northern quay would reopen to "
    "fishing boats once the last of the storm repairs had been inspected, which the engineers "
    "said would take about three weeks, and that the ferry would return to its old timetable "
    "from the first of the month, after a winter of delays that were blamed on the weather."
)
SPANISH = (
    "Las listas de espera de la sanidad pública se agravan en toda España: 584.000 pacientes "
    "esperan una operación, un 17% más que hace un año, según los datos del ministerio, que "
    "las comunidades autónomas publicaron ayer por la tarde."
)


def test_imported_texts_are_analysed_for_their_language(data_dir: Path, tmp_path: Path) -> None:
    """A text that import adds gets its language detected and stored, and without a pipeline
    for it, numbers only: never the English pipeline."""
    from reader.importing import import_files
    from reader.store import Library

    library = Library(data_dir)
    source = tmp_path / "tasks.jsonl"
    source.write_text(json.dumps({"text": SPANISH, "spans": []}) + "\n", encoding="utf-8")
    report = import_files(library, [source], model=nlp.RULES)
    assert report.files[0].articles_added == 1
    (article_id,) = library.ids()
    article = library.get(article_id)
    assert article.language == "es"
    assert article.analysis is not None and article.analysis.model == nlp.NUMBERS_ONLY
    assert [SPANISH[n.start : n.end] for n in article.analysis.numbers] == ["584.000", "17%"]


def test_analyse_articles_routes_each_article_by_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Articles of two languages each go through their own pipeline and come back paired
    with themselves."""
    from reader.pipeline import analyse_articles

    def fake(items, model, **options):  # noqa: ANN001, ANN003, ANN202
        for _text, context in items:
            yield nlp.Analysis(model=model, version="1"), context

    monkeypatch.setattr(nlp, "analyse_texts", fake)
    english = Article.from_draft(Draft([ENGLISH], "en.txt", language="en"))
    spanish = Article.from_draft(Draft([SPANISH], "es.txt"))  # no language yet: detected
    results = list(analyse_articles([english, spanish, english], nlp.RULES, models={}))
    # In the order the analyses are ready: the Spanish one, numbers only, before the second
    # English one that the pipeline pass was still holding.
    assert [(a.model, article.language) for a, article in results] == [
        (nlp.RULES, "en"), (nlp.NUMBERS_ONLY, "es"), (nlp.RULES, "en")
    ]
    assert results[1][1] is spanish and spanish.language == "es"


def test_plain_english_is_known_without_loading_the_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    """English prose is English by its function words alone; other languages still go to
    the detector, loaded then."""
    from reader.ingest import language

    monkeypatch.setattr(language, "_identifier", None)
    assert language.detect_language([ENGLISH]) == "en"
    assert language._identifier is None
    assert language.detect_language([SPANISH]) == "es"
    assert language._identifier is not None


def test_markdown_entities_pipes_and_kinds() -> None:
    """Entities decoded, an escaped pipe kept in its cell, headings, items, quotes and rows kept."""
    draft = parse_markdown(
        "# AT&amp;T &mdash; results\n\n## Outlook\n\nRevenue rose.\n\n- first point\n- second\n\n"
        "> a quote\n\n| a | b \\| c |\n|---|---|\n| 1 | 2 |\n",
        "x.md",
    )
    assert draft.title == "AT&T — results"
    assert list(zip(draft.kinds, draft.paragraphs, strict=True)) == [
        ("heading", "Outlook"),
        ("text", "Revenue rose."),
        ("item", "first point"),
        ("item", "second"),
        ("quote", "a quote"),
        ("row", "a | b | c"),
        ("row", "1 | 2"),
    ]
    article = Article.from_draft(draft)
    assert Article.from_record(article.to_record()).kinds == article.kinds


def test_plain_articles_keep_their_old_record_shape() -> None:
    """An article of plain paragraphs stores no kinds, so old stores and new read alike."""
    article = Article.from_draft(Draft(["One paragraph.", "Two."], "x"))
    assert "kinds" not in article.to_record()
    assert article.paragraph_kinds() == ["text", "text"]


def test_text_dump_bullets_and_dateline() -> None:
    """A time without a date is no title; "Name, Place — date" is a byline and a date."""
    draft = parse_plaintext(
        "Last update: 12:04 GMT\n\nTyphoon Closes Schools Across the Capital Region\n\n"
        "Kenji Watanabe, Tokyo — 3 April 2025\n\n"
        "Schools across the capital region closed on Thursday as the typhoon came, officials said.\n\n"
        "- Trains were suspended\n- Flights were cancelled\n",
        "x.txt",
    )
    assert draft.title == "Typhoon Closes Schools Across the Capital Region"
    assert (draft.byline, draft.date) == ("Kenji Watanabe", "2025-04-03")
    assert draft.kinds == ["text", "item", "item"]
    assert draft.paragraphs[1] == "Trains were suspended"


def test_html_kinds_from_the_page() -> None:
    """Subheadings, list items and quotes of a page keep their kinds."""
    body = (
        "<article><h1>Harbour Reopens After Storm Repairs</h1>"
        "<p>The harbour reopened on Monday after three weeks of repairs to the storm wall.</p>"
        "<h2>What changed</h2><ul><li>A higher wall</li><li>New lights on the pier</li></ul>"
        "<blockquote><p>We are open for business again, said the harbour master.</p></blockquote>"
        "<p>Boats were back in the water by noon, and the ferry ran on time.</p></article>"
    )
    draft = ingest_bytes(f"<html><body>{body}</body></html>".encode(), "h.html", kind="html")
    kinds = dict(zip(draft.paragraphs, draft.kinds, strict=True))
    assert kinds["What changed"] == "heading"
    assert kinds["A higher wall"] == "item"
    assert kinds["We are open for business again, said the harbour master."] == "quote"


def test_layout_draws_bullets_and_bars_within_the_width() -> None:
    """A list item's first line has a bullet, the rest an indent; no line is wider than asked."""
    text = "Intro.\n\n" + "word " * 20 + "end\n\nquoted words here"
    text = text.replace(" \n", "\n")
    paragraphs = [(0, 6), (8, 8 + len("word " * 20 + "end")), (text.rindex("quoted"), len(text))]
    lines = wrap(text, paragraphs, 30, ["text", "item", "quote"])
    items = [line for line in lines if line.paragraph == 1]
    assert items[0].prefix == "• " and all(line.prefix == "  " for line in items[1:])
    assert all(len(line.prefix) + len(text[line.start : line.end].rstrip()) <= 30 for line in lines)
    assert [line.prefix for line in lines if line.paragraph == 2] == ["▌ "]


# ---- the hostile shapes (issue 9) ---------------------------------------------------------


def test_utf16_page_without_bom_is_decoded() -> None:
    """A page in UTF-16 without a byte-order mark, declaring utf-16, is read."""
    page = (
        '<html><head><meta charset="utf-16"><title>Wide Page Title Here</title></head><body><article>'
        "<p>This page is written in UTF-16 without any byte order mark, and it is an article.</p>"
        "<p>A second paragraph with another sentence, so the page reads as prose.</p>"
        "</article></body></html>"
    )
    for codec in ("utf-16-le", "utf-16-be"):
        draft = ingest_bytes(page.encode(codec), "w.html", kind="html")
        assert draft.title == "Wide Page Title Here"
        assert draft.paragraphs[0].startswith("This page is written in UTF-16")


def test_html_nested_five_thousand_deep_is_read() -> None:
    """An article inside 5,000 nested divs is found, without a RecursionError."""
    article = (
        "<article><h1>Deep Page Headline</h1>"
        "<p>The article sits at the bottom of five thousand nested boxes, and it is still read.</p>"
        "<p>Its second paragraph is here as well, with a full stop at the end.</p></article>"
    )
    page = "<html><body>" + "<div>" * 5000 + article + "</div>" * 5000 + "</body></html>"
    draft = ingest_bytes(page.encode(), "deep.html", kind="html")
    assert draft.paragraphs[0].startswith("The article sits at the bottom")


def test_flattening_a_deep_page_takes_memory_of_the_page_not_of_its_depth() -> None:
    """Flattening 20,000 nested divs kept a stack entry per open tag and a piece per gap:
    eleven times the page in memory (a million divs took 180 MB). Runs of the same tag
    are one entry now, so the depth costs nothing beside the page itself."""
    import tracemalloc

    from reader.ingest.html import MAX_DEPTH, flatten_deep_nesting

    page = "<html><body>" + "<div>" * 20_000 + "<p>Deep words.</p>" + "</div>" * 20_000 + "</body></html>"
    tracemalloc.start()
    try:
        flat = flatten_deep_nesting(page)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert flat.count("<div>") == flat.count("</div>") == MAX_DEPTH - 2
    assert "<p>Deep words.</p>" in flat
    assert peak < len(page) // 4


def test_lone_surrogate_in_json_ld_loses_no_other_input(tmp_path: Path) -> None:
    """A JSON-LD headline with a lone surrogate: the page stores cleaned, the other file too."""
    good = tmp_path / "good.txt"
    good.write_text("A Good Title For The Text\n\nThe text of a good article, with a sentence.\n")
    ld = '{"@type": "NewsArticle", "headline": "Bad \\ud800 headline"}'
    page = tmp_path / "page.html"
    page.write_text(
        f'<html><head><script type="application/ld+json">{ld}</script></head><body><article>'
        "<p>The body of the page with the bad headline, long enough to be an article.</p>"
        "<p>And a second paragraph that ends the way prose ends.</p></article></body></html>"
    )
    results = list(ingest_inputs([str(good), str(page)]))
    assert [r.error for r in results] == [None, None]
    assert results[1].draft is not None and results[1].draft.title == "Bad headline"
    assert all(is_safe(str(value)) for r in results for value in vars_of(r.draft))
    json.dumps([r.draft.title for r in results], ensure_ascii=False).encode("utf-8")


def vars_of(draft: Draft | None) -> list[object]:
    """Every string field of a draft."""
    assert draft is not None
    return [draft.title, draft.byline, draft.date, draft.site, draft.url, draft.source, *draft.paragraphs]


@pytest.fixture
def deep_folder() -> Iterator[Path]:
    """A folder holding a chain of 1,000 nested folders with one story at the bottom.

    It lives outside pytest's temporary directory and is removed here, iteratively, whatever
    happens: pytest removes old runs recursively and fails on a tree this deep, so a tree
    left in its directory would break every later test session on the machine.
    """
    folder = Path(tempfile.mkdtemp(prefix="reader-deep-"))
    cwd = os.getcwd()
    try:
        # Relative steps from the working directory: the full path would pass PATH_MAX.
        os.chdir(folder)
        for _ in range(1000):
            os.mkdir("d")
            os.chdir("d")
        Path("story.txt").write_text("Deep Story Title Goes Here\n\nThe story at the bottom of the tree.\n")
        os.chdir(cwd)
        yield folder
    finally:
        os.chdir(cwd)
        if folder.exists():
            remove_tree(folder)


def remove_tree(top: Path) -> None:
    """Remove a folder and everything in it, deepest first, without recursion and with
    relative paths (a deep tree's full paths pass PATH_MAX)."""
    cwd = os.getcwd()
    names: list[str] = []
    try:
        os.chdir(top)
        while True:
            entries = list(os.scandir("."))
            folders = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
            if folders:
                os.chdir(folders[0])
                names.append(folders[0])
                continue
            for entry in entries:
                os.remove(entry.name)
            if not names:
                break
            os.chdir("..")
            os.rmdir(names.pop())
    finally:
        os.chdir(cwd)
    os.rmdir(top)


@pytest.mark.slow(reason="walks a folder tree a thousand deep: seconds of path lookups")
def test_folder_a_thousand_deep_is_ingested(deep_folder: Path) -> None:
    """A folder nested 1,000 deep is walked without a RecursionError."""
    results = list(ingest_inputs([str(deep_folder)]))
    assert len(results) == 1
    assert results[0].error is None and results[0].draft is not None
    assert results[0].draft.title == "Deep Story Title Goes Here"


def test_remove_tree_removes_a_deep_chain(deep_folder: Path) -> None:
    """The fixture's remover leaves nothing of a 1,000-deep tree behind."""
    remove_tree(deep_folder)
    assert not deep_folder.exists()
