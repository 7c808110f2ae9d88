"""Export: every format read back by the tool that uses it, the flags, and atomic writes.

Articles are built by hand (tokens from `word_spans`), so no model is loaded; spaCy itself
is imported only to read the DocBin and the CoNLL back, as training would.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.article import Analysis, Article, Span
from reader.cli import main
from reader.export import FORMATS, ExportError, export_library, export_stream
from reader.export import jsonl as jsonl_format
from reader.export.document import ExportSpan
from reader.export.tokens import reference_tokens
from reader.store import Library
from reader.text import article_id, word_spans
from tests.conftest import LOADS_SPACY, ROOT, SPAWNS_PROCESSES

TEXT = (
    "Apple bought Beats in New York for $3 billion.\n\n"
    "Tim Cook said the deal closed on 1 August 2014."
)


def analysis_for(text: str, entities: list[Span] = (), numbers: list[Span] = ()) -> Analysis:
    """An analysis made by hand: plain word tokens and the given spans."""
    tokens = [b for start, end in word_spans(text) for b in (start, end)]
    return Analysis("test_model", "0", list(entities), list(numbers), tokens)


def add_article(
    library: Library,
    text: str,
    *,
    entities: list[Span] = (),
    numbers: list[Span] = (),
    annotations: list[tuple[int, int, str, str]] = (),
    title: str | None = "A title",
    status: str | None = None,
) -> str:
    """Store an article with a hand-made analysis, annotations and review status; returns its id."""
    article = Article(
        id=article_id(text),
        text=text,
        source="test.txt",
        title=title,
        analysis=analysis_for(text, entities, numbers),
    )
    library.add_many([article])
    if annotations:
        library.add_annotations(article.id, list(annotations))
    if status:
        library.set_status(article.id, status)
    return article.id


def at(text: str, word: str, label: str, source: str = "manual") -> tuple[int, int, str, str]:
    """The annotation covering the first `word` in `text`."""
    start = text.index(word)
    return start, start + len(word), label, source


def span_at(text: str, word: str, label: str, kind: str = "entity") -> Span:
    """The model span covering the first `word` in `text`."""
    start = text.index(word)
    return Span(start, start + len(word), label, kind)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `reader ARGV` in this process; returns (status, stdout, stderr)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def library(data_dir: Path) -> Library:
    """An empty library in this test's data dir."""
    return Library(data_dir)


@pytest.fixture
def tagged(library: Library) -> str:
    """One article reviewed to the end (done), with hand-tagged, accepted and overlapping
    annotations, and predictions."""
    return add_article(
        library,
        TEXT,
        entities=[span_at(TEXT, "Apple", "ORG"), span_at(TEXT, "Tim Cook", "PERSON")],
        numbers=[span_at(TEXT, "$3 billion", "MONEY", "number")],
        annotations=[
            at(TEXT, "Apple", "ORG", "model"),
            at(TEXT, "Apple bought Beats", "EVENT"),  # overlaps Apple and Beats
            at(TEXT, "Beats", "ORG"),
            at(TEXT, "New York", "GPE"),
            at(TEXT, "1 August 2014", "DATE"),
        ],
        status="done",
    )


def jsonl_lines(library: Library, **options: object) -> list[dict]:
    stream = io.StringIO()
    export_stream(library, "jsonl", stream, **options)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


# -- the formats, read back -----------------------------------------------------------------


@LOADS_SPACY
def test_jsonl_spans_fit_doc_char_span_with_the_exported_tokens(
    library: Library, tagged: str
) -> None:
    import spacy
    from spacy.tokens import Doc

    [task] = jsonl_lines(library)
    assert task["text"] == TEXT and task["answer"] == "accept"
    assert task["meta"]["id"] == tagged and task["meta"]["title"] == "A title"
    assert {"byline", "date", "source"} <= task["meta"].keys()
    tokens = task["tokens"]
    assert [t["id"] for t in tokens] == list(range(len(tokens)))
    doc = Doc(
        spacy.blank("en").vocab, words=[t["text"] for t in tokens], spaces=[t["ws"] for t in tokens]
    )
    assert doc.text == TEXT
    for token, exported in zip(doc, tokens, strict=True):
        assert (token.idx, token.idx + len(token)) == (exported["start"], exported["end"])
    spans = {(s["start"], s["end"], s["label"], s["source"]) for s in task["spans"]}
    assert spans == {
        at(TEXT, "Apple", "ORG", "model"),
        at(TEXT, "Apple bought Beats", "EVENT"),
        at(TEXT, "Beats", "ORG"),
        at(TEXT, "New York", "GPE"),
        at(TEXT, "1 August 2014", "DATE"),
    }
    for s in task["spans"]:
        made = doc.char_span(s["start"], s["end"], label=s["label"])
        assert made is not None, s
        # Prodigy's token_end is inclusive.
        assert (made.start, made.end - 1) == (s["token_start"], s["token_end"])
        assert s["text"] == TEXT[s["start"] : s["end"]] == made.text


def test_jsonl_hashes_follow_the_documented_scheme(library: Library, tagged: str) -> None:
    from murmurhash.mrmr import hash as murmurhash

    [task] = jsonl_lines(library)
    assert task["_input_hash"] == murmurhash(json.dumps({"text": TEXT}, sort_keys=True))
    spans = [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in task["spans"]]
    expected = murmurhash(str(task["_input_hash"]) + json.dumps({"spans": spans}, sort_keys=True))
    assert task["_task_hash"] == expected
    # Another set of spans on the same text: same input, another task.
    library.set_status(tagged, "in_progress")
    [with_predictions] = jsonl_lines(library, include_predictions=True)
    assert with_predictions["_input_hash"] == task["_input_hash"]
    assert with_predictions["_task_hash"] != task["_task_hash"]


@LOADS_SPACY
def test_spans_off_token_boundaries_get_tokens_of_their_own() -> None:
    import spacy
    from spacy.tokens import Doc

    text = "Pre-war  U.S. policy\n\nends"
    spans = [
        ExportSpan(0, 3, "A"),  # inside the token "Pre-war"
        ExportSpan(7, 13, "B"),  # starts on the second of two spaces
        ExportSpan(3, 9, "C"),  # "-war  " overlaps A and B, ends inside "U.S."
        ExportSpan(14, 21, "D"),  # "policy\n": ends inside a paragraph break
    ]
    tokens = reference_tokens(text, word_spans(text), spans)
    words = [text[t.start : t.end] for t in tokens]
    doc = Doc(spacy.blank("en").vocab, words=words, spaces=[t.ws for t in tokens])
    assert doc.text == text
    for span in spans:
        assert doc.char_span(span.start, span.end) is not None, span
    # Without spans in the way, a single space is the token's ws, as spaCy does it.
    plain = reference_tokens("a b  c", [(0, 1), (2, 3), (5, 6)])
    assert [(t.start, t.end, t.ws) for t in plain] == [
        (0, 1, True),
        (2, 3, True),
        (4, 5, False),
        (5, 6, False),
    ]


@LOADS_SPACY
def test_spacy_docbin_loads_with_ents_and_every_span(
    library: Library, tagged: str, tmp_path: Path
) -> None:
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path / "train.spacy"
    report = export_library(library, "spacy", out)
    assert report.articles == 1 and report.spans == 5 and report.path == out
    assert report.warnings == [f"{tagged}: 2 overlapping spans kept only in doc.spans['reader']"]
    nlp = spacy.blank("en")
    [doc] = list(DocBin().from_disk(out).get_docs(nlp.vocab))
    assert doc.text == TEXT
    assert doc.user_data["reader_id"] == tagged
    # The hand-tagged EVENT wins over the accepted ORG "Apple" and the ORG "Beats" inside it.
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Apple bought Beats", "EVENT"),
        ("New York", "GPE"),
        ("1 August 2014", "DATE"),
    ]
    group = {(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["reader"]}
    assert group == {
        at(TEXT, "Apple", "ORG", "model"),
        at(TEXT, "Apple bought Beats", "EVENT"),
        at(TEXT, "Beats", "ORG"),
        at(TEXT, "New York", "GPE"),
        at(TEXT, "1 August 2014", "DATE"),
    }


@LOADS_SPACY
def test_conll_is_read_by_spacys_converter(library: Library, tagged: str) -> None:
    from spacy.training.converters import conll_ner_to_docs

    other = "Paris is in France."
    paris = add_article(
        library,
        other,
        annotations=[at(other, "Paris", "GPE"), at(other, "France", "GPE")],
        status="done",
    )
    stream = io.StringIO()
    report = export_stream(library, "conll", stream)
    assert report.warnings == [f"{tagged}: 2 overlapping spans left out of the IOB tags"]
    data = stream.getvalue()
    assert "Apple -X- _ B-EVENT\nbought -X- _ I-EVENT\nBeats -X- _ I-EVENT\n" in data
    assert "\n. -X- _ O\n\nTim -X- _ O\n" in data  # a blank line between paragraphs
    docs = list(conll_ner_to_docs(data, no_print=True))
    ents = {
        tagged: [("Apple bought Beats", "EVENT"), ("New York", "GPE"), ("1 August 2014", "DATE")],
        paris: [("Paris", "GPE"), ("France", "GPE")],
    }
    # Articles go out in id order.
    assert [[(e.text, e.label_) for e in doc.ents] for doc in docs] == [
        ents[article] for article in sorted(ents)
    ]


def test_brat_offsets_match_the_txt(library: Library, tagged: str, tmp_path: Path) -> None:
    crossing = "One line\n\nand another"
    other = add_article(library, crossing, annotations=[(4, 13, "X", "manual")])
    out = tmp_path / "brat"
    report = export_library(library, "brat", out)
    assert report.articles == 2
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{tagged}.txt", f"{tagged}.ann", f"{other}.txt", f"{other}.ann", "annotation.conf"]
    )
    for article in (tagged, other):
        text = (out / f"{article}.txt").read_bytes().decode("utf-8")
        assert text == library.get(article).text
        lines = (out / f"{article}.ann").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(library.annotations(article))
        for line in lines:
            tid, what, covered = line.split("\t")
            label, where = what.split(" ", 1)
            fragments = [tuple(map(int, f.split())) for f in where.split(";")]
            assert tid.startswith("T") and label
            assert " ".join(text[s:e] for s, e in fragments) == covered
    assert (out / f"{other}.ann").read_text() == "T1\tX 4 8;10 13\tline and\n"
    conf = (out / "annotation.conf").read_text()
    assert "[entities]\nDATE\nEVENT\nGPE\nORG\nX\n" in conf


def test_doccano_lines(library: Library, tagged: str) -> None:
    stream = io.StringIO()
    export_stream(library, "doccano", stream)
    [line] = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert line["text"] == TEXT and line["meta"]["id"] == tagged
    assert sorted(map(tuple, line["label"])) == sorted(a[:3] for a in [
        at(TEXT, "Apple", "ORG"),
        at(TEXT, "Apple bought Beats", "EVENT"),
        at(TEXT, "Beats", "ORG"),
        at(TEXT, "New York", "GPE"),
        at(TEXT, "1 August 2014", "DATE"),
    ])  # fmt: skip


# -- what is exported -----------------------------------------------------------------------


def predicted(task: dict) -> list[tuple[int, int, str]]:
    """The prediction spans of a task."""
    return [(s["start"], s["end"], s["label"]) for s in task["spans"] if s["source"] == "prediction"]


def test_predictions_only_when_asked_and_rejected_never(library: Library, tagged: str) -> None:
    library.set_status(tagged, "in_progress")
    [plain] = jsonl_lines(library)
    assert {s["source"] for s in plain["spans"]} == {"manual", "model"}
    [task] = jsonl_lines(library, include_predictions=True)
    # "Apple" is annotated already (same offsets); numbers are not predictions.
    assert predicted(task) == [at(TEXT, "Tim Cook", "PERSON")[:3]]
    library.reject(tagged, *at(TEXT, "Tim Cook", "PERSON")[:3])
    [task] = jsonl_lines(library, include_predictions=True)
    assert predicted(task) == []
    # In a done article, what the reader did not accept is not an entity.
    library.unreject(tagged, *at(TEXT, "Tim Cook", "PERSON")[:3])
    library.set_status(tagged, "done")
    [task] = jsonl_lines(library, include_predictions=True)
    assert predicted(task) == []


def test_numbers_only_with_numbers_and_never_num(library: Library) -> None:
    text = "Ann paid $3 billion for 42 boats in the 1990s."
    numbers = [
        span_at(text, "$3 billion", "MONEY", "number"),
        span_at(text, "42", "NUM", "number"),
        span_at(text, "1990s", "NUM", "number"),
    ]
    entities = [span_at(text, "Ann", "PERSON")]
    article = add_article(
        library, text, entities=entities, numbers=numbers, annotations=[at(text, "Ann", "PERSON")]
    )
    for status in ("in_progress", "done"):
        library.set_status(article, status)
        [task] = jsonl_lines(library, include_predictions=True)
        assert all(s["label"] != "NUM" for s in task["spans"])
        assert "MONEY" not in {s["label"] for s in task["spans"]}
        [task] = jsonl_lines(library, numbers=True)
        # spaCy's own number label, as a prediction; reader's NUM never.
        assert predicted(task) == [at(text, "$3 billion", "MONEY")[:3]]
    # An annotation at the same offsets, or a rejection, keeps a number out.
    library.reject(article, *at(text, "$3 billion", "MONEY")[:3])
    [task] = jsonl_lines(library, numbers=True)
    assert predicted(task) == []


def test_articles_with_nothing_to_export_need_all(library: Library, tagged: str) -> None:
    bare = add_article(library, "Nothing tagged here.", entities=[Span(0, 7, "X")])
    library.set_status(tagged, "in_progress")
    assert [t["meta"]["id"] for t in jsonl_lines(library)] == [tagged]
    both = sorted([tagged, bare])  # articles go out in id order
    assert [t["meta"]["id"] for t in jsonl_lines(library, include_all=True)] == both
    everything = jsonl_lines(library, include_predictions=True)
    assert [t["meta"]["id"] for t in everything] == both
    [empty] = [t for t in jsonl_lines(library, include_all=True) if t["meta"]["id"] == bare]
    assert empty["spans"] == [] and empty["tokens"]
    # A done article without a span says something: it holds no entity.
    library.set_status(bare, "done")
    assert [t["meta"]["id"] for t in jsonl_lines(library)] == both


def test_export_reads_one_article_at_a_time(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = sorted(
        add_article(library, f"Article number {n} is here.", annotations=[(0, 7, "X", "manual")])
        for n in range(5)
    )
    read: list[str] = []
    get = Library.get

    def counting_get(self: Library, article_id: str) -> Article:
        read.append(article_id)
        return get(self, article_id)

    written: list[str] = []
    write = jsonl_format.JSONLWriter.write

    def checking_write(self: jsonl_format.JSONLWriter, document: object) -> list[str]:
        # When article n is written, no article after it has been read yet.
        assert read == ids[: len(written) + 1]
        written.append(document.id)
        return write(self, document)

    monkeypatch.setattr(Library, "get", counting_get)
    monkeypatch.setattr(jsonl_format.JSONLWriter, "write", checking_write)
    progress: list[tuple[int, int]] = []
    export_stream(
        library, "jsonl", io.StringIO(), on_progress=lambda d, t, _: progress.append((d, t))
    )
    assert written == ids
    assert progress == [(n, 5) for n in range(1, 6)]


# -- atomic writes --------------------------------------------------------------------------


def fail_after_first(monkeypatch: pytest.MonkeyPatch, writer: type) -> None:
    """Make `writer.write` raise on its second article."""
    write = writer.write
    calls = []

    def failing(self: object, document: object) -> list[str]:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("disk on fire")
        return write(self, document)

    monkeypatch.setattr(writer, "write", failing)


def test_a_failed_export_leaves_the_previous_file_as_it_was(
    library: Library, tagged: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_article(library, "Berlin is big.", annotations=[(0, 6, "GPE", "manual")])
    out = tmp_path / "out" / "data.jsonl"
    export_library(library, "jsonl", out)
    good = out.read_bytes()
    assert good.count(b"\n") == 2
    library.add_annotations(tagged, [at(TEXT, "Tim Cook", "PERSON")])
    fail_after_first(monkeypatch, jsonl_format.JSONLWriter)
    with pytest.raises(RuntimeError, match="disk on fire"):
        export_library(library, "jsonl", out)
    assert out.read_bytes() == good
    assert [p.name for p in out.parent.iterdir()] == ["data.jsonl"]  # no temporary file left


def test_a_failed_brat_export_leaves_the_previous_folder(
    library: Library, tagged: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.export import brat

    add_article(library, "Berlin is big.", annotations=[(0, 6, "GPE", "manual")])
    out = tmp_path / "brat"
    export_library(library, "brat", out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    fail_after_first(monkeypatch, brat.BratWriter)
    with pytest.raises(RuntimeError):
        export_library(library, "brat", out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brat", "data"]
    monkeypatch.undo()
    # A previous export is replaced; a folder of other things is not, unless forced.
    library.remove(tagged)
    export_library(library, "brat", out)
    assert len(list(out.glob("*.txt"))) == 1
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.md").write_text("keep me")
    with pytest.raises(ExportError, match="not a brat export"):
        export_library(library, "brat", mine)
    assert (mine / "notes.md").read_text() == "keep me"
    export_library(library, "brat", mine, force=True)
    assert not (mine / "notes.md").exists()


# -- the command line -------------------------------------------------------------------------


def test_cli_export_to_stdout_file_and_folder(
    capsys: pytest.CaptureFixture[str], library: Library, tagged: str, tmp_path: Path
) -> None:
    status, out, err = run(capsys, "export")
    assert status == 0
    [task] = [json.loads(line) for line in out.splitlines()]
    assert task["meta"]["id"] == tagged
    assert "exported 1 article and 5 spans as jsonl" in err

    status, out, err = run(capsys, "export", "--format", "conll", "-o", "-", tagged[:6])
    assert status == 0 and out.startswith("-DOCSTART- -X- O O\n")
    assert f"{tagged}: 2 overlapping spans left out of the IOB tags" in err

    status, out, err = run(capsys, "export", "--format", "spacy")
    assert status == 1 and out == "" and "give -o" in err

    status, _, err = run(capsys, "export", "-f", "brat", "-o", str(tmp_path / "b"), "--all")
    assert status == 0 and (tmp_path / "b" / f"{tagged}.ann").is_file()

    status, _, err = run(capsys, "export", "nosuchid")
    assert status == 1 and "no article with id 'nosuchid'" in err


@LOADS_SPACY
def test_cli_export_of_a_docbin_into_a_folder(
    capsys: pytest.CaptureFixture[str], library: Library, tagged: str, tmp_path: Path
) -> None:
    target = tmp_path / "exports"
    target.mkdir()
    status, out, err = run(
        capsys, "export", "-f", "spacy", "-o", str(target), "--include-predictions"
    )
    assert status == 0 and (target / "reader.spacy").is_file()
    assert f"{tagged}: 2 overlapping spans kept only in doc.spans['reader']" in err


def test_formats_are_listed_with_their_extensions() -> None:
    assert {name: f.extension for name, f in FORMATS.items()} == {
        "jsonl": ".jsonl",
        "doccano": ".jsonl",
        "spacy": ".spacy",
        "conll": ".conll",
        "brat": "",
    }


@SPAWNS_PROCESSES
def test_export_imports_neither_textual_nor_spacy() -> None:
    code = (
        "import sys\n"
        "import reader.export, reader.cli.exchange, reader.importing\n"
        "from reader.export import jsonl, doccano, conll, brat\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'spacy', 'thinc')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_progress_bar_only_on_a_terminal_and_for_more_than_one_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reader.cli.output import Progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with Progress("exporting", itemised=False) as progress:
        progress.update(1, 5, "a")
        assert progress._bar is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with Progress("exporting", itemised=False) as progress:
        progress.update(1, 1, "a")
        assert progress._bar is None
        progress.update(1, 5, "a")
        assert progress._bar is not None
