"""`reader import` of hostile files: the limits ingest has, bounded memory, all or nothing.

Each test is a reproduction of a fault found by trying: it failed (a hang, gigabytes of
memory, a traceback, a half-stored file, an escape sequence on the terminal) before import
had these limits. Every refusal is one line naming the file (and the line), with exit 1,
and leaves the store as it was.
"""

from __future__ import annotations

import json
import os
import signal
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.config import load as load_config
from reader.importing.reading import MAX_LINE_BYTES
from reader.store import Library
from reader.text import article_id
from tests.test_export import run
from tests.test_import import no_model, stored, write_lines  # noqa: F401  (no_model: autouse)


@pytest.fixture
def library(data_dir: Path) -> Library:
    """An empty library in this test's data dir."""
    return Library(data_dir)


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail the test, rather than hang, if it takes more than 20 seconds."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("the import hung")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def files_of(data_dir: Path) -> dict[str, bytes]:
    """Every file of the store, for comparing before and after."""
    return {
        str(p.relative_to(data_dir)): p.read_bytes()
        for p in sorted(data_dir.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


def refused(capsys: pytest.CaptureFixture[str], data_dir: Path, path: Path | str, *flags: str) -> str:
    """Import `path`: it must fail with one line naming it and store nothing; returns the line."""
    before = files_of(data_dir)
    status, out, err = run(capsys, "import", *flags, str(path))
    assert (status, out) == (1, ""), err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(str(path)), err
    assert files_of(data_dir) == before
    return lines[0]


def good(n: int) -> dict[str, object]:
    text = f"Report {n}: the minister met officials in Vienna."
    start = text.index("Vienna")
    return {"text": text, "spans": [{"start": start, "end": start + 6, "label": "GPE"}]}


# -- what the file is --------------------------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, deadline: None
) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    line = refused(capsys, data_dir, fifo)
    assert line == f"{fifo}: not a regular file (a FIFO or a device could block or never end)"


def test_dev_zero_is_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, deadline: None
) -> None:
    assert "not a regular file" in refused(capsys, data_dir, "/dev/zero")


def test_a_folder_and_an_empty_file_are_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    assert refused(capsys, data_dir, tmp_path) == f"{tmp_path}: is a folder"
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    assert refused(capsys, data_dir, empty) == f"{empty}: empty file"


def test_a_30_mb_line_is_refused_at_the_line_limit_in_bounded_memory(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, deadline: None
) -> None:
    path = tmp_path / "long.jsonl"
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(good(1)) + "\n")
        f.write('{"text": "' + "word " * (30 * 2**20 // 5) + '", "spans": []}\n')
    started = time.monotonic()
    tracemalloc.start()
    try:
        line = refused(capsys, data_dir, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert line == (
        f"{path}:2: the line is longer than {MAX_LINE_BYTES:,} bytes, the most one article may "
        "take (as with ingest): the file is not read further"
    )
    assert time.monotonic() - started < 10
    assert peak < MAX_LINE_BYTES * 2.5, f"{peak:,} bytes for a line limit of {MAX_LINE_BYTES:,}"


def test_a_huge_file_without_line_breaks_is_read_no_further_than_the_limit(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, deadline: None
) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.truncate(64 * 2**30)  # 64 GiB of zeros, sparse: costs no disk
    started = time.monotonic()
    assert refused(capsys, data_dir, path).startswith(f"{path}:1: the line is longer than")
    assert time.monotonic() - started < 10


def test_a_paragraph_longer_than_ingest_allows_is_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    text = "word " * 30_000
    path = write_lines(tmp_path / "p.jsonl", [{"text": text, "spans": []}])
    status, _, err = run(capsys, "import", str(path))
    assert status == 1
    assert err.startswith(f'{path}:1: "text" has a paragraph of more than 100,000 characters')


# -- what a line holds -------------------------------------------------------------------------


def test_deeply_nested_json_is_one_line_not_a_recursion_error(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "nested.jsonl"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    before = files_of(data_dir)
    status, _, err = run(capsys, "import", str(path))
    assert status == 1 and "Traceback" not in err and "RecursionError" not in err
    assert f"{path}:1: not valid JSON: nested too deeply" in err.splitlines()
    assert files_of(data_dir) == before


def test_an_integer_of_a_million_digits_is_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "digits.jsonl"
    path.write_text('{"text": "Paris", "spans": [{"start": ' + "9" * 10**6 + ', "end": 5}]}\n')
    status, _, err = run(capsys, "import", str(path))
    assert status == 1 and f"{path}:1: not valid JSON: " in err and "Traceback" not in err


def test_a_lone_surrogate_label_on_line_41_refuses_the_whole_file(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "surrogate.jsonl"
    lines = [json.dumps(good(n)) for n in range(40)]
    lines.append('{"text": "Ann Lee spoke.", "spans": [{"start": 0, "end": 7, "label": "PER\\ud800SON"}]}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = files_of(data_dir)
    status, _, err = run(capsys, "import", str(path))
    assert status == 1
    assert err.splitlines() == [
        f'{path}:41: span 0-7: label "PER\\ud800SON" has white space, control or invisible '
        "characters in it",
        f"{path}: nothing stored: 1 bad line (--skip-invalid stores the good lines)",
    ]
    assert files_of(data_dir) == before  # not the 40 good lines either


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        ("PER\u200bSON", 'label "PER\\u200bSON" has white space, control or invisible characters'),
        ("GPE\u2060", 'label "GPE\\u2060" has white space, control or invisible characters'),
        ("X" * 100_000, "the label is 100,000 characters long (at most 40)"),
        ("", "the label is not a non-empty string"),
        ("TWO WORDS", 'label "TWO WORDS" has white space'),
    ],
    ids=["zero-width space", "word joiner", "100,000 characters", "empty", "space"],
)
def test_labels_that_are_not_names_are_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, label: str, reason: str
) -> None:
    path = write_lines(tmp_path / "l.jsonl", [{"text": "Paris in May.", "label": [[0, 5, label]]}])
    status, _, err = run(capsys, "import", str(path))
    assert status == 1
    [first, _] = err.splitlines()
    assert first.startswith(f"{path}:1: span 0-5") and reason in first, first
    assert len(first) < 200


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"text": "Paris  in May.", "label": [[5, 7, "GPE"]]}, "span 5-7 holds only white space"),
        ({"text": "Paris\u200b in May.", "label": [[5, 6, "GPE"]]}, "span 5-6 holds only white space or invisible"),
        ({"text": "\u200b\u200b\u200b", "label": []}, '"text" has nothing to read: only white space or invisible'),
        ({"text": " \n\u3000", "label": []}, '"text" has nothing to read'),
        ({"text": "Paris", "label": [[4, 2, "GPE"]]}, "span 4-2 is reversed"),
        ({"text": "Paris", "label": [[0, 5, "GPE"]], "meta": "x"}, None),
    ],
    ids=["white space", "zero-width space", "only zero-width spaces", "only white space", "reversed", "good"],
)
def test_spans_and_texts_with_nothing_to_read_are_refused(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, line: dict, reason: str | None
) -> None:
    path = write_lines(tmp_path / "s.jsonl", [line])
    status, _, err = run(capsys, "import", str(path))
    if reason is None:
        assert status == 0, err
        return
    assert status == 1
    assert err.splitlines()[0].startswith(f"{path}:1: {reason}"), err


def test_spans_that_cut_a_token_are_snapped_to_it_and_said(
    capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path
) -> None:
    text = "Emmanuel Macron visited Berlin on Monday."
    path = write_lines(
        tmp_path / "cut.jsonl",
        [{"text": text, "label": [[1, 15, "PERSON"], [24, 30, "GPE"], [23, 28, "LOC"]]}],
    )
    status, _, err = run(capsys, "import", str(path))
    assert status == 0, err
    assert err.splitlines() == [
        f"{path}:1: span 1-15 snapped to whole tokens: 0-15 'Emmanuel Macron'",
        f"{path}:1: span 23-28 snapped to whole tokens: 24-30 'Berlin'",
        f"{path}: 1 new article, 3 annotations added, 2 snapped to whole tokens",
    ]
    assert stored(library, article_id(text)) == {
        (0, 15, "PERSON", "manual"),
        (24, 30, "GPE", "manual"),
        (24, 30, "LOC", "manual"),
    }


# -- names -------------------------------------------------------------------------------------


def test_an_escape_sequence_in_a_file_name_reaches_neither_terminal_nor_store(
    capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path
) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    path = write_lines(folder / "\x1b]52;c;aGFja2Vk\x07", [good(1)])
    status, out, err = run(capsys, "import", str(path))
    assert status == 0, err
    assert "\x1b" not in err + out and "\x07" not in err + out
    # An escape sequence is removed whole, its arguments with it.
    assert f"{tmp_path}/x/: 1 new article" in err
    [article] = library.ids()
    assert library.get(article).source == f"{tmp_path}/x/"
    bad = write_lines(folder / "\x1b]2;TITLE\x07.jsonl", ["{"])
    status, _, err = run(capsys, "import", str(bad))
    assert status == 1 and "\x1b" not in err and "\x07" not in err
    assert f"{tmp_path}/x/.jsonl:1: not valid JSON" in err


def test_a_span_text_with_escapes_is_shown_escaped(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    line = {"text": "Paris", "spans": [{"start": 0, "end": 5, "label": "GPE", "text": "\x1b[2J\x9b31m"}]}
    status, _, err = run(capsys, "import", str(write_lines(tmp_path / "e.jsonl", [line])))
    assert status == 1 and "\x1b" not in err and "\x9b" not in err
    assert 'says "\\u001b[2J\\u009b31m" but the text there is "Paris"' in err


# -- labels and the label set ------------------------------------------------------------------


def test_labels_outside_the_label_set_are_refused_with_the_list_unless_added(
    capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path
) -> None:
    lines = [
        {"text": "Paris in May.", "label": [[0, 5, "CITY"]]},
        {"text": "Rome in June.", "label": [[0, 4, "gpe"], [8, 12, "month"]]},
    ]
    path = write_lines(tmp_path / "labels.jsonl", lines)
    before = files_of(library.root)
    status, _, err = run(capsys, "import", "--skip-invalid", str(path))
    assert status == 1
    assert err.splitlines() == [
        f"{path}: nothing stored: 2 labels not in the label set: CITY, MONTH (first on line 1); "
        "add them to the config, or import with --add-labels"
    ]
    assert files_of(library.root) == before
    status, _, err = run(capsys, "import", "--add-labels", str(path))
    assert status == 0, err
    config = load_config()
    assert f"{path}: labels added to {config.path}: CITY, MONTH" in err
    added = {label.name: label for label in config.labels[-2:]}
    assert set(added) == {"CITY", "MONTH"}
    colors = [label.color for label in config.labels]
    assert len(set(colors[-2:])) == 2 and not set(colors[-2:]) & set(colors[:-2])
    # "gpe" was taken as GPE, which the label set has.
    assert stored(library, article_id("Rome in June.")) == {
        (0, 4, "GPE", "manual"),
        (8, 12, "MONTH", "manual"),
    }


def test_a_prodigy_dump_with_text_classification_lines_imports_its_span_lines(
    capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path
) -> None:
    lines = [
        {"text": "Great match in Madrid.", "label": "SPORTS", "answer": "accept"},
        {"text": "Talks in Oslo.", "options": [{"id": "A"}], "accept": ["A"], "answer": "accept"},
        {"text": "Talks in Oslo.", "spans": [{"start": 9, "end": 13, "label": "GPE"}], "answer": "accept"},
        {"text": "Rain in Rome.", "label": "WEATHER", "spans": [], "answer": "accept"},
    ]
    status, _, err = run(capsys, "import", str(write_lines(tmp_path / "dump.jsonl", lines)))
    assert status == 0, err
    assert err.endswith(
        "1 new article, 1 annotation added, 3 lines without spans (text classification) skipped\n"
    )
    assert library.ids() == [article_id("Talks in Oslo.")]


def test_utf16_offsets_on_import(
    capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path
) -> None:
    text = "🎉🎉 Party in Paris"
    # doccano counts each emoji as two: "Paris" is 12-17 in characters, 14-19 in UTF-16.
    path = write_lines(tmp_path / "d.jsonl", [{"text": text, "label": [[14, 19, "GPE"]]}])
    status, _, err = run(capsys, "import", "--offsets", "utf16", str(path))
    assert status == 0, err
    assert stored(library, article_id(text)) == {(12, 17, "GPE", "manual")}
    cut = write_lines(tmp_path / "cut.jsonl", [{"text": text, "label": [[1, 5, "X"]]}])
    status, _, err = run(capsys, "import", "--offsets", "utf16", str(cut))
    assert status == 1 and f"{cut}:1: span 1: UTF-16 offset 1 cuts a character in two" in err


def test_a_file_of_many_bad_lines_keeps_the_first_and_counts_the_rest(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every bad line's message was kept to the end of the read: a 50 MB file of bad lines
    took 250 MB. The report keeps the first ones and counts the others."""
    from reader.importing import KEPT, import_file

    bad = {"text": "Alpha beta gamma.", "spans": [{"start": 0, "end": 99, "label": "GPE"}]}
    path = write_lines(tmp_path / "bad.jsonl", [bad] * (KEPT * 3))
    report = import_file(library, path)
    assert report.bad_lines == KEPT * 3 and len(report.errors) == KEPT
    status, _, err = run(capsys, "import", str(path))
    assert status == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"{path}:1: ")
    assert f"{path}: {KEPT * 2} more bad lines" in lines
    assert f"{path}: nothing stored: {KEPT * 3} bad lines (--skip-invalid stores the good lines)" in lines
    assert len(lines) == KEPT + 2
    assert library.count() == 0


def test_an_offset_of_thousands_of_digits_is_shortened_in_the_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "big.jsonl"
    text = "Emomali Rahmon met officials in Dushanbe."
    end = "9" * 4000  # too long a number for json.dumps to write, not for json.loads to read
    path.write_text(f'{{"text": "{text}", "spans": [{{"start": 0, "end": {end}, "label": "PERSON"}}]}}\n')
    status, _, err = run(capsys, "import", str(path))
    assert status == 1
    assert f"{path}:1: span 0-9999999999999999999… is outside the text (0-41)" in err
    assert max(len(line) for line in err.splitlines()) < 300
