"""URL ingestion against a local server on 127.0.0.1: nothing else is ever contacted."""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from reader.ingest import ingest_inputs

ARTICLE = (
    "<html><head><title>Local Test Article Title</title>"
    '<meta property="og:url" content="https://news.example/articles/local">'
    "</head><body><article>"
    + "".join(
        f"<p>Paragraph {n} of the article served from the local test server, long enough to count.</p>"
        for n in range(1, 5)
    )
    + "</article></body></html>"
).encode("utf-8")
RUSSIAN = "Президент заявил о готовности бороться с терроризмом вместе с соседями по региону."
# Released when the module's tests end, so that a handler told to hang returns at once.
RELEASE = threading.Event()


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes for each case; every response is built here, nothing is read from disk."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keep test output quiet."""

    def send(
        self,
        code: int,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        **headers: str,
    ) -> None:
        """Send a complete response."""
        self.send_response(code)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", headers.pop("length", str(len(body))))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, code: int, location: str) -> None:
        """Send a redirect."""
        self.send_response(code)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        """Answer one request."""
        path = self.path
        if path == "/article":
            self.send(200, ARTICLE)
        elif path == "/moved":
            self.redirect(301, "/article")
        elif path == "/loop-a":
            self.redirect(302, "/loop-b")
        elif path == "/loop-b":
            self.redirect(302, "/loop-a")
        elif path.startswith("/chain/"):
            self.redirect(302, f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/to-file":
            self.redirect(302, "file:///etc/passwd")
        elif path == "/missing":
            self.send(404, b"<html><body>Not here</body></html>")
        elif path == "/broken":
            self.send(500, b"oops", "text/plain")
        elif path == "/pdf":
            self.send(200, b"%PDF-1.7\n", "application/pdf")
        elif path == "/declared-huge":
            self.send(200, b"<html></html>", length="52428800")
        elif path == "/streamed-huge":
            # No Content-Length: the cap must hold while reading.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"word " * 2000)
            except OSError:
                pass  # the client stopped reading, as it should
        elif path == "/hang":
            RELEASE.wait(10)  # bounded even if the release never comes
        elif path == "/cp1251":
            body = f"<html><body><article><p>{RUSSIAN}</p><p>{RUSSIAN}</p></article></body></html>"
            self.send(200, body.encode("cp1251"), "text/html; charset=windows-1251")
        elif path == "/no-type":
            self.send(200, ARTICLE, None)
        elif path == "/notes.md":
            self.send(
                200, b"# Served Markdown\n\nText with a [link](https://x.org).\n", "text/plain"
            )
        elif path == "/plain":
            self.send(
                200,
                b"Plain Served Title Goes Here\n\nBy Jo Bloggs\n\nThe body of a plain article.\n",
                "text/plain; charset=utf-8",
            )
        elif path == "/gzip":
            self.send(200, gzip.compress(ARTICLE), "text/html", Content_Encoding="gzip")
        elif path == "/empty":
            self.send(200, b"", "text/html")
        else:
            self.send(404, b"", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A threaded HTTP server on a free port of 127.0.0.1; it stops itself after a minute."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    watchdog = threading.Timer(60, httpd.shutdown)
    watchdog.daemon = True
    watchdog.start()
    RELEASE.clear()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        RELEASE.set()
        watchdog.cancel()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to the local server directly, whatever proxy the environment names."""
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def fetch(url: str, **options: object):  # noqa: ANN201
    """The one Result for one URL."""
    (result,) = list(ingest_inputs([url], **options))  # type: ignore[arg-type]
    return result


def test_article_page(server: str) -> None:
    """A page becomes a draft: source is the URL given, url the page's canonical one."""
    result = fetch(f"{server}/article")
    assert result.error is None and result.draft is not None
    assert result.input == f"{server}/article"
    assert result.draft.source == f"{server}/article"
    assert result.draft.title == "Local Test Article Title"
    assert result.draft.url == "https://news.example/articles/local"
    assert result.draft.site == "news.example"
    assert len(result.draft.paragraphs) == 4


def test_redirect_is_followed(server: str) -> None:
    """A 301 leads to the article."""
    result = fetch(f"{server}/moved")
    assert result.draft is not None and result.draft.title == "Local Test Article Title"


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/broken", "HTTP 500 Internal Server Error"),
        ("/loop-a", "redirect loop"),
        ("/chain/0", "too many redirects (more than 10)"),
        ("/to-file", "redirect to an unsupported URL scheme (file)"),
        ("/pdf", "unsupported content type application/pdf"),
        ("/declared-huge", "over the size limit (52,428,800 bytes > 20,971,520)"),
        ("/empty", "empty response"),
    ],
)
def test_failures(server: str, path: str, error: str) -> None:
    """Each failure gives one clear reason."""
    result = fetch(server + path)
    assert (result.draft, result.error) == (None, error)


def test_streamed_body_over_the_cap(server: str) -> None:
    """A body without Content-Length is cut off at the cap while reading."""
    result = fetch(f"{server}/streamed-huge", max_bytes=100_000)
    assert result.error == "over the size limit (more than 100,000 bytes)"


def test_server_that_never_answers_times_out(server: str) -> None:
    """A server that accepts but never replies is given up on after the timeout."""
    started = time.monotonic()
    result = fetch(f"{server}/hang", timeout=0.5)
    assert result.error == "timed out after 0.5 s"
    assert time.monotonic() - started < 3


def test_charset_from_the_header(server: str) -> None:
    """The charset in Content-Type decodes the page."""
    result = fetch(f"{server}/cp1251")
    assert result.draft is not None and RUSSIAN in result.draft.paragraphs


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/no-type", "Local Test Article Title"),
        ("/notes.md", "Served Markdown"),
        ("/plain", "Plain Served Title Goes Here"),
        ("/gzip", "Local Test Article Title"),
    ],
)
def test_kinds_by_type_suffix_and_sniffing(server: str, path: str, title: str) -> None:
    """No type: sniffed; .md as text/plain: Markdown; text/plain: a dump; gzip: unpacked."""
    result = fetch(server + path)
    assert result.error is None, result.error
    assert result.draft is not None and result.draft.title == title


def test_connection_refused() -> None:
    """A port nobody listens on gives a connection error, not an exception."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/x", timeout=2)
    assert result.error == "connection refused"


# ---- one deadline for the whole fetch (issue 9) -------------------------------------------


def _slow_server(responder):  # noqa: ANN001, ANN202
    """A one-connection-at-a-time server on 127.0.0.1 that answers with `responder(socket)`;
    it stops by itself after 20 s."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(20)
    stop = threading.Event()

    def serve() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            try:
                responder(connection, stop)
            except OSError:
                pass  # the client hung up, as it should

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/page", listener, stop


def _drip(data: bytes, every: float):  # noqa: ANN202
    def responder(connection, stop) -> None:  # noqa: ANN001
        for i in range(len(data)):
            if stop.wait(every):
                return
            connection.sendall(data[i : i + 1])

    return responder


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 400\r\n\r\n"


@pytest.mark.parametrize(
    "responder",
    [
        pytest.param(lambda c, s: (c.sendall(HEAD), _drip(b"x" * 400, 1.0)(c, s)), id="body-1-byte-a-second"),
        pytest.param(
            lambda c, s: (
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"),
                _drip(b"1\r\nx\r\n" * 50, 0.3)(c, s),
            ),
            id="chunked-body-trickling",
        ),
        pytest.param(
            lambda c, s: (
                c.sendall(b"HTTP/1.1 200 OK\r\n"),
                [None for _ in range(30) if not s.wait(0.5) and c.sendall(b"X-Slow: 1\r\n") is None],
            ),
            id="headers-trickling",
        ),
        pytest.param(_drip(b"HTTP/1.1 200 OK\r\n" * 10, 1.0), id="status-line-1-byte-a-second"),
    ],
)
def test_a_slow_server_ends_at_the_deadline(responder, no_proxy) -> None:  # noqa: ANN001
    """Whatever the server trickles, the fetch ends at its one deadline with one line."""
    url, listener, stop = _slow_server(responder)
    try:
        started = time.monotonic()
        result = fetch(url, timeout=1.5)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        listener.close()
    assert result.error == "timed out after 1.5 s"
    assert elapsed < 2.5


def test_a_stalled_fetch_is_cancelled_from_another_thread(no_proxy) -> None:  # noqa: ANN001
    """Setting the cancel event ends a stalled fetch within a second (the app quitting)."""
    url, listener, stop = _slow_server(lambda c, s: s.wait(20))
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    try:
        started = time.monotonic()
        result = fetch(url, timeout=30, cancel=cancel)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        listener.close()
    assert result.error == "cancelled"
    assert elapsed < 1.5
