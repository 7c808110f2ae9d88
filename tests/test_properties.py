"""Properties of the span layer under any sequence of tag, relabel, delete, undo and redo.

Each sequence runs against the real store and the app's undo history, alongside a plain
model of what the annotations should be; after every step the store must agree with the
model and every span must sit inside its text. At the end the article is exported to JSONL
and imported into an empty library, which must hold the same spans.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.article import Analysis, Article, Draft
from reader.export import export_stream
from reader.history import Added, Deleted, History, Relabelled
from reader.importing import import_files
from reader.store import Library
from reader.text import word_spans

LABELS = ["PERSON", "ORG", "GPE"]
WORDS = st.sampled_from(["Rahmon", "Moscow", "139", "the", "Crocus", "City", "Hall", "é€", "漢字", "—", ","])
TEXTS = st.lists(st.lists(WORDS, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=4)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("tag"), st.integers(0, 99), st.integers(0, 99), st.sampled_from(LABELS)),
        st.tuples(st.just("relabel"), st.integers(0, 99), st.sampled_from(LABELS)),
        st.tuples(st.just("delete"), st.integers(0, 99)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
    ),
    max_size=25,
)


def hand_analysis(text: str) -> Analysis:
    """Word tokens and no spans: what the export needs, without spaCy."""
    return Analysis("hand", "1", tokens=[i for span in word_spans(text) for i in span])


def hand_analyse(texts, model: str, *, as_tuples: bool = False, **_: object):  # noqa: ANN001, ANN201
    """`nlp.analyse_texts` by hand (with `as_tuples`, each analysis with its text's context)."""
    for item in texts:
        yield (hand_analysis(item[0]), item[1]) if as_tuples else hand_analysis(item)


@pytest.fixture(autouse=True)
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Import analyses new texts: by hand here, so spaCy is not loaded."""
    monkeypatch.setattr("reader.pipeline.choose_model", lambda requested: ("hand", None))
    monkeypatch.setattr("reader.nlp.analyse_texts", hand_analyse)


def state(library: Library, article_id: str) -> set[tuple[str, int, int, str]]:
    """The stored annotations as (id, start, end, label)."""
    return {(a.id, a.start, a.end, a.label) for a in library.annotations(article_id)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=TEXTS, operations=OPERATIONS)
def test_any_sequence_of_changes_keeps_spans_valid_and_survives_export_import(
    paragraphs: list[str], operations: list[tuple]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        library = Library(root / "source")
        article = Article.from_draft(Draft(paragraphs, "test"))
        article.analysis = hand_analysis(article.text)
        library.add(article)
        text, tokens = article.text, article.token_bounds()
        history = History()
        expected: set[tuple[str, int, int, str]] = set()
        undo_states: list[set] = []
        redo_states: list[set] = []

        for op in operations:
            current = sorted(library.annotations(article.id), key=lambda a: a.id)
            before, changes = set(expected), len(history.done)
            if op[0] == "tag":
                first, last = sorted((op[1] % len(tokens), op[2] % len(tokens)))
                span = (tokens[first][0], tokens[last][1], op[3])
                made = library.add_annotation(article.id, *span)
                if any(e[1:] == span for e in expected):  # stored once: nothing changed
                    assert (made.id, *span) in expected
                else:
                    history.record(Added(made))
                    expected.add((made.id, made.start, made.end, made.label))
            elif op[0] == "relabel" and current:
                target = current[op[1] % len(current)]
                now = library.relabel_annotation(article.id, target.id, op[2])
                history.record(Relabelled(target, op[2]))
                expected.discard((target.id, target.start, target.end, target.label))
                # Onto a span that already has that label, the two become one.
                expected.add((now.id, target.start, target.end, op[2]))
            elif op[0] == "delete" and current:
                target = current[op[1] % len(current)]
                history.record(Deleted(library.remove_annotation(article.id, target.id)))
                expected.discard((target.id, target.start, target.end, target.label))
            if op[0] == "undo":
                if history.undo(library, article.id):
                    redo_states.append(set(expected))
                    expected = undo_states.pop()
            elif op[0] == "redo":
                if history.redo(library, article.id):
                    undo_states.append(set(expected))
                    expected = redo_states.pop()
            elif len(history.done) > changes:  # a change was made and recorded
                undo_states.append(before)
                redo_states.clear()

            assert state(library, article.id) == expected
            for _, start, end, _ in expected:
                assert 0 <= start < end <= len(text)
                assert text[start:end] == text[start:end].strip()  # whole tokens, no edge spaces

        assert state(library, article.id) == expected
        stream = io.StringIO()
        export_stream(library, "jsonl", stream, include_all=True)
        path = root / "export.jsonl"
        path.write_text(stream.getvalue(), encoding="utf-8")
        target = Library(root / "target")
        report = import_files(target, [path])
        assert report.ok
        assert target.get(article.id).text == text
        assert {(s, e, lab) for _, s, e, lab in state(target, article.id)} == {
            (s, e, lab) for _, s, e, lab in expected
        }
        for annotation in target.annotations(article.id):
            assert annotation.to_json(text)["text"] == text[annotation.start : annotation.end]
