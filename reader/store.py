"""The library on disk: articles, their analysis and annotations, in TinyDB files.

Layout under the data dir, chosen so that saving one annotation costs the same whatever
the size of the library:

    library.json            index: one small record per article (what the library list shows)
    articles/ID.json        one article: text, metadata, analysis (written at ingest/reanalyze)
    annotations/ID.json     one article's annotations, rejections and reading state
    lock                    flock'ed by every writer

Every file is written whole to a temporary file, fsync'ed and renamed over the old one
(`AtomicJSONStorage`), so a kill leaves either the old or the new file. Writers hold an
exclusive lock on `lock` and re-read the file under it, so two processes never lose each
other's writes. A file that cannot be read raises `StoreError` naming it, and is never
written over.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from reader.article import (
    REVIEW_STATUSES,
    Analysis,
    Annotation,
    Article,
    ArticleState,
    Rejection,
    ReviewStatus,
)
from reader.atomic import is_temporary, write_atomic

SCHEMA_VERSION = 1
_ENVELOPE = "reader"


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


def read_json_file(path: Path, kind: str) -> dict[str, Any] | None:
    """Read one store file's tables; None when it does not exist; StoreError when it is bad."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read store file: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        what = "empty" if not raw.strip() else "corrupt (not valid JSON)"
        raise StoreError(f"{path}: store file is {what}: {exc}") from exc
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
    return data["tables"]


def write_json_file(path: Path, kind: str, tables: dict[str, Any]) -> None:
    """Write one store file atomically (`reader.atomic.write_atomic`); StoreError when it fails."""
    payload = json.dumps(
        {_ENVELOPE: {"schema": SCHEMA_VERSION, "kind": kind}, "tables": tables},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    try:
        write_atomic(path, payload)
    except OSError as exc:
        raise StoreError(f"{path}: could not save: {exc.strerror or exc}") from exc


class AtomicJSONStorage(Storage):
    """A TinyDB storage that reads the whole file each time and replaces it atomically."""

    def __init__(self, path: str | Path, kind: str = "annotations") -> None:
        self.path = Path(path)
        self.kind = kind

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The file's tables, None for a missing file (TinyDB then starts empty)."""
        return read_json_file(self.path, self.kind)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Replace the file with `data`."""
        write_json_file(self.path, self.kind, data)

    def close(self) -> None:
        """Nothing stays open between calls."""


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What the library list shows of an article, read from the index alone."""

    id: str
    title: str | None
    byline: str | None
    date: str | None
    source: str
    site: str | None
    words: int
    entities: int
    numbers: int
    annotations: int
    position: int
    opened: bool
    ingested_at: str
    model: str | None

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form used by `reader list --json`."""
        return {
            "id": self.id,
            "title": self.title,
            "byline": self.byline,
            "date": self.date,
            "source": self.source,
            "site": self.site,
            "words": self.words,
            "entities": self.entities,
            "numbers": self.numbers,
            "annotations": self.annotations,
            "read": self.opened,
            "ingested_at": self.ingested_at,
            "model": self.model,
        }


class Library:
    """The library under one data dir: read freely, write under a lock."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.index_path = self.root / "library.json"
        self.articles_dir = self.root / "articles"
        self.annotations_dir = self.root / "annotations"
        self._thread_lock = threading.RLock()
        self._lock_depth = 0
        self._lock_fd: int | None = None
        self._lengths: dict[str, int] = {}
        self._swept = False

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
                if not self._swept:
                    self._sweep_temporary_files()
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
        file exists, so any temporary file seen here belongs to no write in progress.
        """
        self._swept = True
        for folder in (self.root, self.articles_dir, self.annotations_dir):
            with contextlib.suppress(OSError), os.scandir(folder) as entries:
                for entry in entries:
                    if is_temporary(entry.name):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    # -- files -----------------------------------------------------------------------------

    def _article_path(self, article_id: str) -> Path:
        return self.articles_dir / f"{article_id}.json"

    def _annotations_path(self, article_id: str) -> Path:
        return self.annotations_dir / f"{article_id}.json"

    def _index(self) -> TinyDB:
        return TinyDB(self.index_path, storage=AtomicJSONStorage, kind="library")

    def _annotation_db(self, article_id: str) -> TinyDB:
        return TinyDB(self._annotations_path(article_id), storage=AtomicJSONStorage, kind="annotations")

    def check(self) -> list[str]:
        """Every store file that cannot be read, as one line each naming it; empty when all is well."""
        problems: list[str] = []
        files = [(self.index_path, "library")]
        for folder, kind in ((self.articles_dir, "article"), (self.annotations_dir, "annotations")):
            if folder.is_dir():
                files += [(p, kind) for p in sorted(folder.glob("*.json"))]
        for path, kind in files:
            try:
                read_json_file(path, kind)
            except StoreError as exc:
                problems.append(str(exc))
        return problems

    # -- articles --------------------------------------------------------------------------

    def _index_records(self) -> dict[str, dict[str, Any]]:
        tables = read_json_file(self.index_path, "library") or {}
        return {doc["id"]: doc for doc in tables.get("articles", {}).values()}

    def ids(self) -> list[str]:
        """Every article id in the library."""
        return list(self._index_records())

    def stored_ids(self, *, annotated: bool = False) -> list[str]:
        """Sorted ids of the articles stored, from file names alone (the index is not read):
        every article's, or with `annotated` those that have an annotation file (which may
        hold no annotation)."""
        folder = self.annotations_dir if annotated else self.articles_dir
        try:
            with os.scandir(folder) as entries:
                ids = [
                    e.name[:-5]
                    for e in entries
                    if e.name.endswith(".json") and not e.name.startswith(".")
                ]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"{folder}: cannot list: {exc.strerror or exc}") from exc
        ids.sort()
        return ids

    def resolve(self, prefix: str) -> str:
        """The full id of the one article whose id starts with `prefix` (LookupError otherwise)."""
        prefix = prefix.strip().lower()
        if not prefix:
            raise LookupError("an article id cannot be empty")
        matches = [i for i in self._index_records() if i.startswith(prefix)]
        if not matches:
            raise LookupError(f"no article with id {prefix!r}")
        if len(matches) > 1:
            raise LookupError(f"id {prefix!r} is ambiguous: it matches {', '.join(sorted(matches)[:5])}")
        return matches[0]

    def has(self, article_id: str) -> bool:
        """Whether the article is in the library."""
        return self._article_path(article_id).is_file()

    def get(self, article_id: str) -> Article:
        """The whole article: text, metadata and analysis."""
        tables = read_json_file(self._article_path(article_id), "article")
        if not tables or "article" not in tables:
            raise LookupError(f"no article with id {article_id!r}")
        try:
            return Article.from_record(tables["article"]["1"])
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self._article_path(article_id)}: malformed article record: {exc}") from exc

    def _summary_record(self, article: Article, annotations: int, opened: bool, position: int) -> dict[str, Any]:
        analysis = article.analysis
        return {
            "id": article.id,
            "title": article.title,
            "byline": article.byline,
            "date": article.date,
            "source": article.source,
            "site": article.site,
            "words": article.words,
            "entities": len(analysis.entities) if analysis else 0,
            "numbers": len(analysis.numbers) if analysis else 0,
            "annotations": annotations,
            "position": position,
            "opened": opened,
            "ingested_at": article.ingested_at,
            "model": analysis.model if analysis else None,
            "annotations_stamp": None,
        }

    def add(self, article: Article) -> bool:
        """Store a new article; False (and nothing written) when its id is already in the library."""
        return self.add_many([article])[0]

    def add_many(self, articles: list[Article]) -> list[bool]:
        """Store several new articles with one index write; True for each one added.

        Article files are written first and the index last; if any write fails, the article
        files this call wrote are removed again, so the library is as it was.
        """
        added: list[bool] = []
        written: list[Path] = []
        with self.locked():
            table = self._index().table("articles")
            known = {doc["id"] for doc in table.all()}
            records = []
            try:
                for article in articles:
                    if article.id in known:
                        added.append(False)
                        continue
                    if not article.ingested_at:
                        article.ingested_at = now()
                    path = self._article_path(article.id)
                    write_json_file(path, "article", {"article": {"1": article.to_record()}})
                    written.append(path)
                    records.append(self._summary_record(article, 0, False, 0))
                    known.add(article.id)
                    added.append(True)
                if records:
                    table.insert_multiple(records)
            except BaseException:
                for path in written:
                    with contextlib.suppress(OSError):
                        path.unlink()
                raise
        return added

    def set_analysis(self, article_id: str, analysis: Analysis) -> None:
        """Replace an article's analysis; its annotations are untouched."""
        article = self.get(article_id)
        article.analysis = analysis
        self.save_analyses([article])

    def save_analyses(self, articles: list[Article]) -> None:
        """Store the analysis each article now carries, with one index write for them all.

        An article's text never changes (its id is a hash of it), so the article as read
        earlier is written back whole; annotations are untouched.
        """
        with self.locked():
            for article in articles:
                write_json_file(
                    self._article_path(article.id), "article", {"article": {"1": article.to_record()}}
                )
            counts = {
                a.id: {"entities": len(a.analysis.entities), "numbers": len(a.analysis.numbers), "model": a.analysis.model}
                for a in articles
                if a.analysis
            }
            self._index().table("articles").update_multiple(
                [(fields, Query().id == article_id) for article_id, fields in counts.items()]
            )

    def remove(self, article_id: str) -> None:
        """Remove an article with its annotations."""
        with self.locked():
            self._index().table("articles").remove(Query().id == article_id)
            for path in (self._article_path(article_id), self._annotations_path(article_id)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def summaries(self) -> list[ArticleSummary]:
        """Every article as the library list shows it, newest first.

        Annotation counts come from the index; an annotation file changed since the index
        last counted it (by mtime and size) is recounted, and the index is updated.
        """
        records = self._index_records()
        stale: dict[str, tuple[int, int]] = {}
        if self.annotations_dir.is_dir():
            with os.scandir(self.annotations_dir) as entries:
                for entry in entries:
                    if not entry.name.endswith(".json") or entry.name.startswith("."):
                        continue
                    article_id = entry.name[:-5]
                    record = records.get(article_id)
                    if record is None:
                        continue
                    st = entry.stat()
                    stamp = [st.st_mtime_ns, st.st_size]
                    if record.get("annotations_stamp") != stamp:
                        stale[article_id] = (st.st_mtime_ns, st.st_size)
        if stale:
            self._recount(stale, records)
        out = [
            ArticleSummary(
                id=r["id"],
                title=r.get("title"),
                byline=r.get("byline"),
                date=r.get("date"),
                source=r.get("source", ""),
                site=r.get("site"),
                words=r.get("words", 0),
                entities=r.get("entities", 0),
                numbers=r.get("numbers", 0),
                annotations=r.get("annotations", 0),
                position=r.get("position", 0),
                opened=r.get("opened", False),
                ingested_at=r.get("ingested_at", ""),
                model=r.get("model"),
            )
            for r in records.values()
        ]
        out.sort(key=lambda s: (s.ingested_at, s.id), reverse=True)
        return out

    def _recount(self, stale: dict[str, tuple[int, int]], records: dict[str, dict[str, Any]]) -> None:
        counts: dict[str, tuple[int, list[int], int, bool]] = {}
        for article_id, (mtime, size) in stale.items():
            try:
                tables = read_json_file(self._annotations_path(article_id), "annotations") or {}
            except StoreError:
                continue  # `check` and `get` report it; the list still shows the rest
            state = tables.get("state", {}).get("1", {})
            counts[article_id] = (
                len(tables.get("annotations", {})),
                [mtime, size],
                int(state.get("position", 0)),
                bool(state.get("opened", False)),
            )
            records[article_id].update(
                annotations=counts[article_id][0],
                annotations_stamp=counts[article_id][1],
                position=counts[article_id][2],
                opened=counts[article_id][3],
            )
        if not counts:
            return
        # Writing the recount back is an optimisation: skip it if another writer holds the lock.
        with contextlib.suppress(StoreError, OSError):
            with self.locked():
                table = self._index().table("articles")
                for article_id, (n, stamp, position, opened) in counts.items():
                    table.update(
                        {"annotations": n, "annotations_stamp": stamp, "position": position, "opened": opened},
                        Query().id == article_id,
                    )

    # -- annotations -----------------------------------------------------------------------

    def _annotation_tables(self, article_id: str) -> dict[str, Any]:
        return read_json_file(self._annotations_path(article_id), "annotations") or {}

    def annotations(self, article_id: str) -> list[Annotation]:
        """An article's annotations in text order."""
        return self.article_state(article_id).annotations

    def rejections(self, article_id: str) -> list[Rejection]:
        """The model spans the reader rejected in an article."""
        return self.article_state(article_id).rejections

    def _check_span(self, article_id: str, start: int, end: int) -> None:
        length = self.text_length(article_id)
        if not (0 <= start < end <= length):
            raise ValueError(f"span {start}-{end} is outside the text (0-{length})")

    def text_length(self, article_id: str) -> int:
        """The length of an article's text (LookupError for an unknown article).

        An id is a hash of the text, so the text never changes: the length is read once
        per process, and a save never reads the index or the whole library.
        """
        length = self._lengths.get(article_id)
        if length is None:
            length = self._lengths[article_id] = len(self.get(article_id).text)
        return length

    def add_annotation(
        self,
        article_id: str,
        start: int,
        end: int,
        label: str,
        source: str = "manual",
        annotation_id: str | None = None,
    ) -> Annotation:
        """Save one annotation exactly as given (callers snap to tokens); returns it with its id."""
        self._check_span(article_id, start, end)
        annotation = Annotation(
            id=annotation_id or secrets.token_hex(4),
            start=start,
            end=end,
            label=label,
            source="model" if source == "model" else "manual",
            created=now(),
        )
        with self.locked():
            db = self._annotation_db(article_id)
            table = db.table("annotations")
            table.upsert(Document(annotation.to_record(), doc_id=_doc_id(annotation.id)))
        return annotation

    def add_annotations(self, article_id: str, items: list[tuple[int, int, str, str]]) -> list[Annotation]:
        """Save several annotations `(start, end, label, source)` in one write."""
        made: list[Annotation] = []
        for start, end, label, source in items:
            self._check_span(article_id, start, end)
            made.append(
                Annotation(secrets.token_hex(4), start, end, label, "model" if source == "model" else "manual", now())
            )
        if made:
            with self.locked():
                tables = self._annotation_tables(article_id)
                annotations = tables.setdefault("annotations", {})
                for a in made:
                    annotations[str(_doc_id(a.id))] = a.to_record()
                write_json_file(self._annotations_path(article_id), "annotations", tables)
        return made

    def remove_annotations(self, article_id: str, annotation_ids: list[str]) -> list[Annotation]:
        """Delete several annotations (exact ids) in one write; returns those that were there."""
        wanted = {_doc_id(i) for i in annotation_ids}
        with self.locked():
            tables = self._annotation_tables(article_id)
            records = tables.get("annotations", {})
            removed = [Annotation.from_record(records.pop(k)) for k in list(records) if int(k) in wanted]
            if removed:
                write_json_file(self._annotations_path(article_id), "annotations", tables)
        return removed

    def find_annotation(self, article_id: str, annotation_id: str) -> Annotation:
        """One annotation by its id or a unique prefix of it."""
        matches = [a for a in self.annotations(article_id) if a.id.startswith(annotation_id.lower())]
        if not matches:
            raise LookupError(f"no annotation {annotation_id!r} in article {article_id}")
        if len(matches) > 1:
            raise LookupError(f"annotation id {annotation_id!r} is ambiguous")
        return matches[0]

    def remove_annotation(self, article_id: str, annotation_id: str) -> Annotation:
        """Delete one annotation; returns what was deleted (so it can be restored)."""
        with self.locked():
            annotation = self.find_annotation(article_id, annotation_id)
            self._annotation_db(article_id).table("annotations").remove(doc_ids=[_doc_id(annotation.id)])
        return annotation

    def restore_annotation(self, article_id: str, annotation: Annotation) -> None:
        """Put back an annotation exactly as it was (undo of a delete or relabel)."""
        self._check_span(article_id, annotation.start, annotation.end)
        with self.locked():
            self._annotation_db(article_id).table("annotations").upsert(
                Document(annotation.to_record(), doc_id=_doc_id(annotation.id))
            )

    def relabel_annotation(self, article_id: str, annotation_id: str, label: str) -> Annotation:
        """Give an annotation another label; returns the annotation as it is now."""
        with self.locked():
            old = self.find_annotation(article_id, annotation_id)
            new = Annotation(old.id, old.start, old.end, label, old.source, old.created)
            self._annotation_db(article_id).table("annotations").upsert(
                Document(new.to_record(), doc_id=_doc_id(new.id))
            )
        return new

    def reject(self, article_id: str, start: int, end: int, label: str) -> Rejection:
        """Record that a model span is wrong."""
        self._check_span(article_id, start, end)
        rejection = Rejection(start, end, label)
        with self.locked():
            self._annotation_db(article_id).table("rejections").upsert(
                Document({"start": start, "end": end, "label": label}, doc_id=_rejection_id(rejection))
            )
        return rejection

    def unreject(self, article_id: str, start: int, end: int, label: str) -> None:
        """Take back a rejection."""
        with self.locked():
            table = self._annotation_db(article_id).table("rejections")
            doc_id = _rejection_id(Rejection(start, end, label))
            if table.contains(doc_id=doc_id):
                table.remove(doc_ids=[doc_id])

    def article_state(self, article_id: str) -> ArticleState:
        """Annotations, rejections and reading state of an article, from one read."""
        tables = self._annotation_tables(article_id)
        annotations = sorted(
            (Annotation.from_record(r) for r in tables.get("annotations", {}).values()),
            key=lambda a: (a.start, -a.end, a.id),
        )
        rejections = sorted(Rejection(r["start"], r["end"], r["label"]) for r in tables.get("rejections", {}).values())
        state = tables.get("state", {}).get("1", {})
        return ArticleState(
            annotations,
            rejections,
            position=int(state.get("position", 0)),
            read=bool(state.get("opened", False)),
            status=state.get("status", "new"),
        )

    # -- reading state ---------------------------------------------------------------------

    def position(self, article_id: str) -> int:
        """Where the reader left the article (a character offset)."""
        return self.article_state(article_id).position

    def set_position(self, article_id: str, offset: int) -> None:
        """Remember where the reader is in an article, and that it has been opened."""
        with self.locked():
            self._annotation_db(article_id).table("state").upsert(
                Document({"position": int(offset), "opened": True}, doc_id=1)
            )

    def next_to_review(self, after: str | None = None) -> str | None:
        """The next article to review (status new or in progress) after `after` in the library's
        order (newest first), wrapping round; None when every article is done or ignored."""
        ids = [s.id for s in self.summaries()]
        if after in ids:
            start = ids.index(after) + 1
            ids = ids[start:] + ids[:start]
        for article_id in ids:
            if article_id != after and self.article_state(article_id).status in ("new", "in_progress"):
                return article_id
        return None

    def articles_containing(self, phrase: str) -> list[str]:
        """Ids of the articles whose text contains `phrase` exactly (case-sensitive)."""
        return [i for i in self.ids() if phrase and phrase in self.get(i).text]

    def set_status(self, article_id: str, status: ReviewStatus) -> None:
        """Set an article's review status (new, in_progress, done or ignored)."""
        if status not in REVIEW_STATUSES:
            raise ValueError(f"unknown review status {status!r} (one of {', '.join(REVIEW_STATUSES)})")
        with self.locked():
            self._annotation_db(article_id).table("state").upsert(Document({"status": status}, doc_id=1))


def _doc_id(annotation_id: str) -> int:
    """TinyDB keys documents by integers: derive one from the hex annotation id."""
    return int(annotation_id, 16)


def _rejection_id(rejection: Rejection) -> int:
    # A stable integer for the (start, end, label) triple, so rejecting twice stores one record.
    digest = hashlib.sha1(f"{rejection.start}:{rejection.end}:{rejection.label}".encode()).hexdigest()
    return int(digest[:12], 16)
