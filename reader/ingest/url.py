"""Web pages fetched with the standard library: a time limit, a size cap, accepted types only.

Redirects are followed by hand rather than by urllib, so that a loop is named as one, a
redirect to another scheme (file:, ftp:) is refused, and the time limit covers the whole
chain rather than each request.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand 3xx responses back as errors, so that `fetch_url` follows them itself."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def fetch_url(url: str, *, max_bytes: int, timeout: float) -> Fetched:
    """Fetch `url`, following redirects; IngestError with one clear reason when that fails."""
    opener = urllib.request.build_opener(_NoRedirects)
    deadline = time.monotonic() + timeout
    timed_out = IngestError(f"timed out after {timeout:g} s")
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
            raise timed_out
        request = urllib.request.Request(
            _ascii_url(current),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8",
                # Identity only: the body size cap is then the size on the wire.
                "Accept-Encoding": "identity",
            },
        )
        try:
            response = opener.open(request, timeout=remaining)
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location") if error.headers else None
            error.close()
            if error.code in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location.strip())
                continue
            raise IngestError(f"HTTP {error.code} {error.reason}".rstrip()) from None
        except urllib.error.URLError as error:
            raise _connection_error(error.reason, timed_out) from None
        except TimeoutError:
            raise timed_out from None
        except (http.client.HTTPException, OSError) as error:
            raise _connection_error(error, timed_out) from None
        with response:
            return _read_response(response, current, max_bytes, deadline, timed_out)
    raise IngestError(f"too many redirects (more than {MAX_REDIRECTS})")


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


def _connection_error(reason: object, timed_out: IngestError) -> IngestError:
    """One clear message for a failure to connect."""
    if isinstance(reason, TimeoutError | socket.timeout):
        return timed_out
    if isinstance(reason, socket.gaierror):
        return IngestError("host not found")
    if isinstance(reason, ssl.SSLError):
        return IngestError(f"TLS error ({reason.reason or reason})")
    if isinstance(reason, ConnectionRefusedError):
        return IngestError("connection refused")
    if isinstance(reason, OSError) and reason.strerror:
        return IngestError(f"connection failed ({reason.strerror})")
    return IngestError(f"connection failed ({reason})")


def _read_response(
    response, url: str, max_bytes: int, deadline: float, timed_out: IngestError
) -> Fetched:
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
    try:
        while True:
            if time.monotonic() > deadline:
                raise timed_out
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise IngestError(size_error(None, max_bytes))
            chunks.append(chunk)
    except TimeoutError:
        raise timed_out from None
    except http.client.IncompleteRead:
        raise IngestError("connection closed before the whole page arrived") from None
    except OSError as error:
        raise _connection_error(error, timed_out) from None
    body = b"".join(chunks)
    if response.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip", "deflate"):
        body = gunzip(body, max_bytes)
    if not body.strip():
        raise IngestError("empty response")
    return Fetched(
        url=response.geturl() or url,
        body=body,
        kind=ACCEPTED_TYPES.get(media_type) if media_type else None,
        charset=response.headers.get_content_charset(),
    )
