"""Export against hostile names and careless targets, and exports that are killed.

An export never writes into the library's data dir; the paths it prints are cleaned; a kill
-9 leaves no worker running, and what it leaves on disk is swept by the next export.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.article import Article
from reader.export import ExportError, export_library, export_stream
from reader.store import Library
from reader.text import article_id
from tests.conftest import ROOT
from tests.test_export import TEXT, add_article, analysis_for, at, run
from tests.test_import_hostile import files_of


@pytest.fixture
def library(data_dir: Path) -> Library:
    """A library of two articles, one done and one in progress."""
    library = Library(data_dir)
    add_article(library, TEXT, annotations=[at(TEXT, "Apple", "ORG")], status="done")
    other = "Tim Cook visited Berlin."
    add_article(library, other, annotations=[at(other, "Berlin", "GPE")], status="in_progress")
    return library


@pytest.mark.parametrize(
    ("format", "target"),
    [
        ("jsonl", "library.json"),
        ("jsonl", "articles/new.jsonl"),
        ("spacy", "."),  # a folder: reader.spacy inside it
        ("brat", "annotations"),
        ("brat", ".."),  # would replace the folder that holds the data dir
    ],
)
def test_no_export_writes_into_the_data_dir(
    capsys: pytest.CaptureFixture[str], library: Library, data_dir: Path, format: str, target: str
) -> None:
    before = files_of(data_dir)
    parent = sorted(p.name for p in data_dir.parent.iterdir())
    out = data_dir / target
    status, stdout, err = run(capsys, "export", "-f", format, "-o", str(out), "--force")
    assert (status, stdout) == (1, "")
    [line] = err.splitlines()
    assert line.startswith("reader: ") and "data dir" in line, line
    assert files_of(data_dir) == before
    assert sorted(p.name for p in data_dir.parent.iterdir()) == parent


def test_a_link_into_the_data_dir_is_refused_too(
    library: Library, data_dir: Path, tmp_path: Path
) -> None:
    link = tmp_path / "looks-harmless.jsonl"
    link.symlink_to(data_dir / "library.json")
    before = files_of(data_dir)
    with pytest.raises(ExportError, match="inside the library's data dir"):
        export_library(library, "jsonl", link)
    assert files_of(data_dir) == before


def test_export_paths_are_printed_clean(
    capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path
) -> None:
    out = tmp_path / "x\x1b]0;T\x07.jsonl"
    status, _, err = run(capsys, "export", "-o", str(out))
    assert status == 0 and out.is_file()
    assert "\x1b" not in err and "\x07" not in err
    assert f"to {tmp_path}/x.jsonl" in err
    folder = tmp_path / "brat\x1b[2J"
    folder.mkdir()
    (folder / "mine.md").write_text("keep")
    status, _, err = run(capsys, "export", "-f", "brat", "-o", str(folder))
    assert status == 1 and "\x1b" not in err and f"{tmp_path}/brat is not empty" in err


def test_the_source_is_exported_without_local_folders_unless_asked(data_dir: Path) -> None:
    library = Library(data_dir)
    sources = {
        "Local file here.": ("/home/alice/private/leaks/story.html", "story.html"),
        "Windows file here.": ("C:\\Users\\alice\\story.txt", "story.txt"),
        "Relative file here.": ("notes/today.md", "today.md"),
        "Web page here.": ("https://example.org/news/1", "https://example.org/news/1"),
        "Piped text here.": ("<stdin>", "<stdin>"),
    }
    for text, (source, _) in sources.items():
        article = Article(article_id(text), text, source, analysis=analysis_for(text))
        library.add_many([article])
        library.set_status(article.id, "done")
    for full in (False, True):
        stream = io.StringIO()
        export_stream(library, "jsonl", stream, full_source=full)
        tasks = [json.loads(line) for line in stream.getvalue().splitlines()]
        shown = {task["text"]: task["meta"]["source"] for task in tasks}
        assert shown == {text: pair[0] if full else pair[1] for text, pair in sources.items()}


def test_doccano_offsets_in_utf16(library: Library) -> None:
    text = "🎉🎉 Party in Paris"
    add_article(library, text, annotations=[at(text, "Paris", "GPE")], status="done")
    lines = {}
    for offsets in ("chars", "utf16"):
        stream = io.StringIO()
        export_stream(library, "doccano", stream, offsets=offsets)
        lines[offsets] = {json.loads(x)["text"]: json.loads(x)["label"] for x in stream.getvalue().splitlines()}
    assert lines["chars"][text] == [[12, 17, "GPE"]]
    assert lines["utf16"][text] == [[14, 19, "GPE"]]
    assert lines["chars"][TEXT] == lines["utf16"][TEXT]  # no character beyond the BMP
    with pytest.raises(ExportError, match="the jsonl format counts offsets in characters only"):
        export_stream(library, "jsonl", io.StringIO(), offsets="utf16")


def test_brat_conf_lets_entities_overlap(library: Library, tmp_path: Path) -> None:
    export_library(library, "brat", tmp_path / "brat")
    conf = (tmp_path / "brat" / "annotation.conf").read_text()
    # brat's verify_annotations.py refuses overlapping spans unless the [relations] section
    # has an <OVERLAP> rule between their types with <OVL-TYPE> <ANY> (contain, equal, cross).
    relations = conf.split("[relations]\n", 1)[1].split("\n[", 1)[0]
    assert relations.strip() == "<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"


def test_predictions_with_done_only_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], library: Library
) -> None:
    status, out, err = run(capsys, "export", "--done-only", "--include-predictions")
    assert (status, out) == (1, "")
    assert err == (
        "reader: predictions go to articles not marked done, and only done ones were asked for\n"
    )


# -- killed exports ----------------------------------------------------------------------------

# An export whose writer takes its time, so that it can be killed while its workers run.
_SLOW_EXPORT = """
import sys, time
from pathlib import Path
from reader.export import export_library, jsonl
from reader.store import Library

write = jsonl.JSONLWriter.write
def slow(self, document):
    time.sleep(0.05)
    return write(self, document)
jsonl.JSONLWriter.write = slow
print("started", flush=True)
export_library(Library(Path(sys.argv[1])), "jsonl", Path(sys.argv[2]), jobs=2)
"""


def children(pid: int) -> set[int]:
    """The processes `pid` started (Linux)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended; only its parent's wait is missing.
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="lists children through /proc")
def test_a_killed_export_leaves_no_worker_and_the_next_sweeps_its_leftovers(
    library: Library, tmp_path: Path
) -> None:
    for n in range(60):
        text = f"Article {n} says Berlin is big."
        add_article(library, text, annotations=[at(text, "Berlin", "GPE")], status="done")
    spool = tmp_path / "tmp"
    spool.mkdir()
    out = tmp_path / "out" / "data.jsonl"
    out.parent.mkdir()
    env = {**os.environ, "TMPDIR": str(spool), "PYTHONPATH": str(ROOT)}
    export = subprocess.Popen(
        [sys.executable, "-c", _SLOW_EXPORT, str(library.root), str(out)],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert export.stdout is not None and export.stdout.readline() == b"started\n"
    deadline = time.monotonic() + 30
    while len(children(export.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = children(export.pid)
    assert len(workers) >= 2
    time.sleep(0.3)  # the workers are rendering chunks
    export.send_signal(signal.SIGKILL)
    export.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), "workers outlived the export"
    left = sorted(p.name for p in out.parent.iterdir())
    assert left and all(name.startswith(".data.jsonl.") and name.endswith(".tmp") for name in left)
    assert [p.name for p in spool.iterdir() if p.name.startswith("reader-export-")]
    # The next export sweeps what the dead one left, here and in the temp dir.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tempfile.tempdir", str(spool))
        export_library(library, "jsonl", out, jobs=2)
    assert [p.name for p in out.parent.iterdir()] == ["data.jsonl"]
    assert list(spool.iterdir()) == []


def test_a_target_that_cannot_be_written_is_one_line(
    capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    blocker = tmp_path / "file"
    blocker.write_text("")
    for target in (blocker / "out.jsonl", locked / "sub" / "out.jsonl"):
        if target.parent.parent == locked:
            locked.chmod(0o500)
            if os.access(locked, os.W_OK):
                continue  # root writes anywhere
        status, out, err = run(capsys, "export", "-o", str(target))
        locked.chmod(0o700)
        assert (status, out) == (1, "")
        [line] = err.splitlines()
        assert line.startswith(f"reader: {target}: cannot write the export: "), line


def test_a_lone_surrogate_in_a_store_file_is_read_as_a_space(
    capsys: pytest.CaptureFixture[str], library: Library, tmp_path: Path
) -> None:
    """UTF-8 cannot hold a lone surrogate: the store reads one a hand-edited file holds as a
    space (offsets stay true), so the export writes the article instead of failing."""
    [done] = [i for i in library.stored_ids() if library.article_state(i).status == "done"]
    path = library.articles_dir / f"{done}.json"
    path.write_bytes(path.read_bytes().replace(b"Apple bought", b"\\udc80pple bought"))
    status, out, err = run(capsys, "export", "-o", str(tmp_path / "out.jsonl"))
    assert (status, out) == (0, "")
    [task] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines() if done in line]
    assert " pple bought" in task["text"]


def test_a_stored_label_with_a_space_keeps_conll_and_brat_lines_whole(data_dir: Path, tmp_path: Path) -> None:
    """Labels were once named with spaces (`FLOOD VICTIM`); CoNLL and brat separate their
    fields by white space, so such a label split every line it was on."""
    library = Library(data_dir)
    text = "Emomali Rahmon met officials in Dushanbe."
    aid = add_article(library, text, annotations=[at(text, "Emomali Rahmon", "FLOOD VICTIM")], status="done")
    stream = io.StringIO()
    export_stream(library, "conll", stream)
    rows = [line.split() for line in stream.getvalue().splitlines() if line and not line.startswith("-DOCSTART-")]
    assert [row[-1] for row in rows[:3]] == ["B-FLOOD_VICTIM", "I-FLOOD_VICTIM", "O"]
    assert {len(row) for row in rows} == {len(rows[0])}
    export_library(library, "brat", tmp_path / "brat")
    assert (tmp_path / "brat" / f"{aid}.ann").read_text() == "T1\tFLOOD_VICTIM 0 14\tEmomali Rahmon\n"
    assert "\nFLOOD_VICTIM\n" in (tmp_path / "brat" / "annotation.conf").read_text()
