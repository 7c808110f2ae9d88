"""The library on disk: articles and annotations in TinyDB files, and a catalog derived from them.

Layout under the data dir:

    articles/ID.json        one article: text, metadata, analysis (written at ingest/reanalyze)
    annotations/ID.json     one article's annotations, rejections, reading and review state
    catalog.sqlite          the catalog (`reader.catalog`): summaries, full-text and entity
                            indexes, derived from the files above and rebuilt from them
    lock                    flock'ed by every writer

The files are the truth: an article is in the library exactly when its article file is.
Every write goes through this module, under the lock, in one order: mark the articles as
pending in the catalog, write the files (each atomically, `reader.atomic`), then update the
catalog and clear the marks in one transaction. A kill between the two leaves marks that the
next open repairs from the files; `check` compares every file with the catalog and `repair`
rebuilds the catalog from the files.

A write for an article whose file is gone raises `ArticleGone`, so a running app or reanalyze
never writes a removed article again; adding an article clears whatever annotation file an
earlier copy left, so re-ingesting a removed text starts clean. A file that cannot be read,
or holds the wrong shapes, raises `StoreError` naming it, and is never written over.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import secrets
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from reader.article import (
    REVIEW_STATUSES,
    Annotation,
    Article,
    ArticleState,
    Rejection,
    ReviewStatus,
)
from reader.atomic import NotAFile, fsync_dir, is_temporary, read_kept_file, write_atomic
from reader.catalog import (
    CATALOG_VERSION,
    ArticleSummary,
    Catalog,
    CatalogDamaged,
    CatalogError,
    EntityCount,
    MentionedIn,
    Query,
    View,
    damaged,
    fold,
    mentions_in,
    parse_query,
    snippet,
    summarize,
    term_pattern,
)
from reader.text import blank_controls, clean_line, is_safe, shortened

__all__ = ["ArticleGone", "ArticleSummary", "Library", "StoreError", "View"]

SCHEMA_VERSION = 1
# The store's layout: 1 kept a `library.json` index, 2 keeps the catalog instead.
STORE_LAYOUT = 2
_ENVELOPE = "reader"
_LEGACY_INDEX = "library.json"
_FOLDER_STAMP = "articles_folder_mtime"
# No offset into an article can be larger (a text is far smaller); SQLite's integers stop at 2**63.
MAX_OFFSET = 2**40
# The largest store file read: an article file holds at most an ingested text (20 MB) and its
# analysis, an annotation file its spans. Anything larger was not written by reader.
MAX_STORE_FILE_BYTES = 128 * 1024 * 1024
# Rows the catalog is rebuilt with per transaction: bounds memory at any library size.
_REBUILD_BATCH = 500
_T = TypeVar("_T")


class StoreError(Exception):
    """A store file is unreadable, corrupt, from a newer reader, or could not be written."""


class ArticleGone(LookupError):
    """The article is not (or no longer) in the library: removed, perhaps by another process.

    Every write for an article raises it once the article is removed, so a running app or
    reanalyze never writes a removed article's files again.
    """


def now() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def added_now() -> str:
    """When an article is added, to the microsecond: it also tells this copy of an article from
    one added again after a removal (`ArticleGone`), and keeps the order of a batch."""
    return datetime.now(UTC).isoformat()


def read_json_file(path: Path, kind: str) -> dict[str, Any] | None:
    """Read one store file's tables; None when it does not exist; StoreError when it is bad."""
    try:
        raw = read_kept_file(path, MAX_STORE_FILE_BYTES)
    except FileNotFoundError:
        return None
    except NotAFile as exc:
        raise StoreError(f"{path}: store file is {exc}") from exc
    except OSError as exc:
        raise StoreError(f"{path}: cannot read store file: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        what = "empty" if not raw.strip() else "corrupt (not valid JSON)"
        raise StoreError(f"{path}: store file is {what}: {exc}") from exc
    except RecursionError as exc:
        raise StoreError(f"{path}: store file is corrupt (nested too deeply)") from exc
    meta = data.get(_ENVELOPE) if isinstance(data, dict) else None
    if not isinstance(meta, dict) or not isinstance(data.get("tables"), dict):
        raise StoreError(f"{path}: not a reader store file (no '{_ENVELOPE}' header)")
    schema = meta.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: store schema {schema!r} is newer than this reader understands ({SCHEMA_VERSION})"
        )
    if meta.get("kind") != kind:
        raise StoreError(f"{path}: expected a {kind} file, found {meta.get('kind')!r}")
    tables = data["tables"]
    for name, table in tables.items():
        if not isinstance(table, dict) or not all(isinstance(doc, dict) for doc in table.values()):
            raise StoreError(f"{path}: table {name!r} is not a table of records")
    return tables


def write_json_file(path: Path, kind: str, tables: dict[str, Any], *, sync_folder: bool = True) -> None:
    """Write one store file atomically (`reader.atomic.write_atomic`); StoreError when it fails.
    Without `sync_folder` the caller syncs the folder once after a batch of writes."""
    payload = json.dumps(
        {_ENVELOPE: {"schema": SCHEMA_VERSION, "kind": kind}, "tables": tables},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    try:
        write_atomic(path, payload, sync_folder=sync_folder)
    except OSError as exc:
        raise StoreError(f"{path}: could not save: {exc.strerror or exc}") from exc


class StagedStorage(Storage):
    """A TinyDB storage over tables already read: changes stay in memory until the library
    writes them once, whatever number of TinyDB operations made them."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.tables = tables
        self.changed = False

    def read(self) -> dict[str, Any]:
        """The staged tables."""
        return self.tables

    def write(self, data: dict[str, Any]) -> None:
        """Keep the new tables (written later by the library)."""
        self.tables = data
        self.changed = True

    def close(self) -> None:
        """Nothing to release."""


# -- shapes of what the files hold -------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _optional_text(record: dict[str, Any], *names: str) -> None:
    for name in names:
        if record.get(name) is not None and not isinstance(record[name], str):
            raise ValueError(f"'{name}' is not text")


def _machine_text(value: Any, name: str) -> None:
    """A field reader writes itself (a time, a model name): text without a control character.
    One that holds one was edited by hand, and is refused rather than shown or indexed."""
    if not isinstance(value, str):
        raise ValueError(f"'{name}' is not text")
    if not is_safe(value):
        raise ValueError(f"'{name}' holds control characters")


def _is_label(value: Any) -> bool:
    """A label as reader writes one: text, not empty, no control character or edge space."""
    return isinstance(value, str) and _is_label_text(value)


@functools.lru_cache(maxsize=1024)
def _is_label_text(value: str) -> bool:
    # An article's file holds a handful of labels, each on hundreds of spans: each is
    # checked once.
    return bool(value) and value == value.strip() and is_safe(value)


_HEX_ID = re.compile("[0-9a-f]+")


def check_article_record(record: Any) -> None:
    """Raise ValueError naming the first field of an article record with the wrong shape."""
    if not isinstance(record, dict):
        raise ValueError("the article record is not an object")
    for name in ("id", "text"):
        if not isinstance(record.get(name), str):
            raise ValueError(f"'{name}' is missing or not text")
    _optional_text(record, "source", "title", "byline", "date", "site", "url")
    _machine_text(record.get("ingested_at", ""), "ingested_at")
    analysis = record.get("analysis")
    if analysis is None:
        return
    if not isinstance(analysis, dict):
        raise ValueError("'analysis' is not an object")
    for name in ("model", "version"):
        if not isinstance(analysis.get(name), str):
            raise ValueError(f"'analysis.{name}' is missing or not text")
    for name in ("model", "version", "analysed_at"):
        _machine_text(analysis.get(name, ""), f"analysis.{name}")
    length = len(record["text"])
    for name in ("entities", "numbers"):
        spans = analysis.get(name, [])
        if not isinstance(spans, list):
            raise ValueError(f"'analysis.{name}' is not a list")
        for span in spans:
            if not (
                isinstance(span, list)
                and len(span) == 3
                and _is_int(span[0])
                and _is_int(span[1])
                and _is_label(span[2])
                and 0 <= span[0] < span[1] <= length
            ):
                raise ValueError(f"'analysis.{name}' holds {str(span)[:40]}, not a span of the text")
    tokens = analysis.get("tokens", [])
    if isinstance(tokens, list) and not all(_is_int(t) for t in tokens):
        raise ValueError("'analysis.tokens' holds something other than offsets")
    if not isinstance(tokens, (list, str)):
        raise ValueError("'analysis.tokens' is not a list of offsets")


def _check_tokens(tokens: list[int], length: int) -> None:
    """Token offsets as reader writes them: pairs, in order, within the text (spans are snapped
    to them, and an offset past the text would make a span no write accepts)."""
    if len(tokens) % 2:
        raise ValueError("'analysis.tokens' has an odd number of offsets")
    # Built-ins, not a loop: an article's tokens run to tens of thousands.
    if tokens and (min(tokens) < 0 or max(tokens) > length or tokens != sorted(tokens)):
        raise ValueError("'analysis.tokens' holds offsets out of order or outside the text")


def parse_article(path: Path, tables: dict[str, Any] | None, article_id: str, *, tokens: bool = True) -> Article:
    """The article a store file holds; ArticleGone when there is none, StoreError when it is bad.

    Without `tokens`, the analysis comes without its token offsets (the catalog needs none,
    and decoding them is most of the cost of reading a long article).
    """
    if not tables or "article" not in tables:
        raise ArticleGone(f"no article with id {article_id!r}")
    record = tables["article"].get("1")
    try:
        check_article_record(record)
        if not tokens and isinstance(record.get("analysis"), dict):
            record = {**record, "analysis": {**record["analysis"], "tokens": []}}
        article = Article.from_record(record)
        if article.analysis:
            _check_tokens(article.analysis.tokens, len(article.text))
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{path}: malformed article record: {exc}") from exc
    if article.id != article_id:
        raise StoreError(f"{path}: holds article {article.id!r}, not {article_id!r}")
    # Cleaned at ingest; made safe again here, since a store file can be edited by hand.
    article.text = blank_controls(article.text)
    for name in ("title", "byline", "date", "site", "url", "language"):
        value = getattr(article, name)
        if value is not None and not is_safe(value):
            setattr(article, name, clean_line(value) or None)
    if not is_safe(article.source):
        article.source = clean_line(article.source)
    return article


def parse_state(path: Path, tables: dict[str, Any], length: int | None = None) -> ArticleState:
    """The annotations, rejections and reading state an annotation file holds (StoreError when
    a record has the wrong shape or, given the text's `length`, a span outside it)."""
    try:
        annotations = [_annotation(r) for r in tables.get("annotations", {}).values()]
        rejections = [_rejection(r) for r in tables.get("rejections", {}).values()]
        state = tables.get("state", {}).get("1", {})
        position = state.get("position", 0)
        if not _is_int(position) or not 0 <= position <= MAX_OFFSET:
            raise ValueError(f"'state.position' is {str(position)[:20]!r}, not an offset")
        read = state.get("read", state.get("opened", False))
        if not isinstance(read, bool):
            raise ValueError("'state.read' is not true or false")
        status = state.get("status", "new")
        if status not in REVIEW_STATUSES:
            raise ValueError(f"'state.status' is {str(status)[:20]!r}, not one of {', '.join(REVIEW_STATUSES)}")
        opened_at = state.get("opened_at", "")
        _machine_text(opened_at, "state.opened_at")
    except ValueError as exc:
        raise StoreError(f"{path}: malformed annotation file: {exc}") from exc
    annotations.sort(key=lambda a: (a.start, -a.end, a.id))
    rejections.sort()
    state = ArticleState(annotations, rejections, position, read, status, opened_at)
    if length is not None:
        check_state_fits(path, state, length)
    return state


def check_state_fits(path: Path, state: ArticleState, length: int) -> None:
    """StoreError when a span of `state` (read from `path`) ends past a text of `length`
    characters: a hand-edited file, whose span would be shown or exported as a slice of
    nothing."""
    for what, spans in (("an annotation", state.annotations), ("a rejection", state.rejections)):
        for span in spans:
            if span.end > length:
                raise StoreError(
                    f"{path}: malformed annotation file: {what} at {span.start}-{span.end} is outside the text"
                )


def _annotation(record: dict[str, Any]) -> Annotation:
    get = record.get
    annotation_id, start, end, label = get("id"), get("start"), get("end"), get("label")
    if not isinstance(annotation_id, str) or _HEX_ID.fullmatch(annotation_id) is None:
        raise ValueError(f"an annotation has id {str(annotation_id)[:20]!r}, not a hex id")
    _check_span_record("an annotation", start, end, label)
    source = get("source", "manual")
    if source not in ("manual", "model"):
        raise ValueError(f"annotation {annotation_id} has source {str(source)[:20]!r}")
    created = get("created", "")
    if not (isinstance(created, str) and is_safe(created)):
        _machine_text(created, f"annotation {annotation_id}.created")  # says what is wrong
    return Annotation(annotation_id, start, end, label, source, created)


def _rejection(record: dict[str, Any]) -> Rejection:
    start, end, label = (record.get(k) for k in ("start", "end", "label"))
    _check_span_record("a rejection", start, end, label)
    return Rejection(start, end, label)


def _check_span_record(what: str, start: Any, end: Any, label: Any) -> None:
    if not (_is_int(start) and _is_int(end)):
        raise ValueError(f"{what} has start {str(start)[:20]!r} and end {str(end)[:20]!r}, not offsets")
    if not isinstance(label, str) or not label:
        raise ValueError(f"{what} at {start}-{end} has no label")
    if not _is_label(label):
        raise ValueError(f"{what} at {start}-{end} has a label with control characters or edge spaces")
    if not 0 <= start < end <= MAX_OFFSET:
        raise ValueError(f"{what} at {str(start)[:20]}-{str(end)[:20]} is outside the text")


@dataclass(frozen=True, slots=True)
class Found:
    """One search result: the article's summary, a snippet and where the first hit is."""

    summary: ArticleSummary
    score: float
    snippet: str
    offset: int  # of the first hit in the text (0 when only the title or byline matched)
    marks: tuple[tuple[int, int], ...]  # the hits' ranges within the snippet

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form used by `reader search --json`."""
        s = self.summary
        return {
            "id": s.id,
            "title": s.title,
            "byline": s.byline,
            "date": s.date,
            "site": s.site,
            "score": round(-self.score, 4),
            "offset": self.offset,
            "snippet": self.snippet,
        }


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `check` found: one line per disagreement or damaged file."""

    problems: list[str]
    articles: int

    @property
    def ok(self) -> bool:
        """True when files and catalog agree and every file is readable."""
        return not self.problems


class Library:
    """The library under one data dir: read freely, write under a lock."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.articles_dir = self.root / "articles"
        self.annotations_dir = self.root / "annotations"
        self.catalog_path = self.root / "catalog.sqlite"
        self.catalog = Catalog(self.catalog_path)
        self._thread_lock = threading.RLock()
        self._lock_depth = 0
        self._lock_fd: int | None = None
        self._swept = False
        self._synced = False
        # The copy (its `ingested_at`) of each article this process read or wrote.
        self._seen: dict[str, str] = {}
        # Told how a long job (building the catalog) goes: (done, total, what).
        self.on_progress: Callable[[int, int, str], None] | None = None
        # Articles read for writes, by id, with the file's stamp they were read at.
        self._articles: OrderedDict[str, tuple[tuple[int, int, int], Article]] = OrderedDict()

    # -- locking ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the data dir's write lock (re-entrant within this process)."""
        with self._thread_lock:
            if self._lock_depth == 0:
                try:
                    self.root.mkdir(parents=True, exist_ok=True)
                    fd = os.open(self.root / "lock", os.O_RDWR | os.O_CREAT, 0o644)
                except OSError as exc:
                    raise StoreError(f"{self.root}: cannot open the data dir: {exc.strerror or exc}") from exc
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._lock_fd = fd
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if self._lock_depth == 0 and self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                    os.close(self._lock_fd)
                    self._lock_fd = None

    def _sweep_temporary_files(self) -> None:
        """Remove temporary files left by writers that were killed mid-write.

        Called under the lock: a live writer of another process holds it while its temporary
        file exists, so any temporary file seen here belongs to no write in progress. Run when
        a writer's pending marks show it was killed (listing a folder of 100,000 files on every
        write would cost more than the write), and by `repair`.
        """
        self._swept = True
        for folder in (self.root, self.articles_dir, self.annotations_dir):
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                for entry in entries:
                    if is_temporary(entry.name):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    # -- the catalog -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _catalog_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            hint = "; `reader check --repair` rebuilds it from the files" if damaged(exc) else ""
            raise StoreError(f"{self.catalog_path}: catalog error: {exc}{hint}") from exc
        except CatalogError as exc:
            raise StoreError(str(exc)) from exc

    def _ready(self) -> Catalog:
        """The catalog, brought up to date with the files once per process."""
        if not self._synced:
            with self._thread_lock:
                if not self._synced:
                    with self._catalog_errors():
                        self._sync()
                    self._synced = True
        return self.catalog

    def _sync(self) -> None:
        """Build the catalog if there is none (a new or an older store), and repair what a
        killed writer left: the articles marked pending, and a count of article files that
        differs from the catalog's (files removed or left behind by hand or by old versions)."""
        try:
            version = self.catalog.version()
        except CatalogDamaged:
            version = -1
        except sqlite3.DatabaseError as exc:
            if not damaged(exc):
                raise
            version = -1
        if self.catalog.read_only:
            # Nothing can be built or repaired here: browse the catalog as it is.
            if version != CATALOG_VERSION:
                raise StoreError(
                    f"{self.root}: the data dir is read-only and its catalog is missing, damaged or from "
                    "another version of reader; open it once where it can be written"
                )
            return
        if version == -1:  # derived data: build it again
            self._discard_catalog()
        if version != CATALOG_VERSION:
            with self.locked():
                if self.catalog.version() != CATALOG_VERSION:
                    self._rebuild()
            return
        if self.catalog.pending():
            with self.locked():
                # A writer was killed between marking and updating: its temporary files (if it
                # died mid-write) are swept, and what it changed is read again.
                self._sweep_temporary_files()
                self._repair(self.catalog.pending())
        if self.catalog.meta().get(_FOLDER_STAMP) != self._folder_stamp():
            # Article files came or went without this module (by hand, or a killed writer of
            # an older release): compare the names with the catalog's.
            with self.locked():
                stored = set(self.stored_ids())
                known = set(self.catalog.ids())
                self._repair(sorted(stored ^ known))
                with self.catalog.transaction() as tx:
                    self._stamp_folder(tx)

    def _discard_catalog(self) -> None:
        """Delete a catalog file that is not a database any more (it is rebuilt from the files)."""
        self.catalog.close()
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.catalog_path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise StoreError(f"{self.catalog_path}{suffix}: cannot replace the damaged catalog: {exc.strerror or exc}") from exc

    def _folder_stamp(self) -> str:
        """The articles folder's modification time: it changes whenever a file comes or goes."""
        try:
            return str(self.articles_dir.stat().st_mtime_ns)
        except FileNotFoundError:
            return "none"

    def _stamp_folder(self, tx: sqlite3.Connection) -> None:
        """Record the articles folder as this write left it (in the write's transaction)."""
        self.catalog.set_meta(tx, _FOLDER_STAMP, self._folder_stamp())

    def _rebuild(self) -> list[str]:
        """Make the catalog anew from the files (under the lock); returns the files skipped.

        `on_progress` (when set) hears how far it is: a library of 100,000 articles takes
        minutes to read, once, after an upgrade or when the catalog was lost.
        """
        skipped: list[str] = []
        self.catalog.create(counting=False)
        ids = self.stored_ids()
        for first in range(0, len(ids), _REBUILD_BATCH):
            if self.on_progress and len(ids) > _REBUILD_BATCH:
                self.on_progress(first, len(ids), "building the catalog from the article files")
            rows = []
            for article_id in ids[first : first + _REBUILD_BATCH]:
                try:
                    article = self._read_article(article_id, tokens=False)
                except ArticleGone:
                    continue
                except StoreError as exc:
                    skipped.append(str(exc))
                    continue
                try:
                    state = self._read_state(article_id, len(article.text))
                except StoreError as exc:
                    # Listed all the same, as untouched: the damaged file is named, and left.
                    skipped.append(str(exc))
                    state = ArticleState()
                rows.append((article, state))
            with self.catalog.transaction() as tx:
                for article, state in rows:
                    self.catalog.put(tx, summarize(article, state), mentions_in(article, state), article=article)
        if self.on_progress and len(ids) > _REBUILD_BATCH:
            self.on_progress(len(ids), len(ids), "building the catalog from the article files")
        with self.catalog.transaction() as tx:
            self.catalog.set_meta(tx, "built_at", now())
            self.catalog.set_meta(tx, "store_layout", str(STORE_LAYOUT))
            self._stamp_folder(tx)
            self.catalog.count_entities(tx)
            self.catalog.mark_complete(tx)
        with contextlib.suppress(FileNotFoundError):
            (self.root / _LEGACY_INDEX).unlink()  # the index the catalog replaces
        return skipped

    def _repair(self, ids: Iterable[str]) -> None:
        """Make the catalog rows of these articles match their files (under the lock)."""
        ids = list(ids)
        for first in range(0, len(ids), _REBUILD_BATCH):
            batch = ids[first : first + _REBUILD_BATCH]
            rows: list[tuple[str, Article | None, ArticleState | None]] = []
            for article_id in batch:
                try:
                    article = self._read_article(article_id)
                    rows.append((article_id, article, self._read_state(article_id, len(article.text))))
                except ArticleGone:
                    rows.append((article_id, None, None))
                except StoreError:
                    # A damaged file: keep what the catalog knows; `check` reports the file.
                    rows.append((article_id, self._cached(article_id), None))
            with self.catalog.transaction() as tx:
                for article_id, article, state in rows:
                    if article is None:
                        self.catalog.delete(tx, article_id, None)
                    elif state is not None:
                        self.catalog.put(tx, summarize(article, state), mentions_in(article, state), article=article)
                self.catalog.clear_pending(tx, batch)

    def _sync_folder(self, folder: Path) -> None:
        """Make the renames of a batch of writes in `folder` durable, with one sync."""
        try:
            fsync_dir(folder)
        except OSError as exc:
            raise StoreError(f"{folder}: could not save: {exc.strerror or exc}") from exc

    def _unmark(self, ids: list[str]) -> None:
        """Clear pending marks after a write failed and left the files as they were. If the
        catalog cannot be written either, the marks stay: the next open checks those files."""
        with contextlib.suppress(sqlite3.Error), self.catalog.transaction() as tx:
            self.catalog.clear_pending(tx, ids)

    def _cached(self, article_id: str) -> Article | None:
        entry = self._articles.get(article_id)
        return entry[1] if entry else None

    # -- files -----------------------------------------------------------------------------

    def _article_path(self, article_id: str) -> Path:
        return self.articles_dir / f"{article_id}.json"

    def _annotations_path(self, article_id: str) -> Path:
        return self.annotations_dir / f"{article_id}.json"

    def _read_article(self, article_id: str, *, tokens: bool = True) -> Article:
        path = self._article_path(article_id)
        return parse_article(path, read_json_file(path, "article"), article_id, tokens=tokens)

    def _read_state(self, article_id: str, length: int | None = None) -> ArticleState:
        path = self._annotations_path(article_id)
        return parse_state(path, read_json_file(path, "annotations") or {}, length)

    def _article_for_write(self, article_id: str) -> Article:
        """The article, read once per change of its file (under the lock): ArticleGone when
        its file is gone, which is what makes a removal final for every writer."""
        path = self._article_path(article_id)
        try:
            st = path.stat()
        except FileNotFoundError:
            self._articles.pop(article_id, None)
            raise ArticleGone(f"article {article_id} is no longer in the library (removed)") from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot read store file: {exc.strerror or exc}") from exc
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        entry = self._articles.get(article_id)
        if entry is not None and entry[0] == stamp:
            self._articles.move_to_end(article_id)
            return entry[1]
        try:
            article = self._read_article(article_id)
        except ArticleGone:
            raise ArticleGone(f"article {article_id} is no longer in the library (removed)") from None
        self._remember(article)
        self._articles[article_id] = (stamp, article)
        while len(self._articles) > 16:
            self._articles.popitem(last=False)
        return article

    def _remember(self, article: Article) -> None:
        """Note which copy of an article this process works on; a write for it after another
        process removed it and added the same text again is refused (ArticleGone), so that an
        app still showing the old copy never writes into the new one."""
        seen = self._seen.setdefault(article.id, article.ingested_at)
        if seen != article.ingested_at:
            raise ArticleGone(
                f"article {article.id} was removed and added again since it was opened; open it again"
            )

    # -- articles --------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """Every article id in the library, sorted."""
        with self._catalog_errors():
            return self._ready().ids()

    def stored_ids(self, *, annotated: bool = False) -> list[str]:
        """Sorted ids of the articles stored, from file names alone: every article's, or with
        `annotated` those that have an annotation file (which may hold no annotation)."""
        folder = self.annotations_dir if annotated else self.articles_dir
        try:
            with os.scandir(folder) as entries:
                ids = [e.name[:-5] for e in entries if e.name.endswith(".json") and not e.name.startswith(".")]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"{folder}: cannot list: {exc.strerror or exc}") from exc
        ids.sort()
        if annotated:
            ids = [i for i in ids if self._article_path(i).is_file()]
        return ids

    def resolve(self, prefix: str) -> str:
        """The full id of the one article whose id starts with `prefix` (LookupError otherwise)."""
        prefix = prefix.strip().lower()
        if not prefix:
            raise LookupError("an article id cannot be empty")
        if len(prefix) > 64 or prefix.strip("0123456789abcdef"):
            raise LookupError(f"no article with id {clean_line(prefix)[:40]!r} (an id is hexadecimal)")
        with self._catalog_errors():
            matches = self._ready().with_prefix(prefix)
        if not matches:
            raise LookupError(f"no article with id {prefix!r}")
        if len(matches) > 1:
            raise LookupError(f"id {prefix!r} is ambiguous: it matches {', '.join(matches[:5])}")
        return matches[0]

    def has(self, article_id: str) -> bool:
        """Whether the article is in the library."""
        return self._article_path(article_id).is_file()

    def get(self, article_id: str) -> Article:
        """The whole article: text, metadata and analysis (read afresh). This process then
        works on that copy of it (see `_remember`)."""
        try:
            article = self._read_article(article_id)
        except ArticleGone:
            raise LookupError(f"no article with id {article_id!r}") from None
        self._seen[article_id] = article.ingested_at
        return article

    def add(self, article: Article) -> bool:
        """Store a new article; False (and nothing written) when its id is already in the library."""
        return self.add_many([article])[0]

    def add_many(self, articles: list[Article]) -> list[bool]:
        """Store several new articles, with one catalog transaction; True for each one added.

        An annotation file left by an earlier copy of an article (removed, then ingested
        again) is cleared: a new article starts clean. If any write fails, the files this
        call wrote are removed again, so the library is as it was.
        """
        added: list[bool] = []
        new: list[Article] = []
        with self.locked():
            catalog = self._ready()
            seen: set[str] = set()
            for article in articles:
                fresh = article.id not in seen and not self.has(article.id)
                added.append(fresh)
                if fresh:
                    seen.add(article.id)
                    if not article.ingested_at:
                        article.ingested_at = added_now()
                    new.append(article)
            if not new:
                return added
            written: list[Path] = []
            with self._catalog_errors():
                catalog.mark_pending(a.id for a in new)
            try:
                for article in new:
                    self._seen[article.id] = article.ingested_at
                    self._articles.pop(article.id, None)
                    with contextlib.suppress(FileNotFoundError):
                        self._annotations_path(article.id).unlink()
                    path = self._article_path(article.id)
                    write_json_file(path, "article", {"article": {"1": article.to_record()}}, sync_folder=False)
                    written.append(path)
                self._sync_folder(self.articles_dir)  # one sync makes the batch's renames durable
                state = ArticleState()
                with self._catalog_errors(), catalog.transaction() as tx:
                    for article in new:
                        catalog.put(tx, summarize(article, state), mentions_in(article, state), article=article)
                    catalog.clear_pending(tx, (a.id for a in new))
                    self._stamp_folder(tx)
            except BaseException:
                for path in written:
                    with contextlib.suppress(OSError):
                        path.unlink()
                self._unmark([a.id for a in new])
                raise
        return added

    def save_analyses(self, articles: list[Article]) -> list[str]:
        """Store the analysis each article now carries; returns the ids of those not saved
        because they were removed meanwhile. Annotations are untouched.

        An article's text never changes (its id is a hash of it), so the article as read
        earlier is written back whole.
        """
        gone: list[str] = []
        with self.locked():
            catalog = self._ready()
            present: list[tuple[Article, ArticleState]] = []
            for article in articles:
                if not self.has(article.id):
                    gone.append(article.id)
                    continue
                present.append((article, self._read_state(article.id, len(article.text))))
            if not present:
                return gone
            with self._catalog_errors():
                catalog.mark_pending(a.id for a, _ in present)
            try:
                for article, _ in present:
                    path = self._article_path(article.id)
                    write_json_file(path, "article", {"article": {"1": article.to_record()}}, sync_folder=False)
                    self._articles.pop(article.id, None)
            finally:
                # One sync for the batch's renames. A failed write leaves its article marked
                # pending: the next open reads it again, whichever version its file holds.
                self._sync_folder(self.articles_dir)
            with self._catalog_errors(), catalog.transaction() as tx:
                for article, state in present:
                    catalog.put(tx, summarize(article, state), mentions_in(article, state), article=article)
                catalog.clear_pending(tx, (a.id for a, _ in present))
                self._stamp_folder(tx)
        return gone

    def remove(self, article_id: str) -> None:
        """Remove an article with its annotations (ArticleGone when it is not there)."""
        self.remove_many([article_id])

    def remove_many(self, ids: list[str]) -> None:
        """Remove articles with their annotations: their text out of the full-text index, the
        article file (from then on no writer touches the article), the annotation file, then
        the catalog rows."""
        with self.locked():
            catalog = self._ready()
            known: list[tuple[str, Article | None]] = []
            for article_id in ids:
                if not self.has(article_id) and not catalog.has(article_id):
                    raise ArticleGone(f"no article with id {article_id!r}")
                try:
                    article: Article | None = self._read_article(article_id)
                except (StoreError, ArticleGone):
                    article = None  # its text index entry stays behind, matching no row
                known.append((article_id, article))
            with self._catalog_errors():
                catalog.mark_pending(i for i, _ in known)
                # The text index needs the text to forget it: done first, while it is at hand.
                # A kill from here on leaves articles whose next repair indexes them again
                # (the file is still there) or drops their rows (it is gone).
                with catalog.transaction() as tx:
                    for article_id, article in known:
                        if article is not None:
                            catalog.unindex(tx, article_id, article)
            for article_id, _ in known:
                for path in (self._article_path(article_id), self._annotations_path(article_id)):
                    try:
                        path.unlink()
                    except FileNotFoundError:
                        pass
                    except OSError as exc:
                        raise StoreError(f"{path}: could not remove: {exc.strerror or exc}") from exc
                self._articles.pop(article_id, None)
            with self._catalog_errors(), catalog.transaction() as tx:
                for article_id, article in known:
                    catalog.delete(tx, article_id, article)
                catalog.clear_pending(tx, (i for i, _ in known))
                self._stamp_folder(tx)

    # -- the library list ------------------------------------------------------------------

    def summaries(self, view: View | None = None) -> list[ArticleSummary]:
        """Every article the view shows (by default all, newest first)."""
        return list(self.iter_summaries(view))

    def iter_summaries(self, view: View | None = None) -> Iterator[ArticleSummary]:
        """`summaries`, streamed from the catalog."""
        with self._catalog_errors():
            yield from self._ready().iter_summaries(view)

    def summary(self, article_id: str) -> ArticleSummary | None:
        """One article's summary, None when it is not in the library."""
        with self._catalog_errors():
            return self._ready().summary(article_id)

    def count(self, view: View | None = None) -> int:
        """How many articles the view shows."""
        with self._catalog_errors():
            return self._ready().count(view)

    def page(self, view: View, offset: int, limit: int) -> list[ArticleSummary]:
        """`limit` rows of the view from `offset`: what a list on screen shows."""
        with self._catalog_errors():
            return self._ready().page(view, offset, limit)

    def ordered_rows(self, view: View) -> list[int]:
        """Every row of a view, in order, as row numbers (see `Catalog.ordered_rows`)."""
        with self._catalog_errors():
            return self._ready().ordered_rows(view)

    def row_number(self, article_id: str) -> int | None:
        """An article's row number in the catalog (None when it is not in the library)."""
        with self._catalog_errors():
            return self._ready().row_number(article_id)

    def rows_numbered(self, numbers: list[int]) -> list[ArticleSummary]:
        """The summaries of these rows, in the order given."""
        with self._catalog_errors():
            return self._ready().rows_numbered(numbers)

    def index_of(self, view: View, article_id: str) -> int | None:
        """Where an article is in the view (None when it does not show it)."""
        with self._catalog_errors():
            return self._ready().index_of(view, article_id)

    def continue_reading(self) -> ArticleSummary | None:
        """The article opened last and not read to the end."""
        with self._catalog_errors():
            return self._ready().continue_reading()

    def review_counts(self) -> dict[str, int]:
        """How many articles are new, in progress, done and ignored."""
        with self._catalog_errors():
            return self._ready().review_counts()

    def next_to_review(self, after: str | None = None, view: View | None = None) -> str | None:
        """The next article to review (new or in progress) after `after` in the view's order
        (newest first by default), wrapping round; None when no other is left."""
        with self._catalog_errors():
            return self._ready().next_in_review(after, view or View())

    def labels_in_use(self) -> list[str]:
        """Every label some article has an annotation of."""
        with self._catalog_errors():
            return self._ready().labels()

    # -- search and entities ---------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        entity: str | None = None,
        label: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[Found]:
        """Articles matching a full-text query (words, "phrases", prefix*), best first, each
        with a snippet around its first hit. ValueError for a query with no word in it."""
        parsed = parse_query(query)
        with self._catalog_errors():
            hits = self._ready().search(parsed, entity=entity, label=label, limit=limit, offset=offset)
        return [self._found(hit.summary, hit.score, parsed) for hit in hits]

    def search_count(self, query: str, *, entity: str | None = None, label: str | None = None) -> int:
        """How many articles match a full-text query."""
        parsed = parse_query(query)
        with self._catalog_errors():
            return self._ready().search_count(parsed, entity=entity, label=label)

    def _found(self, summary: ArticleSummary, score: float, query: Query) -> Found:
        text = self._text_of(summary.id)
        line, offset, marks = snippet(text, term_pattern(query.terms))
        return Found(summary, score, line, offset, tuple(marks))

    def _text_of(self, article_id: str) -> str:
        """Just an article's text, for a snippet: "" when it is gone or damaged (the title still
        says which article it is). Reads the record without rebuilding the analysis."""
        try:
            tables = read_json_file(self._article_path(article_id), "article") or {}
        except StoreError:
            return ""
        record = tables.get("article", {}).get("1")
        text = record.get("text") if isinstance(record, dict) else None
        return blank_controls(text) if isinstance(text, str) else ""

    def entities(self, *, label: str | None = None, limit: int | None = None) -> list[EntityCount]:
        """Entities across the library (model entities not rejected, and annotations, merged by
        label and normalised text), most mentioned first."""
        with self._catalog_errors():
            return self._ready().entities(label=label, limit=limit)

    def mentioned_count(self, text: str, label: str | None = None) -> int:
        """How many articles mention an entity."""
        with self._catalog_errors():
            return self._ready().mentioned_count(fold(text), label)

    def mentioned_in(self, text: str, label: str | None = None, *, limit: int = 500) -> list[MentionedIn]:
        """The articles that mention an entity, with how often and where first."""
        with self._catalog_errors():
            return self._ready().mentioned_in(fold(text), label, limit=limit)

    def articles_containing(self, phrase: str) -> list[str]:
        """Ids of the articles whose text contains `phrase` exactly (case-sensitive)."""
        if not phrase.strip():
            return []
        try:
            parsed = parse_query(f'"{phrase.replace(chr(34), " ")}"')
        except ValueError:
            return []
        with self._catalog_errors():
            candidates = list(self._ready().matching_ids(parsed))
        return [i for i in candidates if phrase in self._text_of(i)]

    # -- annotations -----------------------------------------------------------------------

    def _change(self, article_id: str, change: Callable[[TinyDB, Article, ArticleState], _T], *, review: bool = True) -> _T:
        """Make one change to an article's annotation file, under the lock: read it, let
        `change` edit it through TinyDB, then write it once and update the catalog.

        With `review`, the first change to a new article sets it in progress.
        """
        return self._change_many([(article_id, change)], review=review)[0]

    def _change_many(
        self, changes: list[tuple[str, Callable[[TinyDB, Article, ArticleState], _T]]], *, review: bool = True
    ) -> list[_T]:
        """`_change` for many articles at once: every change is made in memory first (an error
        there, such as ArticleGone, raises before any file is written), then the files are
        written and the catalog updated in one transaction. A bulk command (import, mark) thus
        costs one catalog transaction and one sync of the folder per batch, not per article.
        """
        results: list[_T] = []
        with self.locked():
            catalog = self._ready()
            staged: list[tuple[str, Article, ArticleState, ArticleState, dict[str, Any]]] = []
            for article_id, change in changes:
                article = self._article_for_write(article_id)
                path = self._annotations_path(article_id)
                tables = read_json_file(path, "annotations") or {}
                before = parse_state(path, tables, len(article.text))
                storage = StagedStorage(tables)
                db = TinyDB(storage=lambda storage=storage: storage)
                results.append(change(db, article, before))
                if not storage.changed:
                    continue
                tables = storage.tables
                if review and before.status == "new":
                    tables.setdefault("state", {}).setdefault("1", {})["status"] = "in_progress"
                after = parse_state(path, tables, len(article.text))
                staged.append((article_id, article, before, after, tables))
            if not staged:
                return results
            ids = [article_id for article_id, *_ in staged]
            with self._catalog_errors():
                catalog.mark_pending(ids)
            written = 0
            try:
                for article_id, _, _, _, tables in staged:
                    write_json_file(self._annotations_path(article_id), "annotations", tables, sync_folder=False)
                    written += 1
            finally:
                if written:
                    self._sync_folder(self.annotations_dir)
                if written < len(staged):
                    self._unmark(ids[written:])  # those files are as they were
                with self._catalog_errors(), catalog.transaction() as tx:
                    for article_id, article, before, after, _ in staged[:written]:
                        annotations_changed = (before.annotations, before.rejections) != (after.annotations, after.rejections)
                        catalog.put_state(tx, article_id, after, mentions_in(article, after) if annotations_changed else None)
                    catalog.clear_pending(tx, ids[:written])
            return results

    def annotations(self, article_id: str) -> list[Annotation]:
        """An article's annotations in text order."""
        return self.article_state(article_id).annotations

    def rejections(self, article_id: str) -> list[Rejection]:
        """The model spans the reader rejected in an article."""
        return self.article_state(article_id).rejections

    def article_state(self, article_id: str, text_length: int | None = None) -> ArticleState:
        """Annotations, rejections and reading state of an article, from one read. Given the
        length of the article's text, a span outside it (a hand-edited file) is refused as
        the damage it is, rather than shown or exported as a slice of nothing."""
        return self._read_state(article_id, text_length)

    def check_state_fits(self, article_id: str, state: ArticleState, text_length: int) -> None:
        """StoreError, naming the file, when a span of an article's `state` (read without
        the text's length) ends past its text."""
        check_state_fits(self._annotations_path(article_id), state, text_length)

    def text_length(self, article_id: str) -> int:
        """The length of an article's text (ArticleGone for an article not in the library)."""
        return len(self._article_for_write(article_id).text)

    def add_annotation(
        self,
        article_id: str,
        start: int,
        end: int,
        label: str,
        source: str = "manual",
        annotation_id: str | None = None,
    ) -> Annotation:
        """Save one annotation exactly as given (callers snap to tokens); returns it with its id.

        The same span with the same label is stored once: adding it again returns the
        annotation already there.
        """
        made = self.add_annotations(article_id, [(start, end, label, source)], ids=[annotation_id])
        if made:
            return made[0]
        existing = next(a for a in self.annotations(article_id) if (a.start, a.end, a.label) == (start, end, label))
        return existing

    def add_annotations(
        self,
        article_id: str,
        items: list[tuple[int, int, str, str]],
        *,
        ids: list[str | None] | None = None,
    ) -> list[Annotation]:
        """Save several annotations `(start, end, label, source)` in one write; returns those
        added (a span already annotated with that label, in the store or twice in `items`,
        is stored once)."""
        return self._change(article_id, _adding(items, ids))

    def add_annotations_many(self, items: dict[str, list[tuple[int, int, str, str]]]) -> dict[str, list[Annotation]]:
        """`add_annotations` for many articles, in one batch (`_change_many`): the annotations
        added, by article. ArticleGone (or ValueError for a bad span) before anything is saved."""
        ids = list(items)
        made = self._change_many([(article_id, _adding(items[article_id], None)) for article_id in ids])
        return dict(zip(ids, made, strict=True))

    def remove_annotations(self, article_id: str, annotation_ids: list[str]) -> list[Annotation]:
        """Delete several annotations (exact ids) in one write; returns those that were there."""
        wanted = {_doc_id(i) for i in annotation_ids}

        def change(db: TinyDB, article: Article, state: ArticleState) -> list[Annotation]:
            removed = [a for a in state.annotations if _doc_id(a.id) in wanted]
            if removed:
                db.table("annotations").remove(doc_ids=[_doc_id(a.id) for a in removed])
            return removed

        return self._change(article_id, change)

    def remove_annotation(self, article_id: str, annotation_id: str) -> Annotation:
        """Delete one annotation by id or unique prefix; returns what was deleted (for undo)."""

        def change(db: TinyDB, article: Article, state: ArticleState) -> Annotation:
            annotation = _find(state.annotations, annotation_id, article_id)
            db.table("annotations").remove(doc_ids=[_doc_id(annotation.id)])
            return annotation

        return self._change(article_id, change)

    def restore_annotation(self, article_id: str, annotation: Annotation) -> None:
        """Put back an annotation exactly as it was (undo of a delete or relabel); nothing
        when the same span and label is annotated already."""

        def change(db: TinyDB, article: Article, state: ArticleState) -> None:
            if annotation.end > len(article.text):
                raise ValueError(f"span {annotation.start}-{annotation.end} is outside the text")
            key = (annotation.start, annotation.end, annotation.label)
            if any((a.start, a.end, a.label) == key and a.id != annotation.id for a in state.annotations):
                return  # the same span and label is annotated again (by another copy of reader)
            db.table("annotations").upsert(Document(annotation.to_record(), doc_id=_doc_id(annotation.id)))

        self._change(article_id, change)

    def relabel_annotation(
        self, article_id: str, annotation_id: str, label: str, *, source: str | None = None
    ) -> Annotation:
        """Give an annotation another label (and, given one, another source: a model entity
        the reader relabels becomes the reader's, "manual"); returns the annotation as it is
        now. When the same span already carries that label, the two become one."""
        _check_label(label)

        def change(db: TinyDB, article: Article, state: ArticleState) -> Annotation:
            old = _find(state.annotations, annotation_id, article_id)
            twin = next(
                (a for a in state.annotations if (a.start, a.end, a.label) == (old.start, old.end, label) and a.id != old.id),
                None,
            )
            table = db.table("annotations")
            if twin is not None:
                table.remove(doc_ids=[_doc_id(old.id)])
                return twin
            new = Annotation(old.id, old.start, old.end, label, source or old.source, old.created)
            table.upsert(Document(new.to_record(), doc_id=_doc_id(new.id)))
            return new

        return self._change(article_id, change)

    def relabel_many(self, ids: list[str], old: str, new: str) -> dict[str, int]:
        """Give every annotation labelled `old` in these articles the label `new`, in one batch
        (`_change_many`): one write per article however many it has, one catalog transaction.
        A span that already carries `new` keeps one annotation. Returns how many annotations
        changed, by article."""
        _check_label(new)

        def change(db: TinyDB, article: Article, state: ArticleState) -> int:
            found = [a for a in state.annotations if a.label == old]
            if not found or old == new:
                return 0
            table = db.table("annotations")
            taken = {(a.start, a.end) for a in state.annotations if a.label == new}
            for annotation in found:
                if (annotation.start, annotation.end) in taken:
                    table.remove(doc_ids=[_doc_id(annotation.id)])
                    continue
                taken.add((annotation.start, annotation.end))
                moved = Annotation(annotation.id, annotation.start, annotation.end, new, annotation.source, annotation.created)
                table.upsert(Document(moved.to_record(), doc_id=_doc_id(moved.id)))
            return len(found)

        unique = list(dict.fromkeys(ids))
        counts = self._change_many([(article_id, change) for article_id in unique])
        return dict(zip(unique, counts, strict=True))

    def reject(self, article_id: str, start: int, end: int, label: str) -> Rejection:
        """Record that a model span is wrong."""
        _check_label(label)
        rejection = Rejection(start, end, label)

        def change(db: TinyDB, article: Article, state: ArticleState) -> None:
            if not 0 <= start < end <= len(article.text):
                raise ValueError(_span_problem(start, end, len(article.text)))
            if rejection not in state.rejections:
                db.table("rejections").upsert(
                    Document({"start": start, "end": end, "label": label}, doc_id=_rejection_id(rejection))
                )

        self._change(article_id, change)
        return rejection

    def unreject(self, article_id: str, start: int, end: int, label: str) -> None:
        """Take back a rejection."""

        def change(db: TinyDB, article: Article, state: ArticleState) -> None:
            table = db.table("rejections")
            doc_id = _rejection_id(Rejection(start, end, label))
            if table.contains(doc_id=doc_id):
                table.remove(doc_ids=[doc_id])

        self._change(article_id, change)

    # -- reading and review state ------------------------------------------------------------

    def _set_state(self, article_id: str, fields: dict[str, Any]) -> None:
        self._set_state_many([article_id], fields)

    def _set_state_many(self, ids: list[str], fields: dict[str, Any]) -> None:
        def change(db: TinyDB, article: Article, state: ArticleState) -> None:
            db.table("state").upsert(Document(fields, doc_id=1))

        self._change_many([(article_id, change) for article_id in dict.fromkeys(ids)], review=False)

    def position(self, article_id: str) -> int:
        """Where the reader left the article (a character offset)."""
        return self.article_state(article_id).position

    def set_position(self, article_id: str, offset: int) -> None:
        """Remember where the reader is in an article, and when they were there."""
        if not _is_int(offset) or not 0 <= offset <= MAX_OFFSET:
            raise ValueError(f"a reading position must be an offset, not {offset!r}")
        self._set_state(article_id, {"position": offset, "opened_at": now()})

    def set_read(self, article_id: str, read: bool = True) -> None:
        """Mark an article read (or unread)."""
        self.set_read_many([article_id], read)

    def set_read_many(self, ids: list[str], read: bool = True) -> None:
        """Mark articles read (or unread), in one batch; ArticleGone before any is changed
        when one is not in the library."""
        self._set_state_many(ids, {"read": bool(read)})

    def set_status(self, article_id: str, status: ReviewStatus) -> None:
        """Set an article's review status (new, in_progress, done or ignored)."""
        self.set_status_many([article_id], status)

    def set_status_many(self, ids: list[str], status: ReviewStatus) -> None:
        """Set the review status of articles, in one batch (see `set_read_many`)."""
        if status not in REVIEW_STATUSES:
            raise ValueError(f"unknown review status {status!r} (one of {', '.join(REVIEW_STATUSES)})")
        self._set_state_many(ids, {"status": status})

    # -- checking --------------------------------------------------------------------------

    def check(self) -> CheckReport:
        """Compare every store file with the catalog, and the catalog with itself; one line per
        file that cannot be read and per disagreement. Reads every file, a batch at a time:
        linear in the library, with memory that does not grow with it."""
        problems: list[str] = []
        stored = self.stored_ids()
        catalog = self.catalog
        try:
            version = catalog.version()
        except (CatalogError, sqlite3.DatabaseError) as exc:
            return CheckReport([f"{self.catalog_path}: the catalog is damaged: {exc}"], len(stored))
        if version != CATALOG_VERSION:
            return CheckReport([f"{self.catalog_path}: there is no catalog of version {CATALOG_VERSION}"], len(stored))
        try:
            problems += [f"{self.catalog_path}: {p}" for p in catalog.integrity_problems()]
            pending = catalog.pending()
            if pending:
                problems.append(f"{len(pending)} article(s) marked as being written: {', '.join(pending[:5])}")
            unlisted = set(catalog.ids()) - set(stored)
            for first in range(0, len(stored), _REBUILD_BATCH):
                batch = stored[first : first + _REBUILD_BATCH]
                rows = catalog.rows_of(batch)
                mentions = catalog.mentions_of(batch)
                for article_id in batch:
                    problems += self._check_one(article_id, rows.get(article_id), mentions.get(article_id, set()))
            problems += [f"{i}: in the catalog but its article file is gone" for i in sorted(unlisted)]
            problems += [f"{self.catalog_path}: {p}" for p in catalog.index_problems()]
        except sqlite3.DatabaseError as exc:
            problems.append(f"{self.catalog_path}: the catalog is damaged: {exc}")
        orphans = sorted(set(self._annotation_file_ids()) - set(stored))
        problems += [f"{self._annotations_path(i)}: annotations of an article not in the library" for i in orphans]
        return CheckReport(problems, len(stored))

    def _check_one(self, article_id: str, row: ArticleSummary | None, mentions: set[Any]) -> list[str]:
        try:
            article = self._read_article(article_id)
            state = self._read_state(article_id, len(article.text))
        except StoreError as exc:
            return [str(exc)]
        except ArticleGone:
            return []  # removed while the check ran
        if row is None:
            return [f"{article_id}: in the files but not in the catalog"]
        problems = []
        expected = summarize(article, state)
        if row != expected:
            fields = [f for f in expected.__slots__ if getattr(row, f) != getattr(expected, f)]
            problems.append(f"{article_id}: the catalog's {', '.join(fields)} differ from the files")
        if set(mentions_in(article, state)) != mentions:
            problems.append(f"{article_id}: the catalog's entity mentions differ from the files")
        return problems

    def _annotation_file_ids(self) -> list[str]:
        try:
            with os.scandir(self.annotations_dir) as entries:
                return [e.name[:-5] for e in entries if e.name.endswith(".json") and not e.name.startswith(".")]
        except FileNotFoundError:
            return []

    def repair(self) -> list[str]:
        """Rebuild the catalog from the files (in place, so that running copies of reader see
        the rebuilt one; a file that is not a database at all is replaced), and remove
        annotation files of articles that are not in the library. Returns what could not be
        read (those files are left as they are)."""
        with self.locked():
            self._sweep_temporary_files()
            try:
                with self._catalog_errors():
                    skipped = self._rebuild()
            except StoreError:
                self._discard_catalog()
                with self._catalog_errors():
                    skipped = self._rebuild()
            stored = set(self.stored_ids())
            for article_id in self._annotation_file_ids():
                if article_id not in stored:
                    with contextlib.suppress(FileNotFoundError):
                        self._annotations_path(article_id).unlink()
            self._synced = True
        return skipped

    def catalog_facts(self) -> dict[str, str]:
        """What the catalog records about itself: version, layout, when it was built."""
        with self._catalog_errors():
            return self._ready().meta()


def _adding(
    items: list[tuple[int, int, str, str]], ids: list[str | None] | None
) -> Callable[[TinyDB, Article, ArticleState], list[Annotation]]:
    """The change that adds annotations `(start, end, label, source)` to an article (the ids
    wanted, where given); it returns those added, each span and label once."""
    for start, end, label, _ in items:
        _check_label(label)
        if not (_is_int(start) and _is_int(end)) or not 0 <= start < end:
            raise ValueError(_span_problem(start, end))

    def change(db: TinyDB, article: Article, state: ArticleState) -> list[Annotation]:
        length = len(article.text)
        taken = {(a.start, a.end, a.label) for a in state.annotations}
        made: list[Annotation] = []
        for n, (start, end, label, source) in enumerate(items):
            if end > length:
                raise ValueError(f"span {shortened(start)}-{shortened(end)} is outside the text (0-{length})")
            if (start, end, label) in taken:
                continue
            taken.add((start, end, label))
            wanted = ids[n] if ids and n < len(ids) else None
            made.append(
                Annotation(
                    wanted or secrets.token_hex(4),
                    start,
                    end,
                    label,
                    "model" if source == "model" else "manual",
                    now(),
                )
            )
        table = db.table("annotations")
        stored = {_doc_id(a.id) for a in state.annotations}
        # One pass over the table for them all (an upsert each would scan it each time).
        table.insert_multiple(
            Document(a.to_record(), doc_id=_doc_id(a.id)) for a in made if _doc_id(a.id) not in stored
        )
        for annotation in made:
            if _doc_id(annotation.id) in stored:  # an id given again (a redo): replace it
                table.upsert(Document(annotation.to_record(), doc_id=_doc_id(annotation.id)))
        return made

    return change


def _check_label(label: Any) -> None:
    if not isinstance(label, str) or not label.strip():
        raise ValueError("a label cannot be empty")
    if not is_safe(label) or label != label.strip():
        raise ValueError(f"label {clean_line(label)!r} holds control characters or edge spaces")


def _span_problem(start: Any, end: Any, length: int | None = None) -> str:
    start_, end_ = shortened(start if _is_int(start) else repr(start)), shortened(end if _is_int(end) else repr(end))
    if not (_is_int(start) and _is_int(end)):
        return f"span {start_}-{end_} is not a pair of offsets"
    if start == end:
        return f"span {start_}-{end_} is empty"
    if start > end:
        return f"span {start_}-{end_} is reversed (the end comes before the start)"
    return f"span {start_}-{end_} is outside the text" + (f" (0-{length})" if length is not None else "")


def _find(annotations: list[Annotation], annotation_id: str, article_id: str) -> Annotation:
    prefix = annotation_id.strip().lower()
    if not prefix:
        raise LookupError("an annotation id cannot be empty")
    matches = [a for a in annotations if a.id.startswith(prefix)]
    if not matches:
        raise LookupError(f"no annotation {annotation_id!r} in article {article_id}")
    if len(matches) > 1:
        raise LookupError(f"annotation id {annotation_id!r} is ambiguous")
    return matches[0]


def _doc_id(annotation_id: str) -> int:
    """TinyDB keys documents by integers: derive one from the hex annotation id."""
    return int(annotation_id, 16)


def _rejection_id(rejection: Rejection) -> int:
    # A stable integer for the (start, end, label) triple, so rejecting twice stores one record.
    digest = hashlib.sha1(f"{rejection.start}:{rejection.end}:{rejection.label}".encode()).hexdigest()
    return int(digest[:12], 16)

