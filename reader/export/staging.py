"""Where an export writes: checked first, staged beside the target, put in place at the end.

Every file is written through `reader.atomic`: a hidden temporary file beside the target,
renamed over it only once everything is written, so a failed export never leaves half a
file where a good one was; brat's folder likewise. An export never writes into the
library's data dir, nor replaces a folder that holds it. A kill -9 leaves the temporary
file behind; the next export into the same folder removes those of writers that are gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from reader.atomic import atomic_file, atomic_folder, is_leftover
from reader.export.report import ExportError
from reader.text import clean_line

# What a brat collection holds besides documents; brat writes .stats_cache itself.
_BRAT_FILES = re.compile(
    r".+\.(?:txt|ann)|annotation\.conf|visual\.conf|tools\.conf|kb_shortcuts\.conf|\.stats_cache"
)


def check_target(out: Path, data_dir: Path, *, folder: bool) -> None:
    """Refuse a target inside the library's data dir (or, for a folder that would be
    replaced, one that holds it): an export never writes over the store."""
    target = Path(os.path.realpath(out))
    library = Path(os.path.realpath(data_dir))
    if target == library or library in target.parents:
        raise ExportError(
            f"{clean_line(str(out))} is inside the library's data dir ({clean_line(str(data_dir))}): "
            "export somewhere else"
        )
    if folder and target in library.parents:
        raise ExportError(
            f"{clean_line(str(out))} holds the library's data dir ({clean_line(str(data_dir))}): "
            "export to a folder of its own"
        )


def sweep_leftovers(folder: Path) -> None:
    """Remove what killed exports left in `folder`: temporary files and folders whose
    writer process is gone."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not is_leftover(entry.name):
                continue
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)


@contextlib.contextmanager
def staged_file(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A stream to a temporary file beside `path`, renamed over it only when the block succeeds."""
    if path.is_dir():
        raise ExportError(f"{clean_line(str(path))} is a folder")
    sweep_leftovers(path.parent)
    with atomic_file(path, binary=binary) as stream:
        yield stream


def is_brat_folder(folder: Path) -> bool:
    """Whether a folder holds nothing but a brat collection's files (so replacing it loses nothing else)."""
    with os.scandir(folder) as entries:
        return all(
            e.is_file(follow_symlinks=False) and _BRAT_FILES.fullmatch(e.name) for e in entries
        )


@contextlib.contextmanager
def staged_folder(path: Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary folder beside `path`, put in its place only when the block succeeds.

    An existing folder is replaced only when it is empty or a brat collection (a previous
    export), or with `force`.
    """
    if path.exists() and not path.is_dir():
        raise ExportError(f"{clean_line(str(path))} is a file, not a folder")
    if path.is_dir() and any(path.iterdir()) and not is_brat_folder(path) and not force:
        raise ExportError(
            f"{clean_line(str(path))} is not empty and not a brat export: "
            "choose another folder, or --force to replace it"
        )
    sweep_leftovers(path.parent)
    with atomic_folder(path) as tmp:
        yield tmp
