"""The catalog: built from the files, kept in step with them, repaired, searched and counted."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.article import Analysis, Article, Draft, Span
from reader.catalog import SORT_KEYS, View, fold
from reader.store import ArticleGone, Library, StoreError
from reader.text import word_spans
from tests.conftest import SPAWNS_PROCESSES


def make(paragraphs: list[str], *, title: str = "Title", entities: list[tuple[str, str]] = (), **meta: str) -> Article:
    """An article with hand-made entities: (surface text, label), found in the text."""
    article = Article.from_draft(Draft(list(paragraphs), meta.pop("source", "test.txt"), title=title, **meta))
    spans = []
    for surface, label in entities:
        start = 0
        while (found := article.text.find(surface, start)) >= 0:
            spans.append(Span(found, found + len(surface), label))
            start = found + 1
    article.analysis = Analysis("hand", "1", entities=spans, tokens=[i for s in word_spans(article.text) for i in s])
    return article


@pytest.fixture
def library(data_dir: Path) -> Library:
    return Library(data_dir)


def at(article: Article, surface: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = article.text.find(surface, start + 1)
    return start, start + len(surface)


# -- migration from the index of earlier releases ------------------------------------------------


def write_legacy_store(root: Path, articles: list[Article], states: dict[str, dict]) -> None:
    """A data dir as the release before the catalog wrote it: a library.json index and files."""
    (root / "articles").mkdir(parents=True)
    (root / "annotations").mkdir()
    records = {}
    for n, article in enumerate(articles, 1):
        article.ingested_at = f"2024-01-0{n}T00:00:00+00:00"
        envelope = {"reader": {"schema": 1, "kind": "article"}, "tables": {"article": {"1": article.to_record()}}}
        (root / "articles" / f"{article.id}.json").write_text(json.dumps(envelope))
        records[str(n)] = {"id": article.id, "title": article.title, "annotations": 0, "opened": False}
    for article_id, tables in states.items():
        envelope = {"reader": {"schema": 1, "kind": "annotations"}, "tables": tables}
        (root / "annotations" / f"{article_id}.json").write_text(json.dumps(envelope))
    index = {"reader": {"schema": 1, "kind": "library"}, "tables": {"articles": records}}
    (root / "library.json").write_text(json.dumps(index))


def test_a_store_of_the_previous_release_is_migrated_on_first_open(data_dir: Path) -> None:
    first = make(["Emomali Rahmon met officials in Dushanbe."], title="One", entities=[("Emomali Rahmon", "PERSON")])
    second = make(["Moscow is large."], title="Two", entities=[("Moscow", "GPE")])
    start, end = at(first, "Dushanbe")
    write_legacy_store(
        data_dir,
        [first, second],
        {
            first.id: {
                "annotations": {"1": {"id": "00000001", "start": start, "end": end, "label": "GPE", "source": "manual", "created": ""}},
                "state": {"1": {"position": 12, "opened": True}},
            }
        },
    )
    library = Library(data_dir)
    rows = {s.id: s for s in library.summaries()}
    assert set(rows) == {first.id, second.id}
    assert rows[first.id].annotations == 1 and rows[first.id].position == 12
    assert rows[first.id].read is True  # the old "opened" meant read
    assert rows[second.id].read is False
    assert [s.id for s in library.summaries()] == [second.id, first.id]  # newest first
    assert not (data_dir / "library.json").exists()
    facts = library.catalog_facts()
    assert facts["store_layout"] == "2" and facts["built_at"]
    assert library.check().problems == []
    assert [e.text for e in library.entities(label="PERSON")] == ["Emomali Rahmon"]


# -- full-text search -----------------------------------------------------------------------------

NEWS = [
    ("Moscow attack", ["Gunmen attacked the Crocus City Hall near Moscow.", "Officials in Dushanbe condemned it."]),
    ("Tajik pledge", ["Tajikistan President Emomali Rahmon pledged cooperation.", "Terrorism was the subject."]),
    ("Zürich bank", ["A bank in Zürich reported record profits.", "Analysts were surprised by the terrorists' absence."]),
    ("東京の天気", ["東京都では明日雨が降る見込みです。", "気象庁が発表しました。"]),
    ("Seoul", ["서울에서 회의가 열렸다.", "대통령이 참석했다."]),
]


@pytest.fixture
def news(library: Library) -> dict[str, Article]:
    made = {title: make(paragraphs, title=title) for title, paragraphs in NEWS}
    library.add_many(list(made.values()))
    return made


def found(library: Library, query: str, **kwargs: str) -> list[str]:
    return [f.summary.title for f in library.search(query, **kwargs)]


def test_words_phrases_prefixes_and_or(library: Library, news: dict[str, Article]) -> None:
    assert found(library, "moscow") == ["Moscow attack"]
    assert found(library, "crocus hall") == ["Moscow attack"]  # every word, anywhere
    assert found(library, '"crocus city hall"') == ["Moscow attack"]
    assert found(library, '"hall crocus"') == []  # a phrase keeps its order
    assert set(found(library, "terror*")) == {"Tajik pledge", "Zürich bank"}
    assert set(found(library, "dushanbe OR zürich")) == {"Moscow attack", "Zürich bank"}
    assert found(library, "zurich") == ["Zürich bank"]  # diacritics do not matter


def test_scripts_without_spaces_are_found_by_any_word(library: Library, news: dict[str, Article]) -> None:
    assert found(library, "東京") == ["東京の天気"]
    assert found(library, "気象庁") == ["東京の天気"]
    assert found(library, "서울") == ["Seoul"]  # inside 서울에서
    assert found(library, "대통령") == ["Seoul"]


def test_a_hit_comes_with_a_snippet_and_the_offset_of_the_first_match(library: Library, news: dict[str, Article]) -> None:
    [hit] = library.search("Dushanbe")
    text = news["Moscow attack"].text
    assert hit.offset == text.index("Dushanbe")
    assert "Dushanbe" in hit.snippet and "\n" not in hit.snippet
    start, end = hit.marks[0]
    assert hit.snippet[start:end] == "Dushanbe"


def test_a_title_match_ranks_first(library: Library) -> None:
    body = make(["The election is next week. Nothing else to say."], title="Weather")
    title = make(["Nothing here but words and more words."], title="Election results")
    library.add_many([body, title])
    assert found(library, "election") == ["Election results", "Weather"]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ('"unclosed phrase', []),
        ("NEAR(moscow gunmen)", ["Moscow attack"]),  # FTS5 syntax is just words: "near moscow"
        ("moscow AND", []),
        ("-moscow", ["Moscow attack"]),
        ("^moscow", ["Moscow attack"]),
        ("(moscow OR", ["Moscow attack"]),
        ("title:moscow", []),
        ("moscow''s", []),
        ("\x00moscow", ["Moscow attack"]),
        ("🙂 moscow", ["Moscow attack"]),
    ],
)
def test_no_query_is_a_syntax_error(library: Library, news: dict[str, Article], query: str, titles: list[str]) -> None:
    assert found(library, query) == titles


@pytest.mark.parametrize("query", ['"', "*", "OR", " ", '"" *', "🙂"])
def test_a_query_without_words_is_refused(library: Library, query: str) -> None:
    with pytest.raises(ValueError, match="no word"):
        library.search(query)


WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=1, max_size=8),
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2),
)
def test_search_finds_exactly_what_a_scan_finds(tmp_path_factory: pytest.TempPathFactory, texts: list[list[str]], query: list[str]) -> None:
    """Differential: the index against the obvious scan of every text."""
    library = Library(tmp_path_factory.mktemp("lib"))
    articles = [make([" ".join(words) + f" n{i}."], title=f"t{i}") for i, words in enumerate(texts)]
    library.add_many(articles)
    expected = {a.title for a in articles if all(q in a.text.split() for q in query)}
    assert {f.summary.title for f in library.search(" ".join(query), limit=100)} == expected
    assert library.search_count(" ".join(query)) == len(expected)


def test_search_narrows_to_an_entity_and_a_label(library: Library) -> None:
    one = make(["Rahmon spoke about terrorism in Moscow."], title="One", entities=[("Rahmon", "PERSON")])
    two = make(["Terrorism in Moscow, said nobody."], title="Two", entities=[("Moscow", "GPE")])
    library.add_many([one, two])
    assert set(found(library, "terrorism")) == {"One", "Two"}
    assert found(library, "terrorism", entity="rahmon") == ["One"]
    assert found(library, "terrorism", label="GPE") == ["Two"]
    assert found(library, "terrorism", entity="Rahmon", label="GPE") == []


def test_articles_containing_checks_the_exact_text(library: Library) -> None:
    one = make(["The White House said so."], title="One")
    two = make(["A white house by the sea."], title="Two")
    library.add_many([one, two])
    assert library.articles_containing("White House") == [one.id]
    assert library.articles_containing("   ") == []


# -- entities across the library ------------------------------------------------------------------


def test_entities_merge_model_and_annotations_and_follow_every_change(library: Library) -> None:
    one = make(["Rahmon met Putin. Rahmon left."], title="One", entities=[("Rahmon", "PERSON"), ("Putin", "PERSON")])
    two = make(["RAHMON  spoke."], title="Two", entities=[("RAHMON", "PERSON")])
    library.add_many([one, two])

    def counts(label: str | None = "PERSON") -> dict[str, tuple[int, int]]:
        return {fold(e.text): (e.articles, e.mentions) for e in library.entities(label=label)}

    assert counts() == {"rahmon": (2, 3), "putin": (1, 1)}
    # Accepting a model entity is the same mention, not a second one.
    library.add_annotation(one.id, *at(one, "Putin"), "PERSON", "model")
    assert counts() == {"rahmon": (2, 3), "putin": (1, 1)}
    # Rejecting one removes it; relabelling an annotation moves it.
    library.reject(one.id, *at(one, "Rahmon", 1), "PERSON")
    assert counts() == {"rahmon": (2, 2), "putin": (1, 1)}
    [accepted] = library.annotations(one.id)
    library.relabel_annotation(one.id, accepted.id, "ORG")
    assert counts() == {"rahmon": (2, 2), "putin": (1, 1)}  # the model's PERSON is still there
    assert counts("ORG") == {"putin": (1, 1)}
    library.remove(two.id)
    assert counts() == {"rahmon": (1, 1), "putin": (1, 1)}
    one.analysis = Analysis("hand", "2", entities=[], tokens=one.analysis.tokens)
    library.save_analyses([one])
    assert counts() == {}
    assert counts("ORG") == {"putin": (1, 1)}
    assert library.check().problems == []


def test_the_articles_that_mention_an_entity_with_the_first_offset(library: Library) -> None:
    one = make(["Putin and Rahmon. Rahmon again."], title="One", entities=[("Rahmon", "PERSON")])
    two = make(["Only once: Rahmon."], title="Two", entities=[("Rahmon", "PERSON")])
    library.add_many([one, two])
    mentioned = library.mentioned_in("rahmon", "PERSON")
    assert [(m.summary.title, m.mentions) for m in mentioned] == [("One", 2), ("Two", 1)]
    assert mentioned[0].first == one.text.index("Rahmon")
    assert library.mentioned_in("Rahmon", "GPE") == []


# -- writes stay in step with the files; a kill between the two is repaired ------------------------


def test_a_kill_between_the_file_and_the_catalog_is_repaired_at_the_next_open(
    library: Library, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = make(["Emomali Rahmon in Dushanbe."], entities=[("Emomali Rahmon", "PERSON")])
    library.add(article)

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed")  # nothing after the file write runs, as with kill -9

    monkeypatch.setattr("reader.catalog.Catalog.put_state", killed)
    with pytest.raises(SystemExit):
        library.add_annotation(article.id, *at(article, "Dushanbe"), "GPE")
    monkeypatch.undo()
    fresh = Library(data_dir)
    assert fresh.check().problems[0].startswith("1 article(s) marked as being written")
    [row] = fresh.summaries()  # the open repairs it
    assert row.annotations == 1 and row.status == "in_progress"
    assert fresh.check().problems == []


def test_article_files_added_or_removed_behind_its_back_are_noticed_at_open(data_dir: Path, tmp_path: Path) -> None:
    library = Library(data_dir)
    kept, dropped = make(["Kept article."]), make(["Dropped article."])
    library.add_many([kept, dropped])
    other = Library(tmp_path / "other")
    stray = make(["An article copied in by hand."])
    other.add(stray)
    shutil.copy(other.articles_dir / f"{stray.id}.json", data_dir / "articles")
    (data_dir / "articles" / f"{dropped.id}.json").unlink()
    assert set(Library(data_dir).ids()) == {kept.id, stray.id}


def test_check_finds_each_kind_of_disagreement_and_repair_fixes_them(library: Library, data_dir: Path) -> None:
    one, two, three = (make([f"Article {n} about Paris."], entities=[("Paris", "GPE")]) for n in ("one", "two", "three"))
    library.add_many([one, two, three])
    library.add_annotation(one.id, *at(one, "Paris"), "GPE")
    library.set_position(two.id, 3)
    assert library.check().ok
    # An annotation file edited by hand, an article file deleted by hand, an orphan annotation file.
    path = data_dir / "annotations" / f"{one.id}.json"
    data = json.loads(path.read_text())
    data["tables"]["annotations"] = {}
    path.write_text(json.dumps(data))
    (data_dir / "articles" / f"{two.id}.json").unlink()
    shutil.copy(path, data_dir / "annotations" / "0123456789abcdef.json")
    report = Library(data_dir).check()
    text = "\n".join(report.problems)
    assert f"{one.id}: the catalog's annotations" in text
    assert f"{two.id}: in the catalog but its article file is gone" in text
    assert "0123456789abcdef.json: annotations of an article not in the library" in text
    assert not report.ok
    repaired = Library(data_dir)
    assert repaired.repair() == []
    assert repaired.check().problems == []
    assert {s.id: s.annotations for s in repaired.summaries()} == {one.id: 0, three.id: 0}
    assert not (data_dir / "annotations" / "0123456789abcdef.json").exists()
    assert repaired.search("paris") and {f.summary.id for f in repaired.search("paris")} == {one.id, three.id}


# -- removal stays removed --------------------------------------------------------------------------


def test_a_removed_article_is_never_written_again_by_another_copy(data_dir: Path) -> None:
    app = Library(data_dir)  # a running app, say, with the article open
    article = make(["Emomali Rahmon in Dushanbe."], entities=[("Emomali Rahmon", "PERSON")])
    app.add(article)
    app.add_annotation(article.id, *at(article, "Dushanbe"), "GPE")
    Library(data_dir).remove(article.id)  # the command line, meanwhile
    for write in (
        lambda: app.add_annotation(article.id, *at(article, "Emomali"), "PERSON"),
        lambda: app.set_position(article.id, 5),
        lambda: app.reject(article.id, *at(article, "Emomali Rahmon"), "PERSON"),
        lambda: app.set_status(article.id, "done"),
    ):
        with pytest.raises(ArticleGone):
            write()
    assert app.save_analyses([article]) == [article.id]
    assert not list(data_dir.glob("*/*.json"))
    assert app.ids() == [] and app.search("Dushanbe") == []
    assert app.entities() == []
    # Ingested again, it starts clean.
    assert app.add(make(["Emomali Rahmon in Dushanbe."])) is True
    assert app.annotations(article.id) == []
    assert app.summary(article.id).status == "new"


def test_an_annotation_file_left_by_a_removed_copy_does_not_come_back(library: Library, data_dir: Path) -> None:
    article = make(["Emomali Rahmon in Dushanbe."])
    library.add(article)
    library.add_annotation(article.id, *at(article, "Dushanbe"), "GPE")
    saved = (data_dir / "annotations" / f"{article.id}.json").read_bytes()
    library.remove(article.id)
    (data_dir / "annotations" / f"{article.id}.json").write_bytes(saved)  # as a kill mid-remove leaves it
    library.add(make(["Emomali Rahmon in Dushanbe."]))
    assert library.annotations(article.id) == []


# -- one span, one annotation; review status; reading state -------------------------------------


def test_the_same_span_and_label_is_stored_once(data_dir: Path) -> None:
    article = make(["Emomali Rahmon in Dushanbe."])
    first, second = Library(data_dir), Library(data_dir)  # two running copies
    first.add(article)
    span = at(article, "Dushanbe")
    a = first.add_annotation(article.id, *span, "GPE")
    b = second.add_annotation(article.id, *span, "GPE")
    assert a == b
    assert second.add_annotations(article.id, [(*span, "GPE", "model"), (*span, "LOC", "manual"), (*span, "LOC", "manual")]) != []
    assert sorted(x.label for x in first.annotations(article.id)) == ["GPE", "LOC"]
    assert first.summary(article.id).annotations == 2


def test_two_rejections_in_one_article_sort_and_load(library: Library) -> None:
    article = make(["Emomali Rahmon met Putin."], entities=[("Emomali Rahmon", "PERSON"), ("Putin", "PERSON")])
    library.add(article)
    library.reject(article.id, *at(article, "Putin"), "PERSON")
    library.reject(article.id, *at(article, "Emomali Rahmon"), "PERSON")
    assert [r.start for r in library.rejections(article.id)] == [0, article.text.index("Putin")]
    assert library.entities() == []


def test_the_first_change_sets_a_new_article_in_progress(library: Library) -> None:
    article = make(["Emomali Rahmon in Dushanbe."], entities=[("Dushanbe", "GPE")])
    library.add(article)
    library.set_position(article.id, 4)
    assert library.summary(article.id).status == "new"  # reading is not reviewing
    library.reject(article.id, *at(article, "Dushanbe"), "GPE")
    assert library.summary(article.id).status == "in_progress"
    library.set_status(article.id, "done")
    library.add_annotation(article.id, *at(article, "Emomali"), "PERSON")
    assert library.summary(article.id).status == "done"  # a done article stays done
    assert library.review_counts() == {"new": 0, "in_progress": 0, "done": 1, "ignored": 0}


def test_next_to_review_follows_the_order_and_wraps(library: Library) -> None:
    articles = [make([f"Article {n}."], title=f"T{n}") for n in range(4)]
    for n, article in enumerate(articles):
        article.ingested_at = f"2024-01-0{n + 1}T00:00:00+00:00"
    library.add_many(articles)
    newest = [a.id for a in reversed(articles)]  # T3, T2, T1, T0
    library.set_status(newest[1], "done")
    library.set_status(newest[3], "ignored")
    assert library.next_to_review(newest[0]) == newest[2]
    assert library.next_to_review(newest[2]) == newest[0]  # wraps round
    library.set_status(newest[0], "done")
    assert library.next_to_review(newest[2]) is None
    assert library.next_to_review() == newest[2]


def test_continue_reading_is_the_last_article_left_unfinished(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = make(["First article."]), make(["Second article."])
    library.add_many([a, b])
    assert library.continue_reading() is None
    times = iter(["2024-01-01T10:00:00+00:00", "2024-01-01T11:00:00+00:00"])
    monkeypatch.setattr("reader.store.now", lambda: next(times))
    library.set_position(a.id, 3)
    library.set_position(b.id, 5)
    assert library.continue_reading().id == b.id
    library.set_read(b.id)
    assert library.continue_reading().id == a.id


# -- the library's views against an obvious sort of every row ---------------------------------------


def test_every_sort_filter_and_page_agrees_with_sorting_in_python(library: Library) -> None:
    rng = random.Random(7)
    sites = ["apnews.com", "bbc.co.uk", None]
    articles = []
    for n in range(60):
        article = make([f"Story {n} in Paris."], title=rng.choice(["alpha", "Beta", "gamma", None]) and f"{rng.choice('abcXYZ')} story {n}",
                       entities=[("Paris", "GPE")], site=rng.choice(sites) or "", date=rng.choice(["2024-01-02", "2023-05-06", ""]) or "")
        article.site = article.site or None
        article.date = article.date or None
        article.ingested_at = f"2024-02-{n % 28 + 1:02d}T00:00:{n:02d}+00:00"
        articles.append(article)
    library.add_many(articles)
    for article in rng.sample(articles, 20):
        library.add_annotation(article.id, *at(article, "Paris"), rng.choice(["GPE", "LOC"]))
    for article in rng.sample(articles, 15):
        library.set_read(article.id)
    for article in rng.sample(articles, 15):
        library.set_status(article.id, rng.choice(["done", "ignored"]))
    rows = library.summaries(View(sort="added", descending=False))
    keys = {
        "added": lambda s: (s.ingested_at, s.id),
        "date": lambda s: (s.date or "", s.id),
        "title": lambda s: (fold(s.title or ""), s.id),
        "site": lambda s: (fold(s.site or s.source), s.id),
        "annotations": lambda s: (s.annotations, s.id),
        "unread": lambda s: (s.read, s.ingested_at, s.id),
        "status": lambda s: (s.status, s.ingested_at, s.id),
    }
    labelled = {a.id for a in articles if any(x.label == "LOC" for x in library.annotations(a.id))}
    for sort in SORT_KEYS:
        for descending in (False, True):
            for view, keep in (
                (View(sort, descending), lambda s: True),
                (View(sort, descending, label="LOC"), lambda s: s.id in labelled),
                (View(sort, descending, review="to_review", unread=True), lambda s: s.status in ("new", "in_progress") and not s.read),
                (View(sort, descending, text="STORY 1"), lambda s: "story 1" in fold(s.title or "")),
            ):
                expected = sorted((s for s in rows if keep(s)), key=keys[sort], reverse=descending)
                assert [s.id for s in library.summaries(view)] == [s.id for s in expected], (sort, descending, view)
                assert library.count(view) == len(expected)
                assert [s.id for s in library.page(view, 5, 7)] == [s.id for s in expected[5:12]]
                for position in (0, len(expected) // 2, len(expected) - 1):
                    if expected:
                        assert library.index_of(view, expected[position].id) == position


# -- store files of the wrong shape --------------------------------------------------------------------

WRONG_SHAPES = {
    "annotations as a list": ("annotations", lambda t: t.update(annotations=[1, 2])),
    "annotation without label": ("annotations", lambda t: t["annotations"]["1"].pop("label")),
    "start as a string": ("annotations", lambda t: t["annotations"]["1"].update(start="5")),
    "position as a string": ("annotations", lambda t: t.update(state={"1": {"position": "12"}})),
    "status unknown": ("annotations", lambda t: t.update(state={"1": {"status": "finished"}})),
    "text a number": ("articles", lambda t: t["article"]["1"].update(text=12)),
    "odd token list": ("articles", lambda t: t["article"]["1"]["analysis"].update(tokens=[0, 4, 5])),
    "entities null": ("articles", lambda t: t["article"]["1"]["analysis"].update(entities=None)),
    "record without id": ("articles", lambda t: t["article"]["1"].pop("id")),
    # Fields reader writes itself, edited to carry what a terminal or the catalog cannot take.
    "ingested_at with an escape": ("articles", lambda t: t["article"]["1"].update(ingested_at="2024\x1b]2;X\x07")),
    "model name with a CSI": ("articles", lambda t: t["article"]["1"]["analysis"].update(model="m\x9b2J")),
    "entity label with a lone surrogate": (
        "articles", lambda t: t["article"]["1"]["analysis"].update(entities=[[0, 7, "PER\ud800"]])
    ),
    "entity label with an escape": (
        "articles", lambda t: t["article"]["1"]["analysis"].update(entities=[[0, 7, "\x1b]52;c;aGk=\x07"]])
    ),
    "tokens past the text": ("articles", lambda t: t["article"]["1"]["analysis"].update(tokens=[0, 7, 8, 500])),
    "tokens out of order": ("articles", lambda t: t["article"]["1"]["analysis"].update(tokens=[8, 14, 0, 7])),
    "annotation created with a bidi override": (
        "annotations", lambda t: t["annotations"]["1"].update(created="\u202e2024")
    ),
    "opened_at with a lone surrogate": ("annotations", lambda t: t.update(state={"1": {"opened_at": "\udc00"}})),
}


@pytest.mark.parametrize("case", WRONG_SHAPES)
def test_a_store_file_of_the_wrong_shape_names_itself_and_stays(library: Library, data_dir: Path, case: str) -> None:
    article = make(["Emomali Rahmon in Dushanbe."], entities=[("Dushanbe", "GPE")])
    other = make(["Another article."])
    library.add_many([article, other])
    library.add_annotation(article.id, *at(article, "Dushanbe"), "GPE")
    folder, damage = WRONG_SHAPES[case]
    path = data_dir / folder / f"{article.id}.json"
    data = json.loads(path.read_text())
    if folder == "annotations":
        data["tables"]["annotations"] = {"1": next(iter(data["tables"]["annotations"].values()))}
    damage(data["tables"])
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    fresh = Library(data_dir)
    with pytest.raises(StoreError, match=str(path)):
        fresh.get(article.id) if folder == "articles" else fresh.article_state(article.id)
    with pytest.raises(StoreError, match=str(path)):
        fresh.add_annotation(article.id, 0, 7, "PERSON")
    assert path.read_bytes() == before
    assert {s.id for s in fresh.summaries()} == {article.id, other.id}  # the rest still lists
    assert fresh.add_annotation(other.id, 0, 7, "ORG")
    assert any(str(path) in line for line in fresh.check().problems)


def test_a_symlinked_store_file_stays_a_link(library: Library, data_dir: Path, tmp_path: Path) -> None:
    article = make(["Emomali Rahmon in Dushanbe."])
    library.add(article)
    library.add_annotation(article.id, *at(article, "Dushanbe"), "GPE")
    path = data_dir / "annotations" / f"{article.id}.json"
    elsewhere = tmp_path / "kept-elsewhere.json"
    shutil.move(path, elsewhere)
    os.symlink(elsewhere, path)
    library.add_annotation(article.id, *at(article, "Emomali"), "PERSON")
    assert path.is_symlink()
    assert len(json.loads(elsewhere.read_text())["tables"]["annotations"]) == 2


def test_an_empty_annotation_prefix_is_refused(library: Library) -> None:
    article = make(["Emomali Rahmon in Dushanbe."])
    library.add(article)
    library.add_annotation(article.id, *at(article, "Dushanbe"), "GPE")
    for prefix in ("", "  "):
        with pytest.raises(LookupError, match="empty"):
            library.remove_annotation(article.id, prefix)
    assert len(library.annotations(article.id)) == 1


def test_a_query_matching_more_than_the_window_is_ranked_among_the_newest(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranking stays as fast at any library size: beyond RANK_WINDOW matches, only the most
    recently added are ranked; the count still says how many match in all."""
    monkeypatch.setattr("reader.catalog.RANK_WINDOW", 3)
    old = make(["Moscow Moscow Moscow, the best match of all for moscow."], title="Oldest")
    newer = [make([f"Story {n} mentions Moscow once, among many other words."], title=f"New {n}") for n in range(4)]
    library.add_many([old])
    library.add_many(newer)
    found_titles = [f.summary.title for f in library.search("moscow", limit=3)]
    assert sorted(found_titles) == ["New 1", "New 2", "New 3"]  # the three newest matches
    assert library.search_count("moscow") == 5
    # Asking for more than the window ranks every match: the best one comes first.
    assert library.search("moscow", limit=10)[0].summary.title == "Oldest"


# -- what an adversarial pass found ------------------------------------------------------------


def test_an_article_removed_and_added_again_is_not_written_by_a_copy_that_had_the_old_one(data_dir: Path) -> None:
    app = Library(data_dir)
    article = make(["Emomali Rahmon in Dushanbe."], entities=[("Dushanbe", "GPE")])
    app.add(article)
    app.get(article.id)  # the app opens it
    app.add_annotation(article.id, *at(article, "Dushanbe"), "GPE")
    other = Library(data_dir)
    other.remove(article.id)
    other.add(make(["Emomali Rahmon in Dushanbe."]))  # the same text, a new copy
    with pytest.raises(ArticleGone, match="removed and added again"):
        app.add_annotation(article.id, *at(article, "Emomali"), "PERSON")
    with pytest.raises(ArticleGone):
        app.set_position(article.id, 5)
    assert Library(data_dir).annotations(article.id) == []
    app.get(article.id)  # opened again: this copy is the one it works on now
    assert app.add_annotation(article.id, *at(article, "Emomali"), "PERSON")


def test_an_offset_too_large_for_the_catalog_is_a_malformed_file(library: Library, data_dir: Path) -> None:
    article, other = make(["Emomali Rahmon in Dushanbe."]), make(["Another one."])
    library.add_many([article, other])
    path = data_dir / "annotations" / f"{article.id}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"reader": {"schema": 1, "kind": "annotations"},
                                "tables": {"state": {"1": {"position": 10**20}}}}))
    fresh = Library(data_dir)
    with pytest.raises(StoreError, match=str(path)):
        fresh.set_status(article.id, "done")
    assert len(Library(data_dir).summaries()) == 2  # every later command still works
    assert any(str(path) in p for p in Library(data_dir).check().problems)
    [skipped] = Library(data_dir).repair()
    assert skipped.startswith(f"{path}: malformed annotation file: 'state.position' is '1000")
    assert len(Library(data_dir).summaries()) == 2  # still listed after the rebuild


@pytest.mark.parametrize("prefix", ["24\udcff", "\U0010ffff", "zz", "x" * 100])
def test_an_id_that_is_not_hexadecimal_matches_nothing(library: Library, prefix: str) -> None:
    library.add(make(["One article."]))
    with pytest.raises(LookupError, match="no article"):
        library.resolve(prefix)


def test_damaged_catalog_pages_are_found_by_check_and_rebuilt_by_repair(library: Library, data_dir: Path) -> None:
    import sqlite3

    library.add_many([make([f"Article {n} about Moscow."], entities=[("Moscow", "GPE")]) for n in range(30)])
    library.catalog.close()
    path = data_dir / "catalog.sqlite"
    cx = sqlite3.connect(path)
    cx.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = cx.execute("PRAGMA page_size").fetchone()[0]
    pages = [n for (n,) in cx.execute("SELECT pageno FROM dbstat WHERE name = 'text_index_data'")]
    cx.close()
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * size)
            f.write(b"\xff" * size)
    report = Library(data_dir).check()
    assert not report.ok and any("damaged" in p for p in report.problems)
    fixer = Library(data_dir)
    fixer.repair()
    assert Library(data_dir).check().problems == []
    assert len(Library(data_dir).search("moscow", limit=100)) == 30


def test_repair_rebuilds_in_place_for_every_running_copy(library: Library, data_dir: Path) -> None:
    article = make(["Emomali Rahmon in Dushanbe."], entities=[("Dushanbe", "GPE")])
    library.add(article)
    running = Library(data_dir)  # an app, with its connection open
    running.summaries()
    Library(data_dir).repair()
    running.set_status(article.id, "done")
    assert Library(data_dir).summary(article.id).status == "done"
    assert Library(data_dir).check().problems == []


def test_a_build_cut_short_is_built_again(library: Library, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library.add_many([make([f"Article {n}."]) for n in range(5)])
    fresh = Library(data_dir)

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr("reader.catalog.Catalog.put", killed)
    with pytest.raises(SystemExit):
        fresh.repair()
    monkeypatch.undo()
    assert len(Library(data_dir).ids()) == 5
    assert Library(data_dir).check().problems == []


def test_a_read_only_data_dir_can_still_be_browsed(library: Library, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a read-only mount: the catalog opens read-only, reads work, writes say why not."""
    import sqlite3

    from reader.catalog import Catalog

    article = make(["Emomali Rahmon in Dushanbe."], entities=[("Dushanbe", "GPE")])
    library.add(article)
    library.catalog.close()
    real_connect = sqlite3.connect

    def connect(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not kwargs.get("uri"):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(Catalog, "_writable", lambda self: False)
    reader = Library(data_dir)
    assert [s.id for s in reader.summaries()] == [article.id]
    assert [f.summary.id for f in reader.search("dushanbe")] == [article.id]
    assert reader.catalog.read_only
    assert (data_dir / "catalog.sqlite").exists()


def test_full_width_letters_are_found_by_their_plain_forms(library: Library) -> None:
    library.add(make(["全角ＡＢＣ ｆｕｌｌｗｉｄｔｈ text here."], title="Wide"))
    assert found(library, "fullwidth") == ["Wide"]
    assert found(library, "ｆｕｌｌｗｉｄｔｈ") == ["Wide"]


@pytest.mark.parametrize(("query", "reason"), [("t*", "at least 3 letters"), ("ab*", "at least 3 letters"),
                                               (" ".join(["trump"] * 65), "too long"), ("x" * 5000, "too long")])
def test_searches_that_would_cost_too_much_are_refused(library: Library, query: str, reason: str) -> None:
    library.add(make(["Trump spoke."]))
    with pytest.raises(ValueError, match=reason):
        library.search(query)


def test_how_many_articles_mention_an_entity(library: Library) -> None:
    library.add_many([make([f"Rahmon spoke, part {n}."], entities=[("Rahmon", "PERSON")]) for n in range(7)])
    assert library.mentioned_count("rahmon", "PERSON") == 7
    assert len(library.mentioned_in("rahmon", "PERSON", limit=3)) == 3


def test_an_entity_text_is_normalised_once_however_often_it_occurs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every save of an article recounts its mentions; with 100,000 entities that normalised
    100,000 texts on each tag (0.45 s). Each distinct text is normalised once now."""
    from reader import catalog
    from reader.article import ArticleState

    names = ["Moscow", "Vladimir Putin", "Dushanbe"]
    article = Article.from_draft(Draft([" and ".join(names[n % 3] for n in range(300)) + "."], "many.txt"))
    spans = []
    for n, name in enumerate(names):
        at = -1
        while (at := article.text.find(name, at + 1)) >= 0:
            spans.append(Span(at, at + len(name), ["GPE", "PERSON", "GPE"][n]))
    article.analysis = Analysis("hand", "1", entities=spans, tokens=[i for s in word_spans(article.text) for i in s])
    calls = []
    real = catalog.fold
    monkeypatch.setattr(catalog, "fold", lambda text: (calls.append(text), real(text))[1])
    mentions = catalog.mentions_in(article, ArticleState())
    assert sorted((m.norm, m.label, m.mentions) for m in mentions) == [
        ("dushanbe", "GPE", 100),
        ("moscow", "GPE", 100),
        ("vladimir putin", "PERSON", 100),
    ]
    assert len(calls) == 3


def test_a_catalog_edited_by_hand_shows_nothing_a_terminal_acts_on(
    library: Library, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The catalog is a store file too: rows edited to hold escapes, an unknown status or text
    where a count goes are shown as the files would be, and `check` names the difference."""
    import sqlite3

    from reader.cli import main

    article = make(["Emomali Rahmon in Dushanbe."], entities=[("Dushanbe", "GPE")])
    library.add(article)
    library.add_annotation(article.id, *at(article, "Emomali Rahmon"), "PERSON")
    hostile = "\x1b]52;c;aGFja2Vk\x07\x9b2J\u202e[b]T"
    with sqlite3.connect(data_dir / "catalog.sqlite") as cx:
        columns = ("title", "byline", "date", "source", "site", "url", "model", "note", "status", "opened_at")
        cx.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)}, words = 'many'", [hostile] * len(columns))
        cx.execute("UPDATE mentions SET text = ?, label = ?", (hostile, hostile))
        cx.execute("UPDATE entities SET text = ?, label = ?", (hostile, hostile))
    cx.close()
    fresh = Library(data_dir)
    [summary] = fresh.summaries()
    assert (summary.title, summary.status, summary.words) == ("[b]T", "new", 0)
    assert fresh.labels_in_use() == []
    for command in (["list"], ["list", "--json"], ["search", "Dushanbe"], ["entities"], ["entities", "--json"],
                    ["search", "--entity", "Dushanbe"]):
        assert main(command) == 0, command
        out, err = capsys.readouterr()
        assert "[b]T" in out, command
        assert not any(c in out + err for c in "\x1b\x07\x9b\u202e"), command
    assert main(["check"]) == 1
    assert "differ from the files" in capsys.readouterr().out


def test_a_fifo_in_place_of_a_store_file_is_refused_without_waiting(library: Library, data_dir: Path) -> None:
    """Opening a FIFO for reading waits for a writer: `reader list` hung for ever on one."""
    import threading

    article, other = make(["Emomali Rahmon in Dushanbe."]), make(["Another article."])
    library.add_many([article, other])
    library.add_annotation(article.id, *at(article, "Dushanbe"), "GPE")
    path = data_dir / "annotations" / f"{article.id}.json"
    path.unlink()
    os.mkfifo(path)
    (data_dir / "catalog.sqlite").unlink()
    outcome: list[object] = []

    def read() -> None:
        fresh = Library(data_dir)
        outcome.append({s.id for s in fresh.summaries()})
        try:
            fresh.article_state(article.id)
        except StoreError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(20)
    assert outcome == [{article.id, other.id}, f"{path}: store file is not a regular file (a FIFO or a device is not one reader keeps)"]


@SPAWNS_PROCESSES
def test_a_link_to_an_endless_device_is_refused_in_bounded_memory(library: Library, data_dir: Path) -> None:
    """A store file is read through a link; one to /dev/zero was read until memory ran out."""
    import resource
    import subprocess
    import sys

    article, other = make(["Emomali Rahmon in Dushanbe."]), make(["Another article."])
    library.add_many([article, other])
    path = data_dir / "articles" / f"{article.id}.json"
    path.unlink()
    os.symlink("/dev/zero", path)

    def two_gigabytes() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run([sys.executable, "-m", "reader", "show", article.id], capture_output=True, text=True,
                          timeout=60, preexec_fn=two_gigabytes)
    assert (done.returncode, done.stderr) == (2, f"reader: {path}: store file is not a regular file (a FIFO or a device is not one reader keeps)\n")
    listed = subprocess.run([sys.executable, "-m", "reader", "list"], capture_output=True, text=True, timeout=60,
                            preexec_fn=two_gigabytes)
    assert listed.returncode == 0 and other.id[:10] in listed.stdout


@pytest.mark.parametrize(
    ("record", "wrong"),
    [
        ({"id": "", "start": 0, "end": 7}, "has id '', not a hex id"),
        ({"id": "ABC123", "start": 0, "end": 7}, "has id 'ABC123', not a hex id"),
        ({"id": "12ab\n", "start": 0, "end": 7}, "not a hex id"),
        ({"id": 12, "start": 0, "end": 7}, "has id '12', not a hex id"),
        ({"id": "12ab", "start": 0, "end": 7, "label": " GPE"}, "a label with control characters or edge spaces"),
        ({"id": "12ab", "start": 0, "end": 7, "created": "\x1b[2J"}, "'annotation 12ab.created' holds control characters"),
    ],
)
def test_an_annotation_record_of_the_wrong_shape_names_the_file(
    library: Library, data_dir: Path, record: dict, wrong: str
) -> None:
    article = make(["Emomali Rahmon in Dushanbe."])
    library.add(article)
    path = data_dir / "annotations" / f"{article.id}.json"
    path.parent.mkdir(exist_ok=True)
    record = {"label": "PERSON", "source": "manual", "created": "2024-01-01T00:00:00+00:00"} | record
    path.write_text(json.dumps({"reader": {"schema": 1, "kind": "annotations"},
                                "tables": {"annotations": {"1": record}}}))
    with pytest.raises(StoreError) as raised:
        Library(data_dir).annotations(article.id)
    assert str(raised.value).startswith(f"{path}: malformed annotation file: ")
    assert wrong in str(raised.value)
