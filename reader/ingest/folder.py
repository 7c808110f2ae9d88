"""Folders of articles: walked once, iteratively, in sorted order, hidden entries and loops skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from reader.ingest.files import kind_of_path


@dataclass(frozen=True, slots=True)
class FolderEntry:
    """A file found in a folder, or a folder that could not be read (then `error` says why)."""

    path: str
    error: str | None = None


def is_article_file(name: str) -> bool:
    """True for a name with an article suffix, also when gzipped (`page.html.gz`)."""
    return kind_of_path(name) is not None


def _entries(path: str) -> tuple[list[os.DirEntry[str]], FolderEntry | None]:
    """The visible entries of one folder in name order, or the error reading it."""
    try:
        with os.scandir(path) as scan:
            # Hidden files and folders (editor backups, .git, caches) are never articles.
            return sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name), None
    except PermissionError:
        return [], FolderEntry(path, "permission denied")
    except OSError as error:
        return [], FolderEntry(path, f"cannot read folder ({error.strerror or error})")


def walk_folder(folder: str) -> Iterator[FolderEntry]:
    """Article files under `folder`, depth first in name order; unreadable folders reported.

    An explicit stack rather than recursion, so a tree thousands of folders deep is walked
    like any other. Symbolic links are followed, but each real folder is visited once, so a
    link back up the tree ends the walk there instead of looping.
    """
    visited: set[str] = set()
    # Each frame: the entries of one folder still to visit, in reverse order (pop from the end).
    stack: list[list[os.DirEntry[str]]] = []

    def enter(path: str) -> FolderEntry | None:
        real = os.path.realpath(path)
        if real in visited:
            return None
        visited.add(real)
        entries, error = _entries(path)
        stack.append(entries[::-1])
        return error

    error = enter(folder)
    if error:
        yield error
    while stack:
        frame = stack[-1]
        if not frame:
            stack.pop()
            continue
        entry = frame.pop()
        try:
            is_dir = entry.is_dir()  # follows links
            is_file = entry.is_file()
        except OSError:
            continue
        if is_dir:
            error = enter(entry.path)
            if error:
                yield error
        elif is_article_file(entry.name):
            if is_file:
                yield FolderEntry(entry.path)
            elif entry.is_symlink() and not os.path.exists(entry.path):
                yield FolderEntry(entry.path, "broken symbolic link")
