"""Local files: which kind a name promises, checked before reading (existence, kind, size),
read with a cap."""

from __future__ import annotations

import os
import stat

from reader.ingest.decode import gunzip
from reader.ingest.errors import IngestError

# The one list of file names reader reads, by suffix: a folder walk picks up exactly these
# (also gzipped: `page.html.gz`), and a file named on the command line is parsed as its
# suffix says (any other file is sniffed).
KIND_BY_SUFFIX = {
    ".txt": "text", ".text": "text",
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
}  # fmt: skip


def kind_of_path(path: str) -> str | None:
    """The kind a file name promises ("html", "markdown", "text"), or None to sniff."""
    name = path.lower().removesuffix(".gz")
    return KIND_BY_SUFFIX.get(os.path.splitext(name)[1])


def size_error(size: int | None, max_bytes: int) -> str:
    """The message for an input over the size limit; `size` None when only a lower bound is known."""
    if size is None:
        return f"over the size limit (more than {max_bytes:,} bytes)"
    return f"over the size limit ({size:,} bytes > {max_bytes:,})"


def read_file(path: str, max_bytes: int) -> bytes:
    """The bytes of the file at `path` (gunzipped when it ends in .gz); IngestError if not.

    The size is checked before reading, so a huge file is refused without being loaded.
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise IngestError("not found") from None
    except PermissionError:
        raise IngestError("permission denied") from None
    except OSError as error:
        raise IngestError(f"cannot read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError("is a folder")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or a device could block forever or never end.
        raise IngestError("not a regular file")
    if info.st_size == 0:
        raise IngestError("empty file")
    if info.st_size > max_bytes:
        raise IngestError(size_error(info.st_size, max_bytes))
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat
    except PermissionError:
        raise IngestError("permission denied") from None
    except IsADirectoryError:
        raise IngestError("is a folder") from None
    except OSError as error:
        raise IngestError(f"cannot read ({error.strerror or error})") from None
    if len(data) > max_bytes:
        raise IngestError(size_error(None, max_bytes))
    if path.lower().endswith(".gz"):
        data = gunzip(data, max_bytes)
    if not data:
        raise IngestError("empty file")
    return data
