"""Which articles an export lists and reads: from the store's file names, one at a time, and
the same bytes to a file as to stdout."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.export import export_library, export_stream
from reader.export.document import ExportDocument
from reader.export.selection import select_spans
from reader.store import Library
from reader.text import word_spans
from tests.conftest import SPAWNS_PROCESSES
from tests.test_export import add_article, at
from tests.test_export_tokens import TEXTS, general_line


@pytest.fixture
def library(data_dir: Path) -> Library:
    """An empty library in this test's data dir."""
    return Library(data_dir)


def test_export_lists_articles_from_file_names_not_the_index(
    library: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    texts = [f"Article {n} names Paris." for n in range(4)]
    tagged = [add_article(library, t, annotations=[at(t, "Paris", "GPE")]) for t in texts[:2]]
    bare = [add_article(library, t) for t in texts[2:]]
    emptied = add_article(
        library, "Tagged once, then untagged.", annotations=[(0, 6, "X", "manual")]
    )
    [annotation] = library.annotations(emptied)
    library.remove_annotation(emptied, annotation.id)

    def no_index(self: Library, *args: object) -> None:
        raise AssertionError("the export read the whole catalog")

    monkeypatch.setattr(Library, "summaries", no_index)
    out = tmp_path / "out.jsonl"
    report = export_library(library, "jsonl", out)
    assert [json.loads(line)["meta"]["id"] for line in out.read_text().splitlines()] == sorted(
        tagged
    )
    assert (report.articles, report.skipped) == (2, 3)  # two bare, one with none left
    every = export_stream(library, "jsonl", io.StringIO(), include_all=True)
    assert (every.articles, every.skipped) == (5, 0)
    assert library.stored_ids() == sorted([*tagged, *bare, emptied])
    assert library.stored_ids(annotated=True) == sorted([*tagged, emptied])


def test_an_annotation_file_without_its_article_is_skipped(library: Library) -> None:
    text = "Berlin is big."
    kept = add_article(library, text, annotations=[at(text, "Berlin", "GPE")])
    other = "Rome is old."
    gone = add_article(library, other, annotations=[at(other, "Rome", "GPE")])
    (library.articles_dir / f"{gone}.json").unlink()  # as a kill between two unlinks leaves it
    stream = io.StringIO()
    report = export_stream(library, "jsonl", stream)
    assert [json.loads(line)["meta"]["id"] for line in stream.getvalue().splitlines()] == [kept]
    assert report.skipped == 0  # not an article at all: nothing to skip


def test_a_file_gets_the_bytes_stdout_gets_as_text(library: Library, tmp_path: Path) -> None:
    for text in TEXTS:
        start, end = word_spans(text)[0]
        add_article(library, text, annotations=[(start, end, "X", "manual")])
    out = tmp_path / "out.jsonl"
    export_library(library, "jsonl", out)
    stream = io.StringIO()
    export_stream(library, "jsonl", stream)
    assert out.read_bytes() == stream.getvalue().encode("utf-8")
    # Not splitlines(): JSON leaves U+0085 and U+2028 as they are, and those split lines too.
    lines = [json.loads(line) for line in stream.getvalue().split("\n")[:-1]]
    assert len(lines) == len(TEXTS)
    for task in lines:
        article = library.get(task["meta"]["id"])
        state = library.article_state(article.id)
        document = ExportDocument(article, select_spans(article, state), state.status)
        assert json.dumps(task, ensure_ascii=False) + "\n" == general_line(document)


@SPAWNS_PROCESSES
def test_a_source_a_megabyte_long_exports_at_once(library: Library, data_dir: Path) -> None:
    """A source edited by hand to a megabyte with no folder in it: cutting the folders off is
    one search, not a pattern that backtracks from every position (hours, at this size)."""
    text = "Berlin is big."
    article_id = add_article(library, text, annotations=[at(text, "Berlin", "GPE")])
    path = data_dir / "articles" / f"{article_id}.json"
    data = json.loads(path.read_text())
    data["tables"]["article"]["1"]["source"] = "x" * 1_000_000
    path.write_text(json.dumps(data))
    done = subprocess.run(
        [sys.executable, "-m", "reader", "export", "-o", "-"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["meta"]["source"] == "x" * 1_000_000
