"""Inputs: files, folders, stdin and the failures each must report instead of raising."""

from __future__ import annotations

import builtins
import gzip
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import reader.ingest as ingest
from reader.ingest import IngestError, Result, expand_inputs, ingest_inputs, sniff_kind
from reader.ingest import files as files_module
from reader.ingest import folder as folder_module
from reader.text import is_safe
from tests.conftest import ROOT, SEED, SPAWNS_PROCESSES

ARTICLE = (
    "A Title Long Enough To Be A Title\n\nThe body of the article, which is a sentence of prose.\n"
)


def one(inputs: list[str], **options: object) -> Result:
    """The single Result for inputs that give exactly one."""
    results = list(ingest_inputs(inputs, **options))  # type: ignore[arg-type]
    assert len(results) == 1, results
    return results[0]


def test_missing_file() -> None:
    """A path that does not exist is reported as not found."""
    result = one(["/no/such/article.txt"])
    assert (result.input, result.draft, result.error) == ("/no/such/article.txt", None, "not found")


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \r\n"], ids=["zero-bytes", "whitespace"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    """An empty or blank file is reported as empty."""
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert one([str(path)]).error == "empty file"


def test_binary_file(tmp_path: Path) -> None:
    """A file with NUL bytes is reported as binary, whatever its name says."""
    path = tmp_path / "photo.txt"
    path.write_bytes(b"JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00")
    assert one([str(path)]).error == "binary file (NUL bytes)"


def test_size_limit_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file over the limit is refused from its size alone: it is never opened."""
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk and no time

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(files_module, "open", refuse, raising=False)
    assert one([str(path)]).error == "over the size limit (52,428,800 bytes > 20,971,520)"
    assert one([str(path)], max_bytes=100 * 1024 * 1024).error.startswith(
        "unexpected error: AssertionError"
    )


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that cannot be read is reported as such (simulated: tests may run as root)."""
    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    if os.geteuid() != 0:
        path.chmod(0)
    else:
        real_open = builtins.open

        def denied(file: object, *args: object, **kwargs: object) -> object:
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(files_module, "open", denied, raising=False)
    assert one([str(path)]).error == "permission denied"


def test_not_a_regular_file(tmp_path: Path) -> None:
    """A FIFO is refused rather than read (it could block forever)."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert one([str(fifo)]).error == "not a regular file"


def test_gzipped_page(tmp_path: Path) -> None:
    """A saved page.html.gz is unpacked and read as HTML."""
    html = (
        "<html><head><title>Gzipped Page Title Here</title></head><body><article>"
        + "<p>A paragraph of the gzipped article that is long enough to count as prose.</p>" * 4
        + "</article></body></html>"
    )
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(html.encode("utf-8")))
    draft = one([str(path)]).draft
    assert draft is not None and draft.title == "Gzipped Page Title Here"


def test_suffix_that_lies_is_corrected(tmp_path: Path) -> None:
    """A page saved as .txt is read as HTML; plain words saved as .html are read as text."""
    page = tmp_path / "saved.txt"
    page.write_text(
        "<!DOCTYPE html><html><head><title>Saved Page Title Here</title></head><body><article>"
        + "<p>A paragraph of the saved page that is long enough to count as prose.</p>" * 3
        + "</article></body></html>",
        encoding="utf-8",
    )
    words = tmp_path / "words.html"
    words.write_text(
        "Plain Words Title Line\n\nJust a sentence of plain text, no tags.\n", encoding="utf-8"
    )
    saved, plain = list(ingest_inputs([str(page), str(words)]))
    assert saved.draft is not None and saved.draft.title == "Saved Page Title Here"
    assert plain.draft is not None and plain.draft.title == "Plain Words Title Line"
    assert plain.draft.paragraphs == ["Just a sentence of plain text, no tags."]


def make_tree(root: Path) -> None:
    """A folder of articles with hidden entries, other kinds of file and nested folders."""
    (root / "b").mkdir(parents=True)
    (root / "b" / "inner").mkdir()
    (root / ".hidden").mkdir()
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "c.md").write_text("# Markdown Title\n\nSome text in markdown.\n", encoding="utf-8")
    (root / "b" / "d.html").write_text(
        "<html><body><article><p>An HTML article paragraph with enough words in it.</p></article></body></html>",
        encoding="utf-8",
    )
    (root / "b" / "inner" / "e.text").write_text(ARTICLE, encoding="utf-8")
    (root / "b" / "empty.txt").write_text("", encoding="utf-8")
    (root / ".hidden" / "skip.txt").write_text(ARTICLE, encoding="utf-8")
    (root / ".dotfile.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "notes.json").write_text("{}", encoding="utf-8")


def test_folder_walk_sorted_recursive_hidden_skipped(tmp_path: Path) -> None:
    """Folders are walked depth first in name order; hidden and unknown files are skipped."""
    root = tmp_path / "articles"
    make_tree(root)
    results = list(ingest_inputs([str(root)]))
    names = [os.path.relpath(r.input, root) for r in results]
    assert names == ["a.txt", "b/d.html", "b/empty.txt", "b/inner/e.text", "c.md"]
    assert [r.error for r in results] == [None, None, "empty file", None, None]
    assert results[0].draft is not None and results[0].draft.source == str(root / "a.txt")
    assert expand_inputs([str(root), "-"]) == [str(root / n) for n in names] + ["-"]


def test_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    """A link from a folder back to its parent does not make the walk loop."""
    root = tmp_path / "loop"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "x.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "sub" / "back").symlink_to(root, target_is_directory=True)
    (root / "self").symlink_to(root / "sub", target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    results = list(ingest_inputs([str(root)]))
    assert [(os.path.relpath(r.input, root), r.error) for r in results] == [
        ("dangling.txt", "broken symbolic link"),
        ("self/x.txt", None),
    ]


def test_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder inside the walk that cannot be listed is reported, and the walk goes on."""
    root = tmp_path / "root"
    (root / "locked").mkdir(parents=True)
    (root / "z.txt").write_text(ARTICLE, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(folder_module.os, "scandir", scandir)
    results = list(ingest_inputs([str(root)]))
    assert [(os.path.basename(r.input), r.error) for r in results] == [
        ("locked", "permission denied"),
        ("z.txt", None),
    ]


def test_file_name_with_escapes_gives_a_safe_source(tmp_path: Path) -> None:
    """A file name holding an escape sequence is stored without it (names are untrusted)."""
    path = tmp_path / "evil\x1b[2J\u202ename.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (result,) = list(ingest_inputs([str(tmp_path)]))
    assert result.input == str(path)  # the real name, to find the file again
    assert result.draft is not None
    assert is_safe(result.draft.source) and result.draft.source.endswith("evilname.txt")


def test_folder_without_articles(tmp_path: Path) -> None:
    """A folder with nothing to read says so instead of yielding nothing."""
    (tmp_path / "only.json").write_text("{}", encoding="utf-8")
    assert one([str(tmp_path)]).error == "no article files in folder"


@pytest.mark.parametrize(
    ("data", "title"),
    [
        (
            b"<html><head><title>Piped HTML Title</title></head><body><article>"
            + b"<p>Words of an article piped in on standard input, long enough.</p>" * 3
            + b"</article></body></html>",
            "Piped HTML Title",
        ),
        (b"# Piped Markdown Title\n\nSome **markdown** text.\n", "Piped Markdown Title"),
        (ARTICLE.encode("utf-8"), "A Title Long Enough To Be A Title"),
    ],
    ids=["html", "markdown", "text"],
)
def test_stdin_is_sniffed(data: bytes, title: str) -> None:
    """ "-" reads bytes from stdin and tells HTML, Markdown and plain text apart."""
    result = one(["-"], stdin=io.BytesIO(data))
    assert result.input == "-"
    assert result.draft is not None and result.draft.title == title
    assert result.draft.source == "<stdin>"


def test_stdin_errors() -> None:
    """Empty stdin and stdin over the limit are reported."""
    assert one(["-"], stdin=io.BytesIO(b"")).error == "empty input"
    assert one(["-"], stdin=io.BytesIO(b"x" * 2000), max_bytes=1000).error == (
        "over the size limit (more than 1,000 bytes)"
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("<!DOCTYPE html><html>", "html"),
        ("<div><p>fragment</p></div>", "html"),
        ("---\ntitle: x\n---\nbody", "markdown"),
        ("Intro\n\n## Heading\n\ntext", "markdown"),
        ("See [the docs](https://x.org) for more.", "markdown"),
        ("Last update: today\n\nNewsroom logo\n\nTitle", "text"),
        ("Use a < b and c > d in maths.", "text"),
    ],
)
def test_sniff_kind(text: str, kind: str) -> None:
    """Content sniffing for stdin and files without a known suffix."""
    assert sniff_kind(text) == kind


def test_bad_inputs_never_raise_and_the_rest_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser that crashes on one input yields an error Result; later inputs still ingest."""
    import reader.ingest.plaintext as plaintext

    def crash(text: str, source: str) -> None:
        raise RuntimeError("boom")

    good = tmp_path / "good.md"
    good.write_text("# Fine Title\n\nFine text.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setattr(plaintext, "parse_plaintext", crash)
    results = list(ingest_inputs([str(bad), "ftp://example.org/x", str(good)]))
    assert [r.error for r in results] == [
        "unexpected error: RuntimeError: boom",
        "unsupported URL scheme ftp",
        None,
    ]


def test_ingest_error_carries_its_reason() -> None:
    """IngestError is an Exception whose reason is the message shown to the user."""
    error = IngestError("not found")
    assert (
        isinstance(error, Exception) and error.reason == "not found" and str(error) == "not found"
    )


@SPAWNS_PROCESSES
def test_text_ingestion_imports_no_heavy_library() -> None:
    """Plain text ingestion loads neither trafilatura nor the UI nor spaCy."""
    code = (
        "import sys; from reader.ingest import ingest_inputs; "
        f"r = list(ingest_inputs([{str(SEED)!r}])); assert r[0].draft, r; "
        "heavy = [m for m in ('trafilatura', 'lxml', 'textual', 'spacy', 'charset_normalizer', 'ssl') if m in sys.modules]; "
        "print(heavy); assert not heavy"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_public_api() -> None:
    """The names the CLI imports exist with the documented defaults."""
    import inspect

    signature = inspect.signature(ingest.ingest_inputs)
    assert signature.parameters["max_bytes"].default == 20 * 1024 * 1024
    assert signature.parameters["timeout"].default == 15.0
    assert signature.parameters["stdin"].default is None
    assert [f for f in Result.__dataclass_fields__] == ["input", "draft", "error", "done", "total"]


def test_a_megabyte_paragraph_is_refused_in_one_line(tmp_path) -> None:
    """One enormous line is a data dump, not an article: refused before it reaches the model."""
    path = tmp_path / "dump.txt"
    path.write_text("Title\n\n" + "data " * 30_000, encoding="utf-8")
    (result,) = list(ingest_inputs([str(path)]))
    assert result.draft is None
    assert "paragraph of 149,999 characters is not article text" in result.error
