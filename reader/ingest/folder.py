"""Folders of articles: walked recursively, in sorted order, hidden entries and loops skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

# The file kinds a folder walk picks up; files named on the command line may be anything.
ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")


@dataclass(frozen=True, slots=True)
class FolderEntry:
    """A file found in a folder, or a folder that could not be read (then `error` says why)."""

    path: str
    error: str | None = None


def is_article_file(name: str) -> bool:
    """True for a name with an article suffix, also when gzipped (`page.html.gz`)."""
    lower = name.lower().removesuffix(".gz")
    return lower.endswith(ARTICLE_SUFFIXES)


def walk_folder(folder: str) -> Iterator[FolderEntry]:
    """Article files under `folder`, depth first in name order; unreadable folders reported.

    Symbolic links are followed, but each real folder is visited once, so a link back up
    the tree ends the walk there instead of looping.
    """
    visited: set[str] = set()

    def walk(path: str) -> Iterator[FolderEntry]:
        real = os.path.realpath(path)
        if real in visited:
            return
        visited.add(real)
        try:
            with os.scandir(path) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except PermissionError:
            yield FolderEntry(path, "permission denied")
            return
        except OSError as error:
            yield FolderEntry(path, f"cannot read folder ({error.strerror or error})")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden files and folders: editor backups, .git, caches
            try:
                is_dir = entry.is_dir()  # follows links
                is_file = entry.is_file()
            except OSError:
                continue
            if is_dir:
                yield from walk(entry.path)
            elif is_article_file(entry.name):
                if is_file:
                    yield FolderEntry(entry.path)
                elif entry.is_symlink() and not os.path.exists(entry.path):
                    yield FolderEntry(entry.path, "broken symbolic link")

    yield from walk(folder)
