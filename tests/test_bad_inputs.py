"""Bad inputs through the command line: one clear line naming the input, a non-zero exit, and
the store exactly as it was (every file compared byte for byte).

tests/test_ingest*.py check the ingestion modules one by one; these go through `reader ingest`
(and `reader import`) end to end, against a library that already holds an article, so that
"nothing changed" means something. Inputs that are odd but readable (other encodings, a text
full of terminal escapes) must be stored, and stored clean, and shown clean by the app.
"""

from __future__ import annotations

import codecs
import functools
import http.server
import os
import socket
import threading
import time
import tracemalloc
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader import ingest as ingest_module
from reader.article import Analysis, Article, Draft
from reader.cli import main
from reader.store import Library
from reader.text import is_safe, word_spans


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`reader ARGV` in this process: (status, stdout, stderr)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def snapshot(root: Path) -> dict[str, bytes]:
    """Every stored file's bytes, by path under the data dir (the empty lock file aside)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


@pytest.fixture
def library(data_dir: Path) -> Library:
    """A library that already holds one article with one annotation."""
    library = Library(data_dir)
    article = Article.from_draft(
        Draft(["Tajikistan President Emomali Rahmon spoke to Vladimir Putin on Monday."], "x.txt", title="Kept")
    )
    article.analysis = Analysis("hand", "1", tokens=[i for s in word_spans(article.text) for i in s])
    library.add(article)
    library.add_annotation(article.id, 0, 10, "GPE")
    library.summaries()
    return library


def refused(capsys: pytest.CaptureFixture[str], data_dir: Path, name: str, *argv: str) -> str:
    """Run `reader ARGV`; assert it failed on `name` in one line and stored nothing; return the reason."""
    before = snapshot(data_dir)
    status, out, err = run_cli(capsys, *argv)
    assert status != 0, (out, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("reader: ")]
    assert len(lines) == 1, err
    assert name in lines[0], lines[0]
    assert snapshot(data_dir) == before
    return lines[0].split(f"{name}: ", 1)[-1]


def stored_text(data_dir: Path, out: str) -> str:
    """The text of the one article `reader ingest` says it added."""
    library = Library(data_dir)
    [line] = [line for line in out.splitlines() if line.startswith("added: ")]
    return library.get(library.resolve(line.split()[1])).text


# -- files -------------------------------------------------------------------------------------

ARTICLE = (
    "Dushanbe talks end without a deal\n\n"
    "The delegations met for three days in Dushanbe and left without signing the agreement.\n\n"
    "Officials said a new round of talks would begin in March, after the elections.\n"
)


def test_empty_file(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in refused(capsys, data_dir, str(path), "ingest", str(path))


def test_white_space_only_file(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b" \n\n\t \r\n")
    refused(capsys, data_dir, str(path), "ingest", str(path))


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, b"%PDF-1.7\n" + bytes(range(256)) * 8, bytes(range(256)) * 16],
    ids=["png", "pdf", "random bytes"],
)
def test_binary_file(capsys, library, data_dir: Path, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(content)
    assert "binary" in refused(capsys, data_dir, str(path), "ingest", str(path))


def test_nul_bytes_in_text(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(ARTICLE.encode() + b"\x00\x00\x00" + ARTICLE.encode())
    assert "binary" in refused(capsys, data_dir, str(path), "ingest", str(path))


def test_50_mb_file_is_refused_by_size_before_it_is_read(
    capsys, library, data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.write(ARTICLE.encode() * 100)
        f.truncate(50 * 2**20)  # sparse: costs no disk and no time
    started = time.monotonic()
    tracemalloc.start()
    try:
        reason = refused(capsys, data_dir, str(path), "ingest", str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "size limit" in reason
    assert time.monotonic() - started < 5
    assert peak < 10 * 2**20, f"{peak:,} bytes allocated: the file was read before its size was checked"


@pytest.mark.slow
def test_one_megabyte_line_is_refused_quickly_in_one_line(
    capsys, library, data_dir: Path, tmp_path: Path
) -> None:
    # One line of a megabyte is one paragraph, ten times what prose ever has: as with any
    # paragraph over the limit, the file is refused, before the model sees it.
    path = tmp_path / "line.txt"
    sentence = "The minister said 42 delegates met in Dushanbe on Monday. "
    path.write_text(sentence * (2**20 // len(sentence) + 1), encoding="utf-8")
    length = len(path.read_text(encoding="utf-8").strip())
    before = snapshot(data_dir)
    started = time.monotonic()
    status, out, err = run_cli(capsys, "ingest", str(path))
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"took {elapsed:.0f} s"
    assert (status, out) == (1, "")
    assert [line for line in err.splitlines() if line.startswith("reader: ")] == [
        f"reader: {path}: a paragraph of {length:,} characters is not article text (at most 100,000)"
    ]
    assert snapshot(data_dir) == before


RUSSIAN = (
    "Президент Таджикистана Эмомали Рахмон выразил соболезнования в связи с терактом в Москве.\n\n"
    "По данным следствия, в результате нападения на концертный зал погибли не менее 139 человек, "
    "ещё сотни пострадали. Власти объявили общенациональный траур.\n"
)
FRENCH = (
    "Le président a rencontré à Douchanbé les délégués étrangers.\n\n"
    "« Nous sommes prêts à coopérer », a déclaré le ministre, évoquant une réunion à Genève "
    "où l'on négociera les détails de l'accord économique. Café, thé et crème brûlée furent servis.\n"
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("encoding", "text", "words"),
    [
        ("cp1251", RUSSIAN, ["Таджикистана", "соболезнования", "общенациональный"]),
        ("latin-1", FRENCH, ["président", "Douchanbé", "négociera", "crème brûlée"]),
        ("utf-16", FRENCH, ["président", "« Nous sommes prêts"]),
        ("utf-16-be-bom", RUSSIAN, ["Таджикистана", "соболезнования"]),
    ],
)
def test_other_encodings_are_decoded(
    capsys, library, data_dir: Path, tmp_path: Path, encoding: str, text: str, words: list[str]
) -> None:
    path = tmp_path / f"{encoding}.txt"
    if encoding == "utf-16-be-bom":
        path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    else:
        path.write_bytes(text.encode(encoding))
    status, out, err = run_cli(capsys, "ingest", str(path))
    assert status == 0, err
    stored = stored_text(data_dir, out)
    for word in words:
        assert word in stored


# Cursor moves, colours, a window title (OSC), a hyperlink, C1 controls, bidi overrides.
HOSTILE_TITLE = "\x1b]0;pwned\x07Breaking\x1b[31m news\x1b[0m from \u202eDushanbe\u202c"
HOSTILE = (
    f"{HOSTILE_TITLE}\n\n"
    "The \x1b[2J\x1b[Hdelegations met \x1b[1;31mfor three days\x1b[0m in Dushanbe.\x9b31m\x85\n\n"
    "Officials \x1b]8;;http://evil.example/\x1b\\said\x1b]8;;\x1b\\ a new round \u2066of talks\u2069 "
    "would begin\x07 in March\x1bc, after the \x90qpayload\x1b\\elections.\u200f\n"
)
HOSTILE_WORDS = ["delegations met", "for three days", "in Dushanbe", "Officials", "said", "new round", "elections"]


def _is_control(char: str) -> bool:
    return char != "\n" and (
        unicodedata.category(char) == "Cc" or char in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )


@pytest.mark.slow
def test_terminal_escapes_are_stored_clean(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    status, out, err = run_cli(capsys, "ingest", str(path))
    assert status == 0, err
    assert "\x1b" not in out and "\x1b" not in err
    stored = stored_text(data_dir, out)
    assert is_safe(stored)
    assert not [c for c in stored if _is_control(c)]
    for words in HOSTILE_WORDS:
        assert words in stored
    assert "pwned" not in stored and "evil.example" not in stored and "payload" not in stored
    article = Library(data_dir).get(Library(data_dir).resolve([x for x in out.split() if len(x) == 10][0]))
    for field in (article.title, article.byline, article.source, article.site):
        assert field is None or not [c for c in field if _is_control(c)]


def _segments(item: object) -> Iterator[object]:
    from rich.segment import Segment

    if isinstance(item, Segment):
        yield item
    elif isinstance(item, str):
        return
    else:
        for part in item:  # type: ignore[attr-defined]
            yield from _segments(part)


@pytest.mark.slow
async def test_terminal_escapes_never_reach_the_screen(
    capsys, library, data_dir: Path, tmp_path: Path
) -> None:
    from reader.app import make_app
    from reader.widgets.article_view import ArticleView

    path = tmp_path / "hostile.txt"
    # Long enough to need scrolling, so every line is rendered at some scroll position.
    path.write_text(HOSTILE + "\n\n".join([HOSTILE.split("\n\n", 1)[1]] * 30), encoding="utf-8")
    status, out, err = run_cli(capsys, "ingest", str(path))
    assert status == 0, err
    article_id = Library(data_dir).resolve([x for x in out.split() if len(x) == 10][0])
    app = make_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_article_screen(article_id)
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        assert view.lines
        seen: list[str] = []
        for top in range(0, len(view.lines), max(1, view.size.height)):
            view.scroll_to(y=top, animate=False)
            await pilot.pause()
            for y in range(view.size.height):
                seen += [s.text for s in view.render_line(y)]
            update = app.screen._compositor.render_full_update()
            seen += [s.text for s in _segments(update.strips)]
        rendered = "".join(seen)
        assert "Dushanbe" in rendered and "delegations" in rendered
        bad = sorted({f"U+{ord(c):04X}" for c in rendered if _is_control(c)})
        assert not bad, f"control characters on screen: {bad}"
        screenshot = app.export_screenshot()
        assert "\x1b" not in screenshot and "\x9b" not in screenshot and "\u202e" not in screenshot


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><div><p><b><i><table><tr><td><img src=x></td>",
        '<html><head><title>Talks end</title></head><body><p class="lead',
        "<!DOCTYPE html><html><head><script>for(;;){}</script><style>p{}</style></head><body></body></html>",
        "<html><body>" + "<div>" * 5000 + "</div>" * 10 + "</body></html>",
    ],
    ids=["unclosed tags", "cut mid-tag", "scripts only", "deep nesting"],
)
def test_malformed_html_without_text(capsys, library, data_dir: Path, tmp_path: Path, html: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    reason = refused(capsys, data_dir, str(path), "ingest", str(path))
    assert "unexpected error" not in reason


def test_non_article_html_is_refused(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "login.html"
    path.write_text(
        "<html><head><title>Login</title></head><body><form><input name=user><input type=password>"
        "<button>Sign in</button></form><nav><a href=/>Home</a> <a href=/about>About</a></nav></body></html>",
        encoding="utf-8",
    )
    refused(capsys, data_dir, str(path), "ingest", str(path))


@pytest.mark.slow
def test_malformed_html_with_an_article_in_it_is_read(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    # Unclosed p, b, article, body and html, no </head>: the article is still all there.
    body = "".join(
        f"<p>The delegations met for the {n}th time in Dushanbe, officials said on Monday, <b>without a deal."
        for n in range(1, 12)
    )
    path = tmp_path / "broken.html"
    path.write_text(
        f"<html><head><title>Talks end</title><body><article><h1>Talks end</h1>{body}", encoding="utf-8"
    )
    status, out, err = run_cli(capsys, "ingest", str(path))
    assert status == 0, err
    assert len([line for line in out.splitlines() if line.startswith("added: ")]) == 1
    text = stored_text(data_dir, out)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 11 and all("Dushanbe" in p for p in paragraphs), text
    assert paragraphs[0] == (
        "The delegations met for the 1th time in Dushanbe, officials said on Monday, without a deal."
    )


def test_folder_with_only_a_symlink_loop(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "loop"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)
    (folder / "self").symlink_to(folder / "self")  # a link to itself: cannot be resolved
    started = time.monotonic()
    refused(capsys, data_dir, str(folder), "ingest", str(folder))
    assert time.monotonic() - started < 5


@pytest.mark.slow
def test_folder_with_a_symlink_loop_and_one_article(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "loop"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)
    (folder / "sub" / "article.txt").write_text(ARTICLE, encoding="utf-8")
    status, out, err = run_cli(capsys, "ingest", str(folder))
    assert status == 0, err
    assert len(Library(data_dir).ids()) == 2


def test_unreadable_file_simulated(capsys, library, data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """Tests run as root, who can read anything: the refusal is simulated where the file is opened."""
    from reader.ingest import files

    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    real_open = open

    def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(files, "open", guarded_open, raising=False)
    assert "permission denied" in refused(capsys, data_dir, str(path), "ingest", str(path)).lower()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its mode")
def test_unreadable_file(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    path.chmod(0)
    assert "permission denied" in refused(capsys, data_dir, str(path), "ingest", str(path)).lower()


def test_missing_file_and_fifo(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    assert "not found" in refused(capsys, data_dir, str(missing), "ingest", str(missing))
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    refused(capsys, data_dir, str(fifo), "ingest", str(fifo))
    assert time.monotonic() - started < 5


# -- URLs --------------------------------------------------------------------------------------

CAP = 20 * 2**20


class _Handler(http.server.BaseHTTPRequestHandler):
    """Every way a page can fail, by path."""

    stop: threading.Event

    def log_message(self, *args: object) -> None:  # quiet: the test output is for failures
        pass

    def _send(self, code: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        page = b"<html><body><h1>Not here</h1></body></html>"
        match self.path:
            case "/404":
                self._send(404, page)
            case "/500":
                self._send(500, page)
            case "/loop":
                self._send(302, b"", Location="/loop")
            case "/pdf":
                self._send(200, b"%PDF-1.7\n" + bytes(range(256)) * 4, "application/pdf")
            case "/json":
                self._send(200, b'{"title": "not a page"}', "application/json")
            case "/big-declared":
                # Declares more than the cap, then sends only a little: refused on the header.
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(CAP + 1))
                self.end_headers()
                self.wfile.write(b"<html>" + b" " * 1000)
            case "/big-streamed":
                # No length: only counting the bytes as they come can stop it.
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<p>" + b"x" * (2**16) + b"</p>"
                try:
                    for _ in range(CAP // len(chunk) + 50):
                        self.wfile.write(chunk)
                except OSError:
                    pass  # the client hung up at the cap, as it should
            case "/silent":
                self.stop.wait(10)  # never answers (until the test is over)
            case _:
                self._send(404, page)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 in a thread; its base URL. Ingest times out after 1 s."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setattr(
        ingest_module, "ingest_inputs", functools.partial(ingest_module.ingest_inputs, timeout=1.0)
    )
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/404", "404"),
        ("/500", "500"),
        ("/loop", "redirect"),
        ("/pdf", "application/pdf"),
        ("/json", "application/json"),
        ("/big-declared", "size limit"),
        ("/big-streamed", "size limit"),
        ("/silent", "timed out"),
    ],
)
def test_bad_urls(capsys, library, data_dir: Path, server: str, path: str, expected: str) -> None:
    url = server + path
    started = time.monotonic()
    reason = refused(capsys, data_dir, url, "ingest", url)
    assert expected in reason
    assert time.monotonic() - started < 10


def test_closed_port(capsys, library, data_dir: Path, server: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/article"
    assert "refused" in refused(capsys, data_dir, url, "ingest", url)


# -- reader import -----------------------------------------------------------------------------

BAD_LINES = {
    "bad json": '{"text": "The talks in Dushanbe ended.", "spans": [',
    "not an object": '["The talks in Dushanbe ended."]',
    "missing text": '{"spans": [{"start": 0, "end": 3, "label": "ORG"}]}',
    "text not a string": '{"text": 42, "spans": []}',
    "span out of range": '{"text": "The talks in Dushanbe ended.", "spans": [{"start": 13, "end": 400, "label": "GPE"}]}',
    "negative span": '{"text": "The talks in Dushanbe ended.", "spans": [{"start": -1, "end": 3, "label": "GPE"}]}',
    "start not an integer": '{"text": "The talks in Dushanbe ended.", "spans": [{"start": "13", "end": 21, "label": "GPE"}]}',
    "spans not a list": '{"text": "The talks in Dushanbe ended.", "spans": {"start": 13}}',
    "label missing": '{"text": "The talks in Dushanbe ended.", "spans": [{"start": 13, "end": 21}]}',
    "text with escapes": '{"text": "The talks \\u001b[31min Dushanbe ended.", "spans": []}',
    "not utf-8": b'{"text": "caf\xe9 in Dushanbe", "spans": []}',
}


@pytest.mark.parametrize("case", BAD_LINES)
def test_malformed_jsonl_import(capsys, library, data_dir: Path, tmp_path: Path, case: str) -> None:
    path = tmp_path / "bad.jsonl"
    line = BAD_LINES[case]
    path.write_bytes(line if isinstance(line, bytes) else line.encode("utf-8"))
    before = snapshot(data_dir)
    status, out, err = run_cli(capsys, "import", str(path))
    assert status != 0, (case, out, err)
    assert "Traceback" not in err
    naming = [line for line in err.splitlines() if str(path) in line]
    assert naming, err
    assert any(":1" in line for line in naming), f"{case}: the line number is not named: {err}"
    assert snapshot(data_dir) == before


def test_import_of_a_missing_or_binary_file(capsys, library, data_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    before = snapshot(data_dir)
    status, _, err = run_cli(capsys, "import", str(missing))
    assert status != 0 and str(missing) in err and "Traceback" not in err
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(bytes(range(256)) * 4)
    status, _, err = run_cli(capsys, "import", str(binary))
    assert status != 0 and str(binary) in err and "Traceback" not in err
    assert snapshot(data_dir) == before
