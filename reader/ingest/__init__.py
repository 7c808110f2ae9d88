"""Ingestion: files, folders, URLs and stdin turned into article drafts, one Result each.

`ingest_inputs` never raises for a bad input: each input that fails gives one Result with
a clear `error`, so that the CLI can report it and go on with the rest. Every string in a
draft has passed through reader.text's cleaning, because article text is untrusted. Each
folder is walked once, up front, so progress can count the files it holds.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from reader.article import Draft
from reader.ingest.decode import declared_charset, decode_bytes, utf16_codec
from reader.ingest.errors import IngestError
from reader.ingest.files import kind_of_path, read_file, size_error
from reader.ingest.folder import walk_folder
from reader.ingest.language import detect_language
from reader.text import clean_line, ends_sentence

__all__ = ["IngestError", "Result", "expand_inputs", "ingest_bytes", "ingest_inputs", "sniff_kind"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
STDIN_SOURCE = "<stdin>"
# A paragraph longer than this is a data dump or a minified blob, not prose. (Unrelated to
# nlp.PIECE_CHARS, the length the analysis cuts any long text into.)
MAX_PARAGRAPH_CHARS = 100_000
# How a paragraph that reads as prose ends, quotes and brackets aside.


def _is_sentence(paragraph: str) -> bool:
    """Four words or more ending as a sentence ends in its script."""
    if not ends_sentence(paragraph):
        return False
    # Four words, or in a script without spaces about as many characters as four words.
    return len(paragraph.split(None, 4)) >= 4 or len(paragraph) >= 12

_HTML_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*|<\?xml[^>]*>\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_HTML_TAG = re.compile(
    r"</?(?:p|div|span|a|br|h[1-6]|article|section|meta|title|script|li|ul)\b[^>]*>", re.I
)
_MARKDOWN_SIGNS = re.compile(
    r"\A(?:---|\+\+\+)\s*\n[\w-]+\s*[:=]"  # front matter
    r"|^#{1,6}[ \t]+\S"  # ATX heading
    r"|^ {0,3}(?:```|~~~)"  # code fence
    r"|^\S.*\n=+[ \t]*$"  # setext heading
    r"|\[[^\]\n]+\]\([^)\s]+\)",  # inline link
    re.M,
)


@dataclass(slots=True)
class Result:
    """One article found, or one input that failed: then `draft` is None and `error` says why."""

    input: str  # what to name in messages: the path, the URL or "-"
    draft: Draft | None = None
    error: str | None = None
    done: int = 0  # how many inputs (files of folders counted one by one) are read so far
    total: int = 0  # and how many there are

    @property
    def ok(self) -> bool:
        """True when an article was found."""
        return self.draft is not None


def is_url(text: str) -> bool:
    """True for an http or https URL."""
    return text[:8].lower().startswith(("http://", "https://"))


def sniff_kind(text: str) -> str:
    """Guess whether text is "html", "markdown" or plain "text" from its content."""
    head = text[:8192]
    starts_with_tag = head.lstrip().startswith("<") and bool(re.search(r"</[a-zA-Z][\w-]*>", head))
    if _HTML_START.match(head) or starts_with_tag or len(_HTML_TAG.findall(head)) >= 3:
        return "html"
    if _MARKDOWN_SIGNS.search(head):
        return "markdown"
    return "text"


def ingest_bytes(
    data: bytes,
    source: str,
    *,
    kind: str | None = None,
    charset: str | None = None,
    url: str | None = None,
    empty: str = "empty file",
) -> Draft:
    """One article from raw bytes: decoded, its kind sniffed when not given, then parsed.

    `charset` is one the transport declared (HTTP); `empty` is the error for blank input.
    Raises IngestError when the bytes hold no article.
    """
    wide = utf16_codec(data, charset)
    if wide:
        # UTF-16 without a byte-order mark: every other byte is NUL, so neither the byte
        # sniffing below nor the binary check can read it; decode it first.
        data = data.decode(wide, errors="replace").encode("utf-8")
        charset = "utf-8"
    head = data[:8192].decode("latin-1")
    # A name or a media type can be wrong: a page saved as .txt, plain words sent as HTML.
    if kind == "text" and _HTML_START.match(head):
        kind = "html"
    elif kind == "html" and not re.search(r"<[a-zA-Z!?/]", head):
        kind = None
    if kind == "html" or (kind is None and sniff_kind(head) == "html"):
        kind = "html"
        charset = charset or declared_charset(data)
    text = decode_bytes(data, charset)
    if not text.strip():
        raise IngestError(empty)
    kind = kind or sniff_kind(text)
    if kind == "html":
        from reader.ingest.html import parse_html  # trafilatura loads only for HTML

        draft = parse_html(text, source, url)
    elif kind == "markdown":
        from reader.ingest.markdown import parse_markdown

        draft = parse_markdown(text, source)
    else:
        from reader.ingest.plaintext import parse_plaintext

        draft = parse_plaintext(text, source)
    if not draft.paragraphs:
        raise IngestError("no article text found")
    longest = max(len(p) for p in draft.paragraphs)
    if longest > MAX_PARAGRAPH_CHARS:
        raise IngestError(
            f"a paragraph of {longest:,} characters is not article text (at most {MAX_PARAGRAPH_CHARS:,})"
        )
    if kind == "html" and not any(_is_sentence(p) for p in draft.paragraphs):
        # What is left of a login form or a menu once the page chrome is gone: no sentence.
        raise IngestError("no article text found in HTML")
    if url and not draft.url:
        draft.url = url
    if url and not draft.site:
        from urllib.parse import urlsplit

        host = urlsplit(url).hostname
        draft.site = host.removeprefix("www.") if host else None
    _clean_fields(draft)
    draft.language = detect_language(draft.paragraphs, draft.title)
    return draft


def _clean_fields(draft: Draft) -> None:
    """Every metadata string cleaned once more, whichever rule found it: a page's JSON-LD can
    hold lone surrogates or escapes, and a file name in a downloaded folder can too."""
    draft.source = clean_line(draft.source)
    for name in ("title", "byline", "date", "site", "url"):
        value = getattr(draft, name)
        setattr(draft, name, (clean_line(value) or None) if isinstance(value, str) else None)


def _is_folder(item: str) -> bool:
    return item != "-" and not is_url(item) and os.path.isdir(item)


def _work(inputs: Iterable[str]) -> list[tuple[str, str | None]]:
    """Every input to read as `(input, error)`, each folder walked once into its files.

    A folder with no article file stands for itself with its error, so it counts once.
    """
    work: list[tuple[str, str | None]] = []
    for item in inputs:
        if _is_folder(item):
            found = [(entry.path, entry.error) for entry in walk_folder(item)]
            work.extend(found or [(item, "no article files in folder")])
        else:
            work.append((item, None))
    return work


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """The inputs with every folder replaced by the article files in it (to count progress)."""
    return [item for item, _error in _work(inputs)]


def _read_stdin(stdin: BinaryIO, max_bytes: int) -> bytes:
    """Everything on stdin, up to the size limit."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stdin.read(min(1024 * 1024, max_bytes + 1 - total))
        if not chunk:
            break
        if isinstance(chunk, str):  # a text stream passed by mistake
            chunk = chunk.encode("utf-8")
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise IngestError(size_error(None, max_bytes))
    return b"".join(chunks)


def _ingest_one(
    item: str,
    stdin: BinaryIO | None,
    max_bytes: int,
    timeout: float,
    cancel: threading.Event | None,
) -> Draft:
    """The article behind one input that is not a folder; IngestError when there is none."""
    if item == "-":
        data = _read_stdin(stdin if stdin is not None else sys.stdin.buffer, max_bytes)
        return ingest_bytes(data, STDIN_SOURCE, empty="empty input")
    if is_url(item):
        from reader.ingest.url import fetch_url  # http.client and ssl load only for URLs

        fetched = fetch_url(item, max_bytes=max_bytes, timeout=timeout, cancel=cancel)
        kind = fetched.kind
        if kind in (None, "text") and kind_of_path(fetched.url.split("?")[0]) == "markdown":
            kind = "markdown"  # servers often send .md files as text/plain
        return ingest_bytes(
            fetched.body, item, kind=kind, charset=fetched.charset, url=fetched.url,
            empty="empty response",
        )  # fmt: skip
    if re.match(r"^[a-z][a-z0-9+.-]*://", item, re.I):
        raise IngestError(f"unsupported URL scheme {item.split(':', 1)[0]}")
    data = read_file(item, max_bytes)
    return ingest_bytes(data, os.path.abspath(item), kind=kind_of_path(item))


def _attempt(
    item: str,
    stdin: BinaryIO | None,
    max_bytes: int,
    timeout: float,
    cancel: threading.Event | None,
) -> Result:
    """One Result for one input, whatever happens while reading it."""
    try:
        return Result(item, _ingest_one(item, stdin, max_bytes, timeout, cancel))
    # Reasons can quote what a server or a file said (an HTTP reason phrase, an exception
    # message), so they are cleaned like any other untrusted text before they are shown.
    except IngestError as error:
        return Result(item, error=clean_line(error.reason))
    except RecursionError:
        return Result(item, error="nested too deeply to read")
    except Exception as error:  # noqa: BLE001
        # A parser bug on one odd page must not stop a batch of hundreds: report and go on.
        return Result(item, error=clean_line(f"unexpected error: {type(error).__name__}: {error}"))


def ingest_inputs(
    inputs: list[str],
    *,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 15.0,
    cancel: threading.Event | None = None,
) -> Iterator[Result]:
    """One Result per article found, or per input that failed, in the order given.

    Inputs are file paths, folder paths (walked recursively), http(s) URLs, or "-" for
    stdin (`stdin`, default sys.stdin.buffer). Never raises for a bad input. Setting `cancel`
    ends the run before the next input, and aborts a URL being fetched.
    """
    work = _work(inputs)
    for done, (item, error) in enumerate(work, start=1):
        if cancel is not None and cancel.is_set():
            return
        result = Result(item, error=error) if error else _attempt(item, stdin, max_bytes, timeout, cancel)
        result.done, result.total = done, len(work)
        yield result
