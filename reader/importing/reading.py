"""Reading an import file: the same limits as ingest, and never more than a line in memory.

An import file is checked before it is read, as an ingested file is: it must be a regular
file (a FIFO or a device could block forever or never end) and not empty. It is then read
one line at a time, and a line is one article, so a line gets the limit an ingested file
gets (`DEFAULT_MAX_BYTES`); a longer line stops the file there, before it is held whole.
A file of any size costs the memory of one line.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

from reader.ingest import DEFAULT_MAX_BYTES

MAX_LINE_BYTES = DEFAULT_MAX_BYTES


class FileError(Exception):
    """An import file that cannot be read, as one line: why (and at which line, if any)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@contextlib.contextmanager
def open_import_file(path: str) -> Iterator[BinaryIO]:
    """The file at `path`, open for reading in binary; FileError unless it is a regular file
    with something in it. Opening never blocks, not even on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        raise FileError("not found") from None
    except PermissionError:
        raise FileError("permission denied") from None
    except OSError as error:
        raise FileError(f"cannot read: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileError("is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise FileError("not a regular file (a FIFO or a device could block or never end)")
        if info.st_size == 0:
            raise FileError("empty file")
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        stream = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with stream:
        yield stream


def file_state(stream: BinaryIO) -> tuple[int, int, int]:
    """What tells whether an open file changed between two reads: inode, size, change time."""
    info = os.fstat(stream.fileno())
    return info.st_ino, info.st_size, info.st_mtime_ns


def read_lines(stream: BinaryIO, max_bytes: int | None = None) -> Iterator[tuple[int, bytes]]:
    """`(line number, bytes)` for every line that is not blank, newline removed.

    FileError at the first line longer than `max_bytes` (by default `MAX_LINE_BYTES`), read
    no further than that.
    """
    max_bytes = MAX_LINE_BYTES if max_bytes is None else max_bytes
    number = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        elif len(raw) > max_bytes:
            raise FileError(
                f"the line is longer than {max_bytes:,} bytes, the most one article may take "
                "(as with ingest): the file is not read further",
                number,
            )
        if raw.strip():
            yield number, raw
