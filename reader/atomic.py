"""Writing files so that a kill, a full disk or a second writer never leaves half of one; and
reading the files reader keeps (store files, the config) without waiting or filling memory.

The one way reader replaces a file (store files, the config, exports): write a temporary
file beside it, fsync it, rename it over the old one, fsync the folder. A reader of the file
sees the old contents or the new, never a mix. Temporary files are hidden and named
`.NAME.PID.TID.tmp`, so a sweep can find those a killed writer left behind.

A path that is a symbolic link is followed: the file it points to is replaced and the link
stays a link (a user who keeps a file elsewhere and links it in keeps it that way).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

TEMPORARY_SUFFIX = ".tmp"
# What `temporary_name` makes: the hidden name, the writer's process and thread ids, and a
# suffix ending in TEMPORARY_SUFFIX.
_TEMPORARY_NAME = re.compile(r"\.(?:.+)\.(?P<pid>\d+)\.\d+\.(?:\w+\.)?tmp", re.S)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable: fsync the folder itself."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporary_name(path: Path, what: str = "tmp") -> Path:
    """A hidden name beside `path` that no other process or thread uses: `.NAME.PID.TID.what`."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.{what}")


def is_temporary(name: str) -> bool:
    """Whether a file name is one `temporary_name` makes (a leftover when no writer holds it)."""
    return name.startswith(".") and name.endswith(TEMPORARY_SUFFIX)


def is_leftover(name: str) -> bool:
    """Whether a file name is one `temporary_name` made for a process that no longer runs:
    a leftover of a writer that was killed, which nothing will finish or remove."""
    match = _TEMPORARY_NAME.fullmatch(name)
    if match is None:
        return False
    pid = int(match["pid"])
    # This process's own may be a write in another thread.
    return pid != os.getpid() and not process_running(pid)


def process_running(pid: int) -> bool:
    """Whether a process with this id runs (as far as this process can tell)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another user runs with that id
    return True


def target_of(path: Path) -> Path:
    """The file a write to `path` replaces: `path` itself, or what a symbolic link points to."""
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


@contextlib.contextmanager
def atomic_file(path: Path, *, binary: bool = True) -> Iterator[IO[Any]]:
    """A stream to a temporary file beside `path`, renamed over it only when the block succeeds.

    Raises OSError (IsADirectoryError for a folder) like any write; on any failure the
    temporary file is removed and `path` is as it was.
    """
    path = target_of(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    if binary:
        stream: IO[Any] = open(tmp, "wb")  # noqa: SIM115 - closed below, on every path
    else:
        stream = open(tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    try:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())
        stream.close()
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        stream.close()
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_atomic(path: Path, data: bytes, *, sync_folder: bool = True) -> None:
    """Replace `path` with `data` atomically (see the module docstring); raises OSError.

    Without `sync_folder`, the rename is durable only once the caller syncs the folder
    (`fsync_dir`): a batch of writes into one folder then needs one sync, not one each."""
    path = target_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        if sync_folder:
            fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A temporary folder beside `path`, put in its place only when the block succeeds.

    The previous folder (if any) is swapped out and removed only once the new one is in
    place; if the swap fails, the previous folder is put back.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_name(path)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = temporary_name(path, "old" + TEMPORARY_SUFFIX)
    if path.exists():
        os.replace(path, old)
    try:
        os.replace(tmp, path)
    except OSError:
        if old.exists():
            os.replace(old, path)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    fsync_dir(path.parent)


class NotAFile(ValueError):
    """What is at a path is not a regular file of the size allowed (`read_kept_file`)."""


def read_kept_file(path: Path, limit: int) -> bytes:
    """The bytes of a file reader keeps, through a link if it is one. NotAFile when it is not a
    regular file (opening a FIFO waits for a writer; a device can be endless) or holds more
    than `limit` bytes; FileNotFoundError or another OSError when it cannot be read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotAFile("not a regular file (a FIFO or a device is not one reader keeps)")
        data = stream.read(limit + 1)  # not by its size: /proc says 0 of anything
    if len(data) > limit:
        raise NotAFile(f"over {limit:,} bytes: not a file reader wrote")
    return data
