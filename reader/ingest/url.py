"""Web pages fetched with the standard library: one deadline, a size cap, accepted types only.

Redirects are followed by hand, so that a loop is named as one, a redirect to another scheme
(file:, ftp:) is refused, and the deadline covers the whole chain rather than each request.
A socket timeout bounds only one wait for bytes, and a server can send one byte just inside
each: so a watchdog thread shuts the connection down when the deadline passes, or when the
caller cancels (the app quitting), whichever comes first, and a stalled status line, header
or body ends there with one line.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from reader.ingest.decode import gunzip
from reader.ingest.errors import IngestError
from reader.ingest.files import size_error

# What reader can read, by media type; anything else (PDF, images, JSON) is refused.
ACCEPTED_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
MAX_REDIRECTS = 10
USER_AGENT = "reader/0.1 (terminal article reader)"
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched page: where it ended up, its bytes, its kind by media type, its charset."""

    url: str
    body: bytes
    kind: str | None  # "html", "text", "markdown", or None when the server did not say
    charset: str | None


# How often the watchdog looks at the cancel event: the most a cancel waits to be seen.
WATCH_INTERVAL = 0.1
_REDIRECTS = (301, 302, 303, 307, 308)


class _Watchdog:
    """Shuts the watched connection down at the deadline or on cancel, from its own thread."""

    def __init__(self, deadline: float, cancel: threading.Event | None) -> None:
        self.deadline = deadline
        self.cancel = cancel
        self.fired: str | None = None  # "timeout" or "cancel" once it has acted
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None
        self._thread = threading.Thread(target=self._watch, name="reader-url-watchdog", daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def watch(self, connection: http.client.HTTPConnection) -> None:
        """Make `connection` the one to shut down; shut at once if the time is already up."""
        with self._lock:
            self._connection = connection
            if self.fired:
                self._shut()

    def _watch(self) -> None:
        while not self._done.is_set():
            if self.cancel is not None and self.cancel.is_set():
                self._fire("cancel")
                return
            left = self.deadline - time.monotonic()
            if left <= 0:
                self._fire("timeout")
                return
            self._done.wait(min(left, WATCH_INTERVAL))

    def _fire(self, why: str) -> None:
        with self._lock:
            self.fired = why
            self._shut()

    def _shut(self) -> None:
        connection = self._connection
        sock = connection.sock if connection is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked recv in the reading thread
            except OSError:
                pass  # already closed by the reading thread


def fetch_url(
    url: str, *, max_bytes: int, timeout: float, cancel: threading.Event | None = None
) -> Fetched:
    """Fetch `url`, following redirects, all within `timeout` seconds; IngestError with one
    clear reason when that fails. Setting `cancel` from another thread ends it at once."""
    deadline = time.monotonic() + timeout
    with _Watchdog(deadline, cancel) as watchdog:
        try:
            return _fetch(url, max_bytes, deadline, watchdog)
        except (IngestError, http.client.HTTPException, OSError, ValueError) as error:
            if watchdog.fired == "cancel":
                raise IngestError("cancelled") from None
            if watchdog.fired == "timeout" or isinstance(error, TimeoutError):
                raise IngestError(f"timed out after {timeout:g} s") from None
            if isinstance(error, IngestError):
                raise
            if isinstance(error, http.client.IncompleteRead):
                raise IngestError("connection closed before the whole page arrived") from None
            if isinstance(error, http.client.HTTPException | ValueError):
                raise IngestError(f"invalid HTTP response ({type(error).__name__})") from None
            raise _connection_error(error) from None


def _fetch(url: str, max_bytes: int, deadline: float, watchdog: _Watchdog) -> Fetched:
    """`fetch_url` without the deadline's bookkeeping: requests, redirects, the body."""
    seen: set[str] = set()
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        scheme = urlsplit(current).scheme.lower()
        if scheme not in ("http", "https"):
            raise IngestError(f"redirect to an unsupported URL scheme ({scheme or 'none'})")
        if current in seen:
            raise IngestError("redirect loop")
        seen.add(current)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        connection, target = _connection(_ascii_url(current), remaining)
        watchdog.watch(connection)
        try:
            connection.request(
                "GET",
                target,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8",
                    # Identity only: the body size cap is then the size on the wire.
                    "Accept-Encoding": "identity",
                },
            )
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                current = urljoin(current, location.strip())
                continue
            if response.status >= 400:
                raise IngestError(f"HTTP {response.status} {response.reason}".rstrip())
            fetched = _read_response(response, current, max_bytes)
        finally:
            connection.close()
        if watchdog.fired:
            # The watchdog shut the socket: what was read may be cut short.
            raise TimeoutError
        return fetched
    raise IngestError(f"too many redirects (more than {MAX_REDIRECTS})")


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection for `url` (through the environment's proxy, if it names one) and the
    request target to send on it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise IngestError("invalid URL (no host)")
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    proxy = None if urllib.request.proxy_bypass(host) else urllib.request.getproxies().get(parts.scheme.lower())
    if proxy:
        via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if https:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                via.hostname or "", via.port or 8080, timeout=timeout, context=ssl.create_default_context()
            )
            connection.set_tunnel(host, port)
            return connection, target
        return http.client.HTTPConnection(via.hostname or "", via.port or 8080, timeout=timeout), url
    if https:
        return (
            http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context()),
            target,
        )
    return http.client.HTTPConnection(host, port, timeout=timeout), target


def _ascii_url(url: str) -> str:
    """`url` as http.client can send it: a non-ASCII host in IDNA, other characters quoted."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host.isascii():
        try:
            netloc = parts.netloc.replace(host, host.encode("idna").decode("ascii"))
        except UnicodeError:
            raise IngestError("invalid host name") from None
        parts = parts._replace(netloc=netloc)
    return quote(urlunsplit(parts), safe=":/?#[]@!$&'()*+,;=%~")


def _connection_error(reason: OSError) -> IngestError:
    """One clear message for a failure to connect."""
    if isinstance(reason, socket.gaierror):
        return IngestError("host not found")
    if isinstance(reason, ssl.SSLError):
        return IngestError(f"TLS error ({reason.reason or reason})")
    if isinstance(reason, ConnectionRefusedError):
        return IngestError("connection refused")
    if reason.strerror:
        return IngestError(f"connection failed ({reason.strerror})")
    return IngestError(f"connection failed ({reason})")


def _read_response(response: http.client.HTTPResponse, url: str, max_bytes: int) -> Fetched:
    """Check a response's type and size, then read its body up to the cap."""
    content_type = response.headers.get("Content-Type")
    media_type = response.headers.get_content_type() if content_type else None
    if media_type and media_type not in ACCEPTED_TYPES:
        raise IngestError(f"unsupported content type {media_type}")
    length = response.headers.get("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise IngestError(size_error(int(length), max_bytes))
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise IngestError(size_error(None, max_bytes))
        chunks.append(chunk)
    if response.length:  # bytes the Content-Length promised that never came
        raise http.client.IncompleteRead(b"", response.length)
    body = b"".join(chunks)
    if response.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip", "deflate"):
        body = gunzip(body, max_bytes)
    if not body.strip():
        raise IngestError("empty response")
    return Fetched(
        url=url,
        body=body,
        kind=ACCEPTED_TYPES.get(media_type) if media_type else None,
        charset=response.headers.get_content_charset(),
    )
