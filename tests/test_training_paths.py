"""Paths by which a wrong training example could reach an export, each closed at its root.

reader's own NUM mark (a plain number) never becomes an annotation nor an exported label; a
label never holds white space (CoNLL and brat separate fields by it); a done export imported
where the same texts were only ingested keeps them done.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from test_app import SIZE, TEXT, cursor_to, make_article, make_test_app, notices, open_article

from reader import config as config_file
from reader.article import Article, Span
from reader.config import label_name
from reader.export import export_library, export_stream
from reader.importing import import_files
from reader.store import Library
from tests.test_export import add_article, at


def jsonl_lines(library: Library, **options: object) -> list[dict]:
    """The JSONL export of the library, one dict per line."""
    out = io.StringIO()
    export_stream(library, "jsonl", out, **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def stored_article(data_dir: Path) -> tuple[Library, Article]:
    """The app tests' article (seven model entities and a number), stored in this test's library."""
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    return library, article


# -- reader's NUM mark ---------------------------------------------------------------------------


async def test_accept_on_a_plain_number_stores_nothing(data_dir: Path, tmp_path: Path) -> None:
    article = make_article()
    start = TEXT.index("139")
    article.analysis.numbers = [Span(start, start + 3, "NUM", "number")]
    Library(data_dir).add(article)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "139")
        assert str(app.screen.status_line()) == "'139' · plain number · not an entity (1-9 or l tags it)"
        await pilot.press("a")
        await pilot.pause()
        assert any("'139' is a plain number, not an entity" in n for n in notices(app))
    assert Library(data_dir).annotations(article.id) == []


def test_a_num_annotation_already_stored_is_never_exported(library_with_num: tuple[Library, str]) -> None:
    library, text = library_with_num
    for line in jsonl_lines(library):
        assert [s["label"] for s in line["spans"]] == ["PERSON"]
    out = io.StringIO()
    export_stream(library, "conll", out)
    assert "NUM" not in out.getvalue()
    assert "B-PERSON" in out.getvalue()


@pytest.fixture
def library_with_num(data_dir: Path) -> tuple[Library, str]:
    """A done article holding an annotation labelled NUM, as older versions let `a` store."""
    library = Library(data_dir)
    text = "Angela Merkel counted 139 people."
    add_article(
        library,
        text,
        annotations=[at(text, "Angela Merkel", "PERSON"), at(text, "139", "NUM", "model")],
        status="done",
    )
    return library, text


def test_num_cannot_be_a_label() -> None:
    with pytest.raises(ValueError, match="plain number"):
        label_name("num")


def test_an_import_with_the_num_label_is_refused(data_dir: Path, tmp_path: Path) -> None:
    library = Library(data_dir)
    text = "Angela Merkel counted 139 people."
    add_article(library, text)
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"text": text, "spans": [{"start": 22, "end": 25, "label": "NUM"}]}) + "\n")
    report = import_files(library, [path], label_set=None)
    assert not report.files[0].stored
    assert "plain number" in report.files[0].messages()[0]
    assert library.annotations(article_id_of(text)) == []


def article_id_of(text: str) -> str:
    from reader.text import article_id

    return article_id(text)


# -- labels hold no white space -------------------------------------------------------------------


def test_a_label_typed_with_spaces_is_one_name_with_underscores() -> None:
    assert label_name("  armed   group ") == "ARMED_GROUP"


def test_a_label_in_the_config_with_a_space_is_read_with_an_underscore(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[extra_labels]]\nname = "armed group"\n', encoding="utf-8")
    assert config_file.load(path).label_names()[-1] == "ARMED_GROUP"


def test_a_label_made_in_the_app_exports_as_one_conll_column(data_dir: Path, tmp_path: Path) -> None:
    text = "The Wagner Group moved north."
    library = Library(data_dir)
    config = config_file.load(tmp_path / "config.toml")
    (made,) = config_file.add_labels(config, ["armed group"])
    add_article(library, text, annotations=[at(text, "Wagner Group", made.name)], status="done")
    out = io.StringIO()
    export_stream(library, "conll", out)
    lines = [line.split() for line in out.getvalue().splitlines() if line and not line.startswith("-DOCSTART-")]
    assert all(len(fields) == 4 for fields in lines)
    assert ["Wagner", "-X-", "_", "B-ARMED_GROUP"] in lines
    # and the export comes back in through import, label and all
    path = tmp_path / "out.jsonl"
    export_library(library, "jsonl", path)
    fresh = Library(tmp_path / "other")
    add_article(fresh, text)
    report = import_files(fresh, [path], label_set=set(config.label_names()))
    assert report.ok
    assert [a.label for a in fresh.annotations(article_id_of(text))] == ["ARMED_GROUP"]


# -- review status travels with the annotations -----------------------------------------------------


def test_a_done_export_imported_where_the_texts_were_only_ingested_stays_done(
    data_dir: Path, tmp_path: Path
) -> None:
    done = "Angela Merkel spoke in Berlin. Nobody else spoke."
    ignored = "Sports results: Arsenal 2, Chelsea 1."
    partly = "Russia and Iran met in Vienna on Monday."
    library = Library(data_dir)
    add_article(library, done, annotations=[at(done, "Angela Merkel", "PERSON")], status="done")
    add_article(library, ignored, annotations=[at(ignored, "Arsenal", "ORG")], status="ignored")
    add_article(library, partly, annotations=[at(partly, "Russia", "GPE")], status="in_progress")
    path = tmp_path / "out.jsonl"
    export_library(library, "jsonl", path)

    other = Library(tmp_path / "other")
    for text in (done, ignored, partly):
        add_article(other, text)  # ingested there too, not reviewed
    report = import_files(other, [path])
    assert report.ok and report.files[0].statuses_set == 2  # in progress came with its spans
    statuses = {t: other.article_state(article_id_of(t)).status for t in (done, ignored, partly)}
    assert statuses == {done: "done", ignored: "ignored", partly: "in_progress"}
    assert jsonl_lines(other) == jsonl_lines(library)


def test_an_import_never_takes_a_review_status_back(data_dir: Path, tmp_path: Path) -> None:
    text = "Russia and Iran met in Vienna on Monday."
    library = Library(data_dir)
    add_article(library, text, annotations=[at(text, "Russia", "GPE")], status="in_progress")
    path = tmp_path / "out.jsonl"
    export_library(library, "jsonl", path)
    library.set_status(article_id_of(text), "done")
    import_files(library, [path])
    assert library.article_state(article_id_of(text)).status == "done"


def test_an_export_with_a_label_another_language_model_gave_comes_back_in(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_export import run

    text = "Angela Merkel sprach in Berlin."
    library = Library(data_dir)
    # a German model's PER, accepted in the app: not in the (English) label set
    add_article(library, text, annotations=[at(text, "Angela Merkel", "PER", "model")], status="done")
    path = tmp_path / "out.jsonl"
    assert run(capsys, "export", "-o", str(path))[0] == 0
    # the file edited elsewhere: Berlin tagged with the German model's LOC, which the
    # library also has already
    add_article(library, "Olaf Scholz lebt in Potsdam.", annotations=[(20, 27, "LOC", "model")])
    line = json.loads(path.read_text(encoding="utf-8"))
    line["spans"].append({"start": 24, "end": 30, "label": "LOC"})
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    status, _, err = run(capsys, "import", str(path))
    assert status == 0
    assert err.endswith(": 0 new articles, 1 annotation added, 1 already there\n")
    assert [a.label for a in library.annotations(article_id_of(text))] == ["PER", "LOC"]


# -- a span by hand stays within its paragraph -------------------------------------------------------


async def test_a_selection_across_a_paragraph_break_is_not_tagged(data_dir: Path, tmp_path: Path) -> None:
    _, article = stored_article(data_dir)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Hall")  # the last words of the first paragraph
        await pilot.press("v", "right", "right", "right")  # "Hall . \n\n The"
        await pilot.pause()
        selection = app.screen.view.selection
        assert selection is not None and "\n\n" in TEXT[selection[0] : selection[1]]
        await pilot.press("1")
        await pilot.pause()
        assert any("runs across a paragraph break" in n for n in notices(app))
        assert app.screen.view.selection == selection  # kept, to be made smaller
    assert Library(data_dir).annotations(article.id) == []


def test_reader_tag_refuses_a_span_across_a_paragraph_break(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_export import run

    text = "Talks ended on Monday.\n\nApple paid."
    library = Library(data_dir)
    add_article(library, text)
    start, end = text.index("Monday"), text.index("Apple") + 5
    status, _, err = run(capsys, "tag", article_id_of(text), str(start), str(end), "ORG")
    assert status == 1
    assert "runs across a paragraph break" in err
    assert library.annotations(article_id_of(text)) == []


# -- a review mark can be taken back -------------------------------------------------------------


async def test_u_after_done_takes_the_mark_back_and_returns_to_the_article(
    data_dir: Path, tmp_path: Path
) -> None:
    library = Library(data_dir)
    first = make_article("Story A. " + TEXT, title="Story A", ingested_at="2024-03-22T09:00:00+00:00")
    second = make_article("Story B. " + TEXT, title="Story B", ingested_at="2024-03-21T09:00:00+00:00")
    library.add(first)
    library.add(second)
    library.add_annotation(first.id, 0, 5, "PERSON")  # in progress
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_article_screen(first.id)
        await pilot.pause()
        await pilot.press("D", "D")
        await pilot.pause()
        assert app.screen.article.id == second.id
        await pilot.press("u")
        await pilot.pause()
        assert library.article_state(first.id).status == "in_progress"
        assert app.screen.article.id == first.id
        assert "review: in progress" in str(app.screen.query_one("#article-review").render())
        assert any("Undid marking 'Story A' done" in n for n in notices(app))


# -- annotations on an article analysed again ------------------------------------------------------


def test_reimporting_an_annotation_off_the_tokens_of_a_new_analysis_adds_nothing(
    data_dir: Path, tmp_path: Path
) -> None:
    """Tagged "Apple Inc" when the tokens were "Inc" and "."; analysed again since with a
    tokenizer that makes "Inc." one token. Its own export imported back is already there."""
    from reader.article import Analysis

    text = "Apple Inc. hired Tim Cook."
    library = Library(data_dir)
    aid = add_article(library, text, annotations=[(0, 9, "ORG", "manual")], status="done")
    article = library.get(aid)
    article.analysis = Analysis(
        "en_other", "1", tokens=[0, 5, 6, 10, 11, 16, 17, 20, 21, 25, 25, 26]
    )
    library.save_analyses([article])
    path = tmp_path / "out.jsonl"
    export_library(library, "jsonl", path)
    report = import_files(library, [path])
    assert report.ok and report.files[0].already_there == 1
    assert [(a.start, a.end) for a in library.annotations(aid)] == [(0, 9)]


# -- rejecting what was accepted ------------------------------------------------------------------


async def test_x_on_an_accepted_entity_takes_the_acceptance_back_in_one_undoable_step(
    data_dir: Path, tmp_path: Path
) -> None:
    library, article = stored_article(data_dir)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Russia")
        await pilot.press("a", "x")
        await pilot.pause()
        assert library.annotations(article.id) == []
        assert [(r.label) for r in library.rejections(article.id)] == ["GPE"]
        assert str(app.screen.status_line()) == "'Russia' · GPE · rejected"
        library.set_status(article.id, "done")
        assert all("Russia" not in [s["text"] for s in line["spans"]] for line in jsonl_lines(library))
        await pilot.press("u")
        await pilot.pause()
        assert [(a.label, a.source) for a in library.annotations(article.id)] == [("GPE", "model")]
        assert library.rejections(article.id) == []
        assert str(app.screen.status_line()) == "'Russia' · GPE · accepted"


# -- undo and redo across the review keys ----------------------------------------------------------


def review_state(library: Library, article_id: str) -> tuple[list, list]:
    """An article's annotations and rejections, comparable."""
    annotations = sorted((a.start, a.end, a.label, a.source) for a in library.annotations(article_id))
    return annotations, sorted(r.key for r in library.rejections(article_id))


async def test_undo_then_redo_walks_back_and_forth_across_every_review_key(
    data_dir: Path, tmp_path: Path
) -> None:
    library, article = stored_article(data_dir)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        states = [review_state(library, article.id)]
        steps = [
            ("Russia", "a"),  # accept one
            ("Sunday", "x"),  # reject one
            ("Crocus", "A"),  # accept all the others
            ("Crocus", "x"),  # reject one accepted with them
            ("Emomali", "4"),  # relabel one accepted with them
            ("Tajikistan", "d"),  # delete one accepted with them
        ]
        for word, key in steps:
            await cursor_to(pilot, word)
            await pilot.press(key)
            await pilot.pause()
            states.append(review_state(library, article.id))
        assert len({str(s) for s in states}) == len(states)  # every step changed something
        for before in reversed(states[:-1]):
            await pilot.press("u")
            await pilot.pause()
            assert review_state(library, article.id) == before
        for after in states[1:]:
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert review_state(library, article.id) == after
        assert not [n for n in notices(app) if "Not saved" in n]


def test_an_app_export_of_nothing_done_points_to_d_not_to_predictions(tmp_path: Path, data_dir: Path) -> None:
    from reader.screens.export import ExportRequest, export_summary

    library = Library(data_dir)
    text = "Russia and Iran met in Vienna on Monday."
    add_article(library, text, annotations=[at(text, "Russia", "GPE")], status="in_progress")
    out = tmp_path / "train.conll"  # done articles only, as spacy, without loading spaCy
    report = export_library(library, "conll", out)
    message, severity = export_summary(report, ExportRequest("conll", out))
    assert severity == "warning"
    assert message.endswith("press D in an article reviewed to the end to mark it done")
    assert "predictions" not in message and "unreviewed" not in message


# -- done with model entities nobody looked at --------------------------------------------------------


async def test_done_with_unsettled_model_entities_asks_for_a_second_press(data_dir: Path, tmp_path: Path) -> None:
    """make_article's text has seven model entities (and a number, which does not count)."""
    library, article = stored_article(data_dir)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("D")
        await pilot.pause()
        assert library.article_state(article.id).status == "new"
        assert any(n.startswith("7 model entities here are neither accepted nor rejected") for n in notices(app))
        # settling some changes the count: the next D warns again, about the rest
        await cursor_to(pilot, "Russia")
        await pilot.press("x")
        await cursor_to(pilot, "Sunday")
        await pilot.press("a")
        await pilot.press("D")
        await pilot.pause()
        assert library.article_state(article.id).status == "in_progress"
        assert any(n.startswith("5 model entities here are") for n in notices(app))
        # accepting the rest: D marks it done at once
        await pilot.press("A", "D")
        await pilot.pause()
        assert library.article_state(article.id).status == "done"
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_done_a_second_time_marks_the_article_done_as_it_is(data_dir: Path, tmp_path: Path) -> None:
    library, article = stored_article(data_dir)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("D", "D")
        await pilot.pause()
        assert library.article_state(article.id).status == "done"


def test_reader_mark_done_says_how_many_model_entities_count_as_no_entity(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_export import run, span_at

    text = "Russia and Iran met in Vienna on Monday."
    library = Library(data_dir)
    aid = add_article(
        library,
        text,
        entities=[span_at(text, "Russia", "GPE"), span_at(text, "Iran", "GPE"), span_at(text, "Vienna", "GPE")],
        annotations=[at(text, "Russia", "GPE", "model")],
    )
    library.reject(aid, *at(text, "Iran", "GPE")[:3])
    status, _, err = run(capsys, "mark", "done", aid)
    assert status == 0
    assert err == f"{aid[:10]}: done (1 model entity neither accepted nor rejected: exports count them as no entity)\n"


# -- tagging every occurrence respects a rejection ------------------------------------------------------


async def test_tag_every_occurrence_leaves_a_place_where_the_label_was_rejected(
    data_dir: Path, tmp_path: Path
) -> None:
    from test_app import at as where

    library, article = stored_article(data_dir)
    second = where(TEXT, "Emomali Rahmon", 1)
    library.reject(article.id, *second, "PERSON")  # "not a person here", said in review
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Emomali Rahmon")
        await pilot.press("a", "asterisk")
        await pilot.pause()
        assert any("No other untagged occurrence of 'Emomali Rahmon'" in n for n in notices(app))
    assert [(a.start, a.end) for a in library.annotations(article.id)] == [where(TEXT, "Emomali Rahmon")]


# -- doccano's UTF-16 offsets never read as characters by default ------------------------------------------


def test_a_doccano_file_with_an_emoji_before_a_span_must_say_what_its_offsets_count(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_export import run

    text = "Fans 😀 cheered Lionel Messi in Miami."
    start = text.index("Lionel Messi")  # 15 characters, 16 UTF-16 units
    library = Library(data_dir)
    aid = add_article(library, text)
    path = tmp_path / "doccano.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[start + 1, start + 13, "PERSON"]]}) + "\n")
    status, _, err = run(capsys, "import", str(path))
    assert status == 1
    assert f"{path}:1: an emoji (or another character beyond the BMP) at character 5 comes before a span" in err
    assert "--offsets utf16" in err
    assert library.annotations(aid) == []
    # said: UTF-16, as doccano counts
    status, _, err = run(capsys, "import", "--offsets", "utf16", str(path))
    assert status == 0, err
    assert [text[a.start : a.end] for a in library.annotations(aid)] == ["Lionel Messi"]
    # reader's own JSONL counts characters, and says so by its shape: no question asked
    out = tmp_path / "own.jsonl"
    assert run(capsys, "export", "-o", str(out))[0] == 0
    assert run(capsys, "import", str(out))[0] == 0


def test_a_doccano_line_with_an_emoji_only_after_its_spans_is_read_without_asking(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_export import run

    text = "Lionel Messi scored in Miami 😀."
    library = Library(data_dir)
    aid = add_article(library, text)
    path = tmp_path / "doccano.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[0, 12, "PERSON"]]}) + "\n")
    assert run(capsys, "import", str(path))[0] == 0
    assert [text[a.start : a.end] for a in library.annotations(aid)] == ["Lionel Messi"]


# -- accept all accepts what is shown -----------------------------------------------------------------


async def test_accept_all_leaves_the_entities_of_a_hidden_label_unaccepted(data_dir: Path, tmp_path: Path) -> None:
    library, article = stored_article(data_dir)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Sunday")
        await pilot.press("h")  # DATE hidden: the reader does not want to see dates
        await pilot.press("A")
        await pilot.pause()
        assert "DATE" not in {a.label for a in library.annotations(article.id)}
        assert "1 entity of hidden labels left as they are (H shows them)" in notices(app)[-1]
        await pilot.press("D")  # and D says the date is still unsettled
        await pilot.pause()
        assert notices(app)[-1].startswith("1 model entity here is neither accepted nor rejected")


# -- a label taken out of the config since ---------------------------------------------------------


def test_an_export_names_labels_no_longer_in_the_label_set(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_export import run

    text = "Angela Merkel spoke in Berlin."
    library = Library(data_dir)
    add_article(
        library, text, annotations=[at(text, "Angela Merkel", "POLITICIAN"), at(text, "Berlin", "GPE")], status="done"
    )
    for jobs in ("1", "2"):
        status, _, err = run(capsys, "export", "-f", "conll", "--jobs", jobs, "-o", str(tmp_path / "out.conll"))
        assert status == 0
        assert "note: 1 span with labels not in the label set: POLITICIAN (renamed or removed" in err


# -- a model entity the reader relabels is the reader's ---------------------------------------------------


async def test_a_relabelled_model_entity_is_manual_and_the_models_label_cannot_join_it(
    data_dir: Path, tmp_path: Path
) -> None:
    library, article = stored_article(data_dir)
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await cursor_to(pilot, "Russia")
        await pilot.press("a", "4")  # accepted as GPE, then LOC on key 4
        await pilot.pause()
        assert str(app.screen.status_line()) == "'Russia' · LOC · manual"
        await pilot.press("a")  # the model's GPE again: refused, the reader's LOC stands
        await pilot.pause()
        assert "'Russia' is already tagged LOC: x rejects the model's GPE." in notices(app)
        assert [(a.label, a.source) for a in library.annotations(article.id)] == [("LOC", "manual")]
        library.set_status(article.id, "done")
        out = io.StringIO()
        export_stream(library, "conll", out)
        assert "Russia -X- _ B-LOC" in out.getvalue().splitlines()
        await pilot.press("u")
        await pilot.pause()
        assert [(a.label, a.source) for a in library.annotations(article.id)] == [("GPE", "model")]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [(a.label, a.source) for a in library.annotations(article.id)] == [("LOC", "manual")]


def test_a_label_with_a_space_in_the_config_file_is_kept_in_place_when_a_label_is_added(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# my labels\n[[extra_labels]]\nname = "armed group"\ncolor = "#123456"\n', encoding="utf-8")
    config = config_file.load(path)
    config_file.add_labels(config, ["victim"])
    assert config_file.load(path).label_names()[-2:] == ["ARMED_GROUP", "VICTIM"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith('# my labels\n[[extra_labels]]\nname = "armed group"\ncolor = "#123456"\n')
    assert "[[labels]]" not in text


async def test_r_puts_a_done_or_ignored_article_back_in_review(data_dir: Path, tmp_path: Path) -> None:
    from textual.widgets import Static

    library, article = stored_article(data_dir)
    library.set_status(article.id, "ignored")
    app = make_test_app(data_dir, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(pilot)
        await pilot.press("R")
        await pilot.pause()
        assert library.article_state(article.id).status == "in_progress"
        assert "review: in progress" in str(app.screen.query_one("#article-review", Static).render())
        await pilot.press("u")
        await pilot.pause()
        assert library.article_state(article.id).status == "ignored"
        assert "review: ignored" in str(app.screen.query_one("#article-review", Static).render())
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert library.article_state(article.id).status == "in_progress"


@pytest.mark.parametrize("unit", ["chars", "utf16"])
def test_readers_own_doccano_export_with_an_emoji_imports_back_without_being_told(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], unit: str
) -> None:
    from tests.test_export import run

    text = "Fans 😀 cheered Lionel Messi in Miami."
    library = Library(data_dir)
    add_article(library, text, annotations=[at(text, "Lionel Messi", "PERSON")], status="done")
    path = tmp_path / "doccano.jsonl"
    assert run(capsys, "export", "-f", "doccano", "--offsets", unit, "-o", str(path))[0] == 0
    other = tmp_path / "other"
    fresh = Library(other)
    aid = add_article(fresh, text)
    status, _, err = run(capsys, "--data-dir", str(other), "import", str(path))
    assert status == 0, err
    assert [text[a.start : a.end] for a in fresh.annotations(aid)] == ["Lionel Messi"]
    assert fresh.article_state(aid).status == "done"


# -- two labels on the same words -----------------------------------------------------------------


@pytest.mark.parametrize(("first", "then"), [("PERSON", "GPE"), ("GPE", "PERSON")])
def test_of_two_labels_tagged_on_the_same_words_the_iob_tags_keep_the_last(
    data_dir: Path, first: str, then: str
) -> None:
    from reader.article import Annotation

    text = "Jordan spoke on Monday."
    library = Library(data_dir)
    aid = add_article(library, text, status="done")
    library.restore_annotation(aid, Annotation("0000000a", 0, 6, first, "manual", "2024-01-01T09:00:00+00:00"))
    library.restore_annotation(aid, Annotation("0000000b", 0, 6, then, "manual", "2024-01-01T09:05:00+00:00"))
    out = io.StringIO()
    report = export_stream(library, "conll", out)
    assert f"Jordan -X- _ B-{then}" in out.getvalue().splitlines()
    assert report.warnings == [f"{aid}: 1 overlapping span left out of the IOB tags"]


def test_reader_tag_folds_a_label_typed_with_spaces_as_the_config_does(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_export import run

    config = config_file.load()
    config_file.add_labels(config, ["armed group"])
    text = "The Wagner Group moved north."
    library = Library(data_dir)
    aid = add_article(library, text)
    start = text.index("Wagner Group")
    status, _, err = run(capsys, "tag", aid, str(start), str(start + 12), "armed group")
    assert status == 0, err
    assert [a.label for a in library.annotations(aid)] == ["ARMED_GROUP"]
