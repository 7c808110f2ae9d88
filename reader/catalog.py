"""The catalog: what the library shows, sorts, filters and searches by, in one SQLite file.

The store files (`articles/ID.json`, `annotations/ID.json`) are the truth; the catalog is
derived from them and can always be rebuilt from them (`reader check --repair`). It holds:

- `articles`: one summary row per article (everything the library list shows and sorts by);
- `text_index`: an FTS5 full-text index of titles, bylines and bodies, ranked with bm25. It is
  contentless (the text lives in the article files, not a second time here), so snippets are
  cut from the article text, and removing a row needs the text it was indexed with;
- `mentions`: per article, every entity the model found (unless rejected) and every
  annotation, merged by label and normalised text, with counts and the first offset;
- `entities`: the same summed over the library, kept up to date by triggers, so listing
  the most frequent entities never scans the mentions;
- `pending`: articles a writer is about to change. A writer marks them (durably) before it
  writes the files and clears them in the transaction that updates the catalog, so a kill
  between the two leaves a mark that the next open repairs from the files.

The database is in WAL mode: readers never wait for a writer. Writers are serialised by the
store's lock, outside this module. Each thread (and each process after a fork) gets a
connection of its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from reader.article import (
    REVIEW_STATUSES,
    Article,
    ArticleState,
    ReviewStatus,
    article_meta,
    article_source,
)
from reader.text import clean_line, is_safe

# A search of more words than this is refused (each costs a pass over its matches).
MAX_QUERY_WORDS = 64
# A prefix this short or shorter matches too much to be a search.
MIN_PREFIX = 3
# A query matching more articles than this is ranked among the most recently added of them.
RANK_WINDOW = 20_000
# Bumped whenever the tables change; an older catalog is rebuilt from the files.
CATALOG_VERSION = 4

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE articles(
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT,
    byline TEXT,
    date TEXT,
    source TEXT NOT NULL,
    site TEXT,
    url TEXT,
    language TEXT,
    note TEXT,
    words INTEGER NOT NULL,
    entities INTEGER NOT NULL,
    numbers INTEGER NOT NULL,
    model TEXT,
    ingested_at TEXT NOT NULL,
    annotations INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0,
    read INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'new',
    opened_at TEXT NOT NULL DEFAULT '',
    title_key TEXT NOT NULL,
    site_key TEXT NOT NULL,
    date_key TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_by_added ON articles(ingested_at);
CREATE INDEX articles_by_date ON articles(date_key, id);
CREATE INDEX articles_by_title ON articles(title_key, id);
CREATE INDEX articles_by_site ON articles(site_key, id);
CREATE INDEX articles_by_annotations ON articles(annotations, id);
CREATE INDEX articles_by_read ON articles(read, ingested_at, id);
CREATE INDEX articles_by_status ON articles(status, ingested_at, id);
CREATE INDEX articles_by_opened ON articles(opened_at) WHERE opened_at != '';
CREATE VIRTUAL TABLE text_index USING fts5(
    title, byline, body, content='', tokenize='unicode61 remove_diacritics 2 tokenchars ''{marks}'''
);
CREATE TABLE mentions(
    article INTEGER NOT NULL,
    label TEXT NOT NULL,
    norm TEXT NOT NULL,
    text TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    annotated INTEGER NOT NULL,
    first INTEGER NOT NULL,
    PRIMARY KEY(article, label, norm)
) WITHOUT ROWID;
CREATE INDEX mentions_by_entity ON mentions(norm, label);
CREATE INDEX mentions_annotated ON mentions(label, article) WHERE annotated > 0;
CREATE TABLE entities(
    label TEXT NOT NULL,
    norm TEXT NOT NULL,
    text TEXT NOT NULL,
    articles INTEGER NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY(label, norm)
) WITHOUT ROWID;
CREATE INDEX entities_by_count ON entities(mentions DESC, articles DESC);
CREATE INDEX entities_by_label ON entities(label, mentions DESC, articles DESC);
CREATE TABLE pending(id TEXT PRIMARY KEY) WITHOUT ROWID;
"""

_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS mentions_added AFTER INSERT ON mentions BEGIN
    INSERT INTO entities(label, norm, text, articles, mentions)
    VALUES (new.label, new.norm, new.text, 1, new.mentions)
    ON CONFLICT(label, norm) DO UPDATE
    SET articles = articles + 1, mentions = mentions + excluded.mentions;
END;
CREATE TRIGGER IF NOT EXISTS mentions_removed AFTER DELETE ON mentions BEGIN
    UPDATE entities SET articles = articles - 1, mentions = mentions - old.mentions
    WHERE label = old.label AND norm = old.norm;
    DELETE FROM entities WHERE label = old.label AND norm = old.norm AND articles <= 0;
END;
"""


class CatalogError(Exception):
    """The catalog file cannot be opened or used."""


class CatalogDamaged(CatalogError):
    """The catalog file is not a database, or a damaged one (it is rebuilt from the files)."""


# SQLite's result codes for a file that is not a database, or one whose pages are damaged.
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


def damaged(exc: sqlite3.Error) -> bool:
    """Whether an SQLite error says the file itself is damaged (not busy, locked or read-only)."""
    return getattr(exc, "sqlite_errorcode", None) in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or (
        type(exc) is sqlite3.DatabaseError
    )


# -- what a row holds --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What the library shows of an article: one catalog row."""

    id: str
    title: str | None
    byline: str | None
    date: str | None
    source: str
    site: str | None
    url: str | None
    language: str | None
    note: str | None
    words: int
    entities: int
    numbers: int
    model: str | None
    ingested_at: str
    annotations: int = 0
    position: int = 0
    read: bool = False
    status: ReviewStatus = "new"
    opened_at: str = ""

    @property
    def opened(self) -> bool:
        """Whether the article was ever opened."""
        return bool(self.opened_at) or self.position > 0

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form used by `reader list --json`."""
        return article_meta(
            self,
            language=self.language,
            words=self.words,
            entities=self.entities,
            numbers=self.numbers,
            annotations=self.annotations,
            read=self.read,
            status=self.status,
            position=self.position,
            opened_at=self.opened_at or None,
            ingested_at=self.ingested_at,
            model=self.model,
            note=self.note,
        )


_SUMMARY_COLUMNS = tuple(f.name for f in fields(ArticleSummary))
_SELECT_SUMMARY = ", ".join(f"a.{name}" for name in _SUMMARY_COLUMNS)


_READ_AT = _SUMMARY_COLUMNS.index("read")
_STATUS_AT = _SUMMARY_COLUMNS.index("status")
_COUNT_COLUMNS = tuple(
    i for i, f in enumerate(fields(ArticleSummary)) if f.type == "int"
)
_TEXT_COLUMNS = tuple(i for i in range(len(_SUMMARY_COLUMNS)) if i not in (*_COUNT_COLUMNS, _READ_AT))


def _summary(row: Sequence[Any]) -> ArticleSummary:
    values = list(row)
    values[_READ_AT] = bool(values[_READ_AT])
    # The catalog file can be edited by hand like any store file: its rows are shown, so they
    # are held to what the files' records are (`store.parse_article`), and `check` says where
    # they differ. One test over the row's text costs little; most rows pass it.
    texts = [values[i] for i in _TEXT_COLUMNS]
    if not all(isinstance(t, str) or t is None for t in texts) or not is_safe("".join(t or "" for t in texts)):
        for i in _TEXT_COLUMNS:
            value = values[i]
            value = value if isinstance(value, str) else None
            values[i] = value if value is None or is_safe(value) else clean_line(value)
        for name in ("id", "source", "ingested_at", "status", "opened_at"):
            values[_SUMMARY_COLUMNS.index(name)] = values[_SUMMARY_COLUMNS.index(name)] or ""
    for i in _COUNT_COLUMNS:
        if not isinstance(values[i], int) or values[i] < 0:
            values[i] = 0
    if values[_STATUS_AT] not in REVIEW_STATUSES:
        values[_STATUS_AT] = "new"
    return ArticleSummary(*values)


def _entity_count(row: Sequence[Any]) -> EntityCount:
    """An entities row, held to what the files hold (see `_summary`)."""
    label, norm, text, articles, mentions = row
    label, norm, text = (v if isinstance(v, str) and is_safe(v) else clean_line(str(v)) for v in (label, norm, text))
    counts = (n if isinstance(n, int) and n >= 0 else 0 for n in (articles, mentions))
    return EntityCount(label, norm, text, *counts)


def summarize(article: Article, state: ArticleState) -> ArticleSummary:
    """The catalog row of an article in the given state."""
    analysis = article.analysis
    return ArticleSummary(
        **article_meta(article),
        language=article.language,
        note=article.entity_note(),
        words=article.words,
        entities=len(analysis.entities) if analysis else 0,
        numbers=len(analysis.numbers) if analysis else 0,
        model=analysis.model if analysis else None,
        ingested_at=article.ingested_at,
        annotations=len(state.annotations),
        position=state.position,
        read=state.read,
        status=state.status,
        opened_at=state.opened_at,
    )


def fold(text: str) -> str:
    """Text as sorting and merging compare it: NFKC, case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class Mention:
    """How often one entity (label and normalised text) occurs in one article."""

    label: str
    norm: str
    text: str  # as it first appears
    mentions: int
    annotated: int  # how many of those are annotations
    first: int  # the character offset of the first


def mentions_in(article: Article, state: ArticleState) -> list[Mention]:
    """Every entity of an article: model entities not rejected, and annotations, each span once.

    A span annotated with the model's label (accepted) counts once. Numbers are left out
    unless annotated: they are not named entities.
    """
    text = article.text
    spans: dict[tuple[int, int, str], bool] = {}
    if article.analysis:
        for span in state.suggestions(article.analysis.entities):
            spans[(span.start, span.end, span.label)] = False
    for annotation in state.annotations:
        spans[(annotation.start, annotation.end, annotation.label)] = True
    grouped: dict[tuple[str, str], list[Any]] = {}
    # Entities repeat ("Moscow" forty times): each distinct text is normalised once.
    seen: dict[str, tuple[str, str]] = {}
    for (start, end, label), annotated in sorted(spans.items()):
        raw = text[start:end]
        known = seen.get(raw)
        if known is None:
            surface = " ".join(raw.split())
            known = seen[raw] = (surface, fold(surface))
        surface, norm = known
        if not norm:
            continue
        group = grouped.get((label, norm))
        if group is None:
            grouped[(label, norm)] = [surface, 1, int(annotated), start]
        else:
            group[1] += 1
            group[2] += int(annotated)
    return [
        Mention(label, norm, surface, count, annotated, first)
        for (label, norm), (surface, count, annotated, first) in grouped.items()
    ]


# -- full-text queries -------------------------------------------------------------------------

# Scripts written without spaces between words: each character is indexed as a word of its
# own and a query's run of them becomes a phrase, so any word inside a run can be found.
_UNSPACED = (
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
)
_UNSPACED_CHAR = re.compile(f"([{_UNSPACED}])")
_BREAK = re.compile(r"\s*\n\s*")
_QUERY_PART = re.compile(r'"([^"]*)"?|(\S+)')
# The vowel signs, tone marks and viramas of the Indic scripts, Thai, Lao, Myanmar and Khmer
# are spelling, not decoration: "หุ้น" (shares) is not "หน", "काम" (work) is not "कम"
# (less). The index keeps them inside words (`tokenchars`); left to the tokenizer's defaults
# they would split words and vanish.
_SPELLING_MARKS = "".join(
    chr(code)
    for start, end in ((0x0900, 0x0DFF), (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))
    for code in range(start, end + 1)
    if unicodedata.category(chr(code)) in ("Mn", "Mc")
)
_MARKS = re.escape(_SPELLING_MARKS)
# A character of an unspaced script with its marks: indexed as a word of its own.
_CLUSTER = re.compile(f"([{_UNSPACED}][{_MARKS}]*)")
_WORD = re.compile(rf"[{_UNSPACED}][{_MARKS}]*|(?:[^\W{_UNSPACED}]|[{_MARKS}])+")
# Marks a writer may leave out: Greek accents, Arabic vowel marks, Hebrew points. The index
# and the query both drop them, so "κρητη" finds "Κρήτη" and "كتب" finds "كَتَبَ".
_OPTIONAL_MARK = re.compile("[\u0300-\u036f\u0591-\u05c7\u064b-\u065f\u0670]")
_GREEK = re.compile("[\u0370-\u03ff\u1f00-\u1fff]+")


def _without_optional_marks(text: str) -> str:
    """`text` without Greek accents, Arabic vowel marks and Hebrew points (NFKC)."""
    text = _GREEK.sub(lambda m: unicodedata.normalize("NFD", m.group()), text)
    return unicodedata.normalize("NFKC", _OPTIONAL_MARK.sub("", text))


def indexed_text(text: str | None) -> str:
    """Text as the full-text index sees it: compatibility forms folded (full-width letters,
    ligatures), optional marks dropped, characters of unspaced scripts set apart."""
    if not text:
        return ""
    return _CLUSTER.sub(r" \1 ", _without_optional_marks(unicodedata.normalize("NFKC", text)))


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search: the FTS5 expression, and the terms to find again in the text."""

    expression: str
    terms: tuple[tuple[tuple[str, ...], bool], ...]  # (words, last word is a prefix)


def parse_query(query: str) -> Query:
    """Words, "phrases" and prefix* terms, all required (OR between two terms allows either).

    Every term is quoted for FTS5, so no input can be an FTS syntax error. Raises
    ValueError when the query holds no word, more than `MAX_QUERY_WORDS` words, or a prefix
    shorter than `MIN_PREFIX` letters (one that short matches most of a library's words).
    """
    parts: list[str] = []
    terms: list[tuple[tuple[str, ...], bool]] = []
    query = unicodedata.normalize("NFKC", query)
    if len(query) > MAX_QUERY_WORDS * 40:
        raise ValueError(f"the search is too long (at most {MAX_QUERY_WORDS} words)")
    for match in _QUERY_PART.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if word == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        prefix = False
        if phrase is None:
            prefix = word.endswith("*")
            phrase = word.rstrip("*")
        words = tuple(_WORD.findall(_without_optional_marks(phrase)))
        if not words:
            continue
        # The words as typed are found again in the text, marks and all.
        typed = tuple(_WORD.findall(phrase)) or words
        if prefix and len(words[-1]) < MIN_PREFIX and not _UNSPACED_CHAR.match(words[-1]):
            raise ValueError(f"a prefix needs at least {MIN_PREFIX} letters before the * ({words[-1]}*)")
        quoted = '"' + " ".join(w.replace('"', '""') for w in words) + '"'
        parts.append(quoted + (" *" if prefix else ""))
        terms.append((typed, prefix))
    while parts and parts[-1] == "OR":
        parts.pop()
    if not terms:
        raise ValueError("the search holds no word to look for")
    if sum(len(words) for words, _ in terms) > MAX_QUERY_WORDS:
        raise ValueError(f"the search is too long (at most {MAX_QUERY_WORDS} words)")
    return Query(" ".join(parts), tuple(terms))


def term_pattern(terms: Iterable[tuple[tuple[str, ...], bool]]) -> re.Pattern[str]:
    """A regular expression matching any of the terms in article text, case-insensitively."""
    alternatives = []
    for words, prefix in terms:
        pieces = []
        for word in words:
            pieces.append(re.escape(word))
        joined = r"\W{0,3}".join(pieces)
        left = "" if _UNSPACED_CHAR.match(words[0]) else r"(?<!\w)"
        right = "" if prefix or _UNSPACED_CHAR.match(words[-1]) else r"(?!\w)"
        alternatives.append(f"{left}{joined}{right}")
    return re.compile("|".join(alternatives), re.IGNORECASE)


def snippet(text: str, pattern: re.Pattern[str], width: int = 160) -> tuple[str, int, list[tuple[int, int]]]:
    """A window of about `width` characters of `text` around the first match of `pattern`.

    Returns the snippet (one line, with … where it was cut), the offset of the first match in
    the text (0 when nothing matched, as with a word found only in the title) and the matches'
    ranges within the snippet.
    """
    found = pattern.search(text)
    first = found.start() if found else 0
    start = max(0, first - width // 3)
    if start:
        space = text.rfind(" ", max(0, start - 20), start + 1)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end - 20, end + 20)
        end = space if space >= 0 else end
    # One line: a paragraph break becomes one space.
    line = ("…" if start else "") + _BREAK.sub(" ", text[start:end]) + ("…" if end < len(text) else "")
    marks = [m.span() for m in pattern.finditer(line)]
    return line, first, marks


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article a search found: its summary, rank score and where the first hit is."""

    summary: ArticleSummary
    score: float


@dataclass(frozen=True, slots=True)
class EntityCount:
    """One entity across the library: label, text, and how many articles and mentions."""

    label: str
    norm: str
    text: str
    articles: int
    mentions: int

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form used by `reader entities --json`."""
        return {
            "label": self.label,
            "text": self.text,
            "normalised": self.norm,
            "articles": self.articles,
            "mentions": self.mentions,
        }


@dataclass(frozen=True, slots=True)
class MentionedIn:
    """An article that mentions an entity: its summary, how often, and the first offset."""

    summary: ArticleSummary
    mentions: int
    first: int


# -- library order and filters -----------------------------------------------------------------

SortKey = Literal["added", "date", "title", "site", "annotations", "unread", "status"]
SORT_KEYS: tuple[SortKey, ...] = ("added", "date", "title", "site", "annotations", "unread", "status")
# Each key's columns, for ascending order; `id` last makes every order total and stable.
_ORDER: dict[str, tuple[str, ...]] = {
    # Articles added in the same second keep the order they were added in.
    "added": ("a.ingested_at", "a.n"),
    "date": ("a.date_key", "a.id"),
    "title": ("a.title_key", "a.id"),
    "site": ("a.site_key", "a.id"),
    "annotations": ("a.annotations", "a.id"),
    "unread": ("a.read", "a.ingested_at", "a.id"),
    "status": ("a.status", "a.ingested_at", "a.id"),
}
ReviewFilter = Literal["all", "to_review", "new", "in_progress", "done", "ignored"]


@dataclass(frozen=True, slots=True)
class View:
    """Which articles the library shows, and in which order."""

    sort: SortKey = "added"
    descending: bool = True
    text: str = ""  # a filter on title, byline and source
    label: str | None = None  # only articles with an annotation of this label
    review: ReviewFilter = "all"
    unread: bool = False

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the view (then no index keeps its rows in order)."""
        return bool(fold(self.text)) or self.label is not None or self.review != "all" or self.unread

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        needle = fold(self.text)
        if needle:
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(
                "(a.title_key LIKE ? ESCAPE '\\' OR a.site_key LIKE ? ESCAPE '\\'"
                " OR lower(coalesce(a.byline, '')) LIKE ? ESCAPE '\\')"
            )
            params += [f"%{escaped}%"] * 3
        if self.label:
            clauses.append(
                "a.n IN (SELECT article FROM mentions WHERE label = ? AND annotated > 0)"
            )
            params.append(self.label)
        if self.review == "to_review":
            clauses.append("a.status IN ('new', 'in_progress')")
        elif self.review != "all":
            clauses.append("a.status = ?")
            params.append(self.review)
        if self.unread:
            clauses.append("a.read = 0")
        return (" AND ".join(clauses) or "1"), params

    def order(self) -> str:
        """The SQL ORDER BY list."""
        direction = " DESC" if self.descending else ""
        return ", ".join(column + direction for column in _ORDER[self.sort])


def site_key(source: str, site: str | None) -> str:
    """What sorting by site compares: the site, else a URL's host, else the source's name."""
    return fold(article_source(site, source))


# -- the database ------------------------------------------------------------------------------


class Catalog:
    """The catalog file and the queries on it. Writes must be made under the store's lock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._pid = os.getpid()
        self.read_only = False

    # connections

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (a new one after a fork: SQLite's must not cross one)."""
        if self._pid != os.getpid():
            self._local = threading.local()
            self._pid = os.getpid()
        cx: sqlite3.Connection | None = getattr(self._local, "cx", None)
        if cx is None:
            cx = self._connect()
            self._local.cx = cx
        return cx

    def _connect(self) -> sqlite3.Connection:
        """A new connection in WAL mode; read-only (and then never written) when the data dir
        or the file cannot be written, as on a read-only mount or an archive."""
        cx: sqlite3.Connection | None = None
        try:
            if not self.read_only:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    cx = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
                    cx.execute("PRAGMA journal_mode=WAL")
                    cx.execute("PRAGMA synchronous=NORMAL")
                    return cx
                except (OSError, sqlite3.OperationalError):
                    if cx is not None:
                        cx.close()
                        cx = None
                    if self._writable():
                        raise
                    self.read_only = True
            return self._connect_read_only()
        except sqlite3.DatabaseError as exc:
            if cx is not None:
                cx.close()
            if damaged(exc):
                raise CatalogDamaged(f"{self.path}: the catalog is damaged: {exc}") from exc
            raise CatalogError(f"{self.path}: cannot open the catalog: {exc}") from exc
        except OSError as exc:
            raise CatalogError(f"{self.path}: cannot open the catalog: {exc.strerror or exc}") from exc

    def _writable(self) -> bool:
        folder = self.path.parent
        if not folder.exists():
            return os.access(folder.parent, os.W_OK)
        return os.access(folder, os.W_OK) and (not self.path.exists() or os.access(self.path, os.W_OK))

    def _connect_read_only(self) -> sqlite3.Connection:
        # A WAL database is read with its -shm when one is there; without, only as immutable.
        uri = self.path.resolve().as_uri()
        for mode in ("mode=ro", "mode=ro&immutable=1"):
            cx = sqlite3.connect(f"{uri}?{mode}", uri=True, isolation_level=None, check_same_thread=False, timeout=30)
            try:
                cx.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return cx
            except sqlite3.OperationalError:
                cx.close()
                if "immutable" in mode:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close this thread's connection."""
        cx = getattr(self._local, "cx", None)
        if cx is not None:
            cx.close()
            self._local.cx = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        cx = self.connection()
        cx.execute("BEGIN IMMEDIATE")
        try:
            yield cx
        except BaseException:
            cx.execute("ROLLBACK")
            raise
        cx.execute("COMMIT")

    # schema

    def version(self) -> int | None:
        """The catalog's version, None when it has no tables yet (or is not a catalog)."""
        cx = self.connection()
        try:
            row = cx.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except sqlite3.OperationalError:
            return None
        return int(row[0]) if row else None

    def create(self, *, counting: bool = True) -> None:
        """Drop whatever is there and create empty tables of the current version. Without
        `counting`, the library-wide entity counts are not kept as mentions come in: a
        rebuild fills them at the end in one pass (`count_entities`), a third faster."""
        cx = self.connection()
        tables = [
            name
            for (name,) in cx.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'text_index_%'"
            )
        ]
        with self.transaction() as tx:
            for name in tables:
                tx.execute(f'DROP TABLE IF EXISTS "{name}"')
            schema = _SCHEMA.replace("{marks}", _SPELLING_MARKS)
            for statement in _statements(schema + (_TRIGGERS if counting else "")):
                tx.execute(statement)
            # The version is written by whoever fills the tables, once they are full: a build
            # that was cut short leaves a catalog of no version, which the next open builds again.

    def count_entities(self, tx: sqlite3.Connection) -> None:
        """Sum the mentions into the library-wide counts, then keep them up to date from now on."""
        tx.execute("DELETE FROM entities")
        tx.execute(
            "INSERT INTO entities(label, norm, text, articles, mentions)"
            " SELECT label, norm, min(text), count(*), sum(mentions) FROM mentions GROUP BY label, norm"
        )
        for statement in _statements(_TRIGGERS):
            tx.execute(statement)

    def mark_complete(self, tx: sqlite3.Connection) -> None:
        """Say that the tables hold every article: the catalog is of the current version."""
        self.set_meta(tx, "version", str(CATALOG_VERSION))

    def set_meta(self, tx: sqlite3.Connection, key: str, value: str) -> None:
        """Record a fact about the catalog (when it was built, from which store)."""
        tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def meta(self) -> dict[str, str]:
        """Every recorded fact about the catalog."""
        return dict(self.connection().execute("SELECT key, value FROM meta"))

    # pending marks

    def mark_pending(self, ids: Iterable[str]) -> None:
        """Durably note that these articles are about to change (before their files are written)."""
        cx = self.connection()
        cx.execute("PRAGMA synchronous=FULL")
        try:
            with self.transaction() as tx:
                tx.executemany("INSERT OR IGNORE INTO pending(id) VALUES (?)", ((i,) for i in ids))
        finally:
            cx.execute("PRAGMA synchronous=NORMAL")

    def pending(self) -> list[str]:
        """Articles whose files may have changed without the catalog knowing."""
        return [i for (i,) in self.connection().execute("SELECT id FROM pending ORDER BY id")]

    def clear_pending(self, tx: sqlite3.Connection, ids: Iterable[str]) -> None:
        """Drop the marks of articles whose catalog rows are now right."""
        tx.executemany("DELETE FROM pending WHERE id = ?", ((i,) for i in ids))

    # writes (inside a transaction)

    def put(
        self,
        tx: sqlite3.Connection,
        summary: ArticleSummary,
        mentions: list[Mention],
        *,
        article: Article | None = None,
    ) -> None:
        """Insert or update an article's row and mentions; index its text if `article` is given
        and the text is not indexed yet."""
        values = [getattr(summary, name) for name in _SUMMARY_COLUMNS]
        values[_SUMMARY_COLUMNS.index("read")] = int(summary.read)
        keys = [
            fold(summary.title or ""),
            site_key(summary.source, summary.site),
            summary.date or "",
        ]
        columns = ", ".join(_SUMMARY_COLUMNS)
        marks = ", ".join("?" * (len(_SUMMARY_COLUMNS) + 3))
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*_SUMMARY_COLUMNS[1:], "title_key", "site_key", "date_key"))
        n, indexed = tx.execute(
            f"INSERT INTO articles({columns}, title_key, site_key, date_key) VALUES ({marks})"
            f" ON CONFLICT(id) DO UPDATE SET {updates} RETURNING n, indexed",
            (*values, *keys),
        ).fetchone()
        if article is not None and not indexed:
            tx.execute(
                "INSERT INTO text_index(rowid, title, byline, body) VALUES (?, ?, ?, ?)",
                (n, *_indexed_columns(article)),
            )
            tx.execute("UPDATE articles SET indexed = 1 WHERE n = ?", (n,))
        self._put_mentions(tx, n, mentions)

    def put_state(
        self, tx: sqlite3.Connection, article_id: str, state: ArticleState, mentions: list[Mention] | None
    ) -> None:
        """Update the reading and review state of an article's row (and its mentions, if given)."""
        row = tx.execute(
            "UPDATE articles SET annotations = ?, position = ?, read = ?, status = ?, opened_at = ?"
            " WHERE id = ? RETURNING n",
            (len(state.annotations), state.position, int(state.read), state.status, state.opened_at, article_id),
        ).fetchone()
        if row is not None and mentions is not None:
            self._put_mentions(tx, row[0], mentions)

    def _put_mentions(self, tx: sqlite3.Connection, n: int, mentions: list[Mention]) -> None:
        old = {
            (label, norm): (text, count, annotated, first)
            for label, norm, text, count, annotated, first in tx.execute(
                "SELECT label, norm, text, mentions, annotated, first FROM mentions WHERE article = ?", (n,)
            )
        }
        new = {(m.label, m.norm): (m.text, m.mentions, m.annotated, m.first) for m in mentions}
        gone = [key for key, value in old.items() if new.get(key) != value]
        if gone:
            tx.executemany(
                "DELETE FROM mentions WHERE article = ? AND label = ? AND norm = ?",
                ((n, label, norm) for label, norm in gone),
            )
        added = [(key, value) for key, value in new.items() if old.get(key) != value]
        if added:
            tx.executemany(
                "INSERT INTO mentions(article, label, norm, text, mentions, annotated, first)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((n, label, norm, *value) for (label, norm), value in added),
            )

    def unindex(self, tx: sqlite3.Connection, article_id: str, article: Article) -> None:
        """Take an article's text out of the full-text index (its row stays, marked not
        indexed): the first step of a removal, made while the text is still at hand."""
        row = tx.execute("SELECT n, indexed FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None or not row[1]:
            return
        tx.execute(
            "INSERT INTO text_index(text_index, rowid, title, byline, body) VALUES ('delete', ?, ?, ?, ?)",
            (row[0], *_indexed_columns(article)),
        )
        tx.execute("UPDATE articles SET indexed = 0 WHERE n = ?", (row[0],))

    def delete(self, tx: sqlite3.Connection, article_id: str, article: Article | None) -> None:
        """Remove an article's row and mentions, and its text from the index when `article`
        (the text it was indexed with) is known; an index entry left behind matches no row."""
        row = tx.execute("SELECT n, indexed FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return
        n, indexed = row
        tx.execute("DELETE FROM mentions WHERE article = ?", (n,))
        if indexed and article is not None:
            tx.execute(
                "INSERT INTO text_index(text_index, rowid, title, byline, body) VALUES ('delete', ?, ?, ?, ?)",
                (n, *_indexed_columns(article)),
            )
        tx.execute("DELETE FROM articles WHERE n = ?", (n,))

    # reads

    def ids(self) -> list[str]:
        """Every article id, sorted."""
        return [i for (i,) in self.connection().execute("SELECT id FROM articles ORDER BY id")]

    def has(self, article_id: str) -> bool:
        """Whether the catalog has a row for the article."""
        return self.connection().execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def with_prefix(self, prefix: str, limit: int = 6) -> list[str]:
        """Ids that start with `prefix` (at most `limit`)."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return [
            i
            for (i,) in self.connection().execute(
                "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT ?", (prefix, upper, limit)
            )
        ]

    def summary(self, article_id: str) -> ArticleSummary | None:
        """One article's row."""
        row = self.connection().execute(
            f"SELECT {_SELECT_SUMMARY} FROM articles a WHERE a.id = ?", (article_id,)
        ).fetchone()
        return _summary(row) if row else None

    def count(self, view: View | None = None) -> int:
        """How many articles the view shows (all, without one)."""
        where, params = (view or View()).where()
        return self.connection().execute(f"SELECT count(*) FROM articles a WHERE {where}", params).fetchone()[0]

    def page(self, view: View, offset: int, limit: int) -> list[ArticleSummary]:
        """`limit` rows of the view from `offset`."""
        where, params = view.where()
        rows = self.connection().execute(
            f"SELECT {_SELECT_SUMMARY} FROM articles a WHERE {where} ORDER BY {view.order()} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_summary(r) for r in rows]

    def ordered_rows(self, view: View) -> list[int]:
        """Every row the view shows, in its order, as row numbers: one query, for a view that
        no index keeps in order (a filtered one), so that its pages need no sort each."""
        where, params = view.where()
        return [n for (n,) in self.connection().execute(
            f"SELECT a.n FROM articles a WHERE {where} ORDER BY {view.order()}", params
        )]

    def row_number(self, article_id: str) -> int | None:
        """An article's row number (what `ordered_rows` lists)."""
        row = self.connection().execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def rows_numbered(self, numbers: list[int]) -> list[ArticleSummary]:
        """The rows with these row numbers, in the order given (those removed meanwhile left out)."""
        marks = ", ".join("?" * len(numbers))
        found = {
            n: _summary(row)
            for n, *row in self.connection().execute(
                f"SELECT a.n, {_SELECT_SUMMARY} FROM articles a WHERE a.n IN ({marks})", numbers
            )
        }
        return [found[n] for n in numbers if n in found]

    def iter_summaries(self, view: View | None = None) -> Iterator[ArticleSummary]:
        """Every row of the view, streamed."""
        view = view or View()
        where, params = view.where()
        for row in self.connection().execute(
            f"SELECT {_SELECT_SUMMARY} FROM articles a WHERE {where} ORDER BY {view.order()}", params
        ):
            yield _summary(row)

    def index_of(self, view: View, article_id: str) -> int | None:
        """The position of an article in the view, None when the view does not show it."""
        row = self.summary(article_id)
        if row is None:
            return None
        where, params = view.where()
        found = self.connection().execute(
            f"SELECT 1 FROM articles a WHERE a.id = ? AND {where}", (article_id, *params)
        ).fetchone()
        if found is None:
            return None
        # Rows before it in the view's order: compare the sort columns as a row value.
        columns = _ORDER[view.sort]
        mine = self.connection().execute(
            f"SELECT {', '.join(columns)} FROM articles a WHERE a.id = ?", (article_id,)
        ).fetchone()
        compare = "<" if not view.descending else ">"
        before = self.connection().execute(
            f"SELECT count(*) FROM articles a WHERE {where} AND ({', '.join(columns)}) {compare} ({', '.join('?' * len(columns))})",
            (*params, *mine),
        ).fetchone()[0]
        return before

    def continue_reading(self) -> ArticleSummary | None:
        """The article opened last that is not read to the end."""
        row = self.connection().execute(
            # The small index of opened articles: the planner would otherwise walk the read one.
            f"SELECT {_SELECT_SUMMARY} FROM articles a INDEXED BY articles_by_opened"
            " WHERE a.opened_at != '' AND a.read = 0 ORDER BY a.opened_at DESC, a.id LIMIT 1"
        ).fetchone()
        return _summary(row) if row else None

    def review_counts(self) -> dict[str, int]:
        """How many articles have each review status."""
        counts = dict.fromkeys(("new", "in_progress", "done", "ignored"), 0)
        for status, n in self.connection().execute("SELECT status, count(*) FROM articles GROUP BY status"):
            counts[status] = n
        return counts

    def next_in_review(self, after: str | None, view: View) -> str | None:
        """The next article after `after` in the view's order whose status is new or in
        progress, wrapping round to the top; None when there is none other than `after`."""
        review = View(view.sort, view.descending, view.text, view.label, "to_review", view.unread)
        where, params = review.where()
        order = review.order()
        cx = self.connection()
        if after is not None:
            columns = _ORDER[view.sort]
            mine = cx.execute(f"SELECT {', '.join(columns)} FROM articles a WHERE a.id = ?", (after,)).fetchone()
            if mine is not None:
                compare = "<" if view.descending else ">"
                row = cx.execute(
                    f"SELECT a.id FROM articles a WHERE {where} AND ({', '.join(columns)}) {compare}"
                    f" ({', '.join('?' * len(columns))}) ORDER BY {order} LIMIT 1",
                    (*params, *mine),
                ).fetchone()
                if row:
                    return row[0]
        row = cx.execute(
            f"SELECT a.id FROM articles a WHERE {where} AND a.id != ? ORDER BY {order} LIMIT 1",
            (*params, after or ""),
        ).fetchone()
        return row[0] if row else None

    def search(
        self,
        query: Query,
        *,
        entity: str | None = None,
        label: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Articles matching the query, best first (bm25; a title hit weighs most).

        Ranking costs a little for every match, so a query that matches more than
        `RANK_WINDOW` articles (a common word in a large library) is ranked among the
        `RANK_WINDOW` most recently added of them: the best of what is recent, in a time that
        does not grow with the library. Narrowed to an entity or a label, the matches are
        joined with that set of articles (never looked up one by one in the text index,
        which costs a search per article).
        """
        cx = self.connection()
        floor = 0
        if offset + limit <= RANK_WINDOW and self._count_matches(query.expression) > RANK_WINDOW:
            row = cx.execute(
                "SELECT rowid FROM text_index WHERE text_index MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                (query.expression, RANK_WINDOW - 1),
            ).fetchone()
            floor = row[0] if row else 0
        hits = self._ranked(query, entity, label, floor, limit, offset)
        if floor and len(hits) < limit and (entity is not None or label is not None):
            hits = self._ranked(query, entity, label, 0, limit, offset)  # the window held too few
        return hits

    def _ranked(
        self, query: Query, entity: str | None, label: str | None, floor: int, limit: int, offset: int
    ) -> list[SearchHit]:
        scored = (
            "SELECT rowid, bm25(text_index, 8.0, 3.0, 1.0) AS score FROM text_index"
            " WHERE text_index MATCH ? AND rowid >= ?"
        )
        params: list[Any] = [query.expression, floor]
        if entity is None and label is None:
            sql = (
                f"SELECT {_SELECT_SUMMARY}, hits.score FROM ({scored} ORDER BY score LIMIT ? OFFSET ?) hits"
                " JOIN articles a ON a.n = hits.rowid ORDER BY hits.score"
            )
            params += [limit, offset]
        else:
            sub, sub_params = _mention_filter(entity, label)
            # Both sides are made once and the set is looked up in an index built once;
            # joined the other way, SQLite would ask the text index about each article.
            sql = (
                f"WITH narrowed AS MATERIALIZED (SELECT DISTINCT article FROM mentions WHERE {sub}),"
                f" hits AS MATERIALIZED ({scored.replace('SELECT rowid,', 'SELECT rowid AS n,')})"
                f" SELECT {_SELECT_SUMMARY}, hits.score FROM hits JOIN articles a ON a.n = hits.n"
                " WHERE hits.n IN (SELECT article FROM narrowed) ORDER BY hits.score LIMIT ? OFFSET ?"
            )
            params = [*sub_params, *params, limit, offset]
        rows = self.connection().execute(sql, params)
        return [SearchHit(_summary(r[:-1]), r[-1]) for r in rows]

    def _count_matches(self, expression: str) -> int:
        """How many index entries match, remembered until the catalog changes (a search asks
        once to decide how to rank, and its caller once more to say how many there are)."""
        cx = self.connection()
        version = (cx.execute("PRAGMA data_version").fetchone()[0], cx.total_changes)
        cached = getattr(self._local, "counted", None)
        if cached is not None and cached[:2] == (expression, version):
            return cached[2]
        count = cx.execute("SELECT count(*) FROM text_index WHERE text_index MATCH ?", (expression,)).fetchone()[0]
        self._local.counted = (expression, version, count)
        return count

    def search_count(self, query: Query, *, entity: str | None = None, label: str | None = None) -> int:
        """How many articles match the query (counted in the text index: an entry a damaged
        article file left behind counts too, until `repair`)."""
        cx = self.connection()
        if entity is None and label is None:
            return self._count_matches(query.expression)
        sub, sub_params = _mention_filter(entity, label)
        return cx.execute(
            "WITH hits AS MATERIALIZED (SELECT rowid AS n FROM text_index WHERE text_index MATCH ?)"
            f" SELECT count(DISTINCT article) FROM mentions WHERE {sub} AND article IN (SELECT n FROM hits)",
            (query.expression, *sub_params),
        ).fetchone()[0]

    def entities(self, *, label: str | None = None, limit: int | None = None) -> list[EntityCount]:
        """Entities across the library, most mentioned first."""
        where, params = ("WHERE label = ?", [label]) if label else ("", [])
        sql = f"SELECT label, norm, text, articles, mentions FROM entities {where} ORDER BY mentions DESC, articles DESC, norm"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        return [_entity_count(row) for row in self.connection().execute(sql, params)]

    def mentioned_in(self, norm: str, label: str | None, *, limit: int = 500) -> list[MentionedIn]:
        """Articles that mention an entity (by normalised text, and label when given), most first."""
        sub, params = _mention_filter(norm, label, folded=True)
        rows = self.connection().execute(
            f"SELECT {_SELECT_SUMMARY}, sum(m.mentions), min(m.first) FROM mentions m"
            f" JOIN articles a ON a.n = m.article WHERE {sub.replace('norm', 'm.norm').replace('label', 'm.label')}"
            " GROUP BY a.n ORDER BY sum(m.mentions) DESC, a.ingested_at DESC LIMIT ?",
            (*params, limit),
        )
        return [MentionedIn(_summary(r[:-2]), r[-2], r[-1]) for r in rows]

    def matching_ids(self, query: Query) -> Iterator[str]:
        """The ids of every article the query matches, unranked, in one pass."""
        for (article_id,) in self.connection().execute(
            "SELECT a.id FROM text_index JOIN articles a ON a.n = text_index.rowid WHERE text_index MATCH ?",
            (query.expression,),
        ):
            yield article_id

    def mentioned_count(self, norm: str, label: str | None) -> int:
        """How many articles mention an entity."""
        sub, params = _mention_filter(norm, label, folded=True)
        return self.connection().execute(
            f"SELECT count(DISTINCT article) FROM mentions WHERE {sub}", params
        ).fetchone()[0]

    def labels(self) -> list[str]:
        """Every label some article has an annotation of (one edited into the catalog by hand
        with control characters in it is none: no file holds it)."""
        return [
            label
            for (label,) in self.connection().execute(
                "SELECT DISTINCT label FROM mentions WHERE annotated > 0 ORDER BY label"
            )
            if isinstance(label, str) and is_safe(label)
        ]

    def rows_of(self, ids: list[str]) -> dict[str, ArticleSummary]:
        """The rows of these articles, by id."""
        marks = ", ".join("?" * len(ids))
        rows = self.connection().execute(f"SELECT {_SELECT_SUMMARY} FROM articles a WHERE a.id IN ({marks})", ids)
        return {s.id: s for s in map(_summary, rows)}

    def mentions_of(self, ids: list[str]) -> dict[str, set[Mention]]:
        """The mentions of these articles, by id."""
        marks = ", ".join("?" * len(ids))
        found: dict[str, set[Mention]] = {}
        for article_id, *values in self.connection().execute(
            "SELECT a.id, m.label, m.norm, m.text, m.mentions, m.annotated, m.first"
            f" FROM articles a JOIN mentions m ON m.article = a.n WHERE a.id IN ({marks})",
            ids,
        ):
            found.setdefault(article_id, set()).add(Mention(*values))
        return found

    def integrity_problems(self) -> list[str]:
        """What SQLite finds wrong with the file itself and with the text index's structure."""
        cx = self.connection()
        problems = [row[0] for row in cx.execute("PRAGMA quick_check") if row[0] != "ok"]
        try:
            with self.transaction() as tx:
                tx.execute("INSERT INTO text_index(text_index) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"the text index is damaged: {exc}")
        return problems

    def index_problems(self) -> list[str]:
        """Disagreements inside the catalog: text index entries without a row, rows not indexed,
        and library-wide entity counts that differ from the mentions."""
        cx = self.connection()
        problems = []
        stray = cx.execute(
            "SELECT count(*) FROM text_index_docsize d LEFT JOIN articles a ON a.n = d.id WHERE a.n IS NULL"
        ).fetchone()[0]
        if stray:
            problems.append(f"the text index holds {stray} entr{'ies' if stray != 1 else 'y'} of removed articles")
        missing = cx.execute(
            "SELECT count(*) FROM articles a LEFT JOIN text_index_docsize d ON d.id = a.n WHERE d.id IS NULL"
        ).fetchone()[0]
        if missing:
            problems.append(f"{missing} article{'s are' if missing != 1 else ' is'} missing from the text index")
        summed = "SELECT label, norm, count(*), sum(mentions) FROM mentions GROUP BY label, norm"
        kept = "SELECT label, norm, articles, mentions FROM entities"
        wrong = cx.execute(
            f"SELECT count(*) FROM ({summed} EXCEPT {kept}) UNION ALL SELECT count(*) FROM ({kept} EXCEPT {summed})"
        ).fetchall()
        wrong = sum(n for (n,) in wrong)
        if wrong:
            problems.append(f"{wrong} library-wide entity count{'s differ' if wrong != 1 else ' differs'} from the articles'")
        return problems


def _mention_filter(entity: str | None, label: str | None, *, folded: bool = False) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if entity is not None:
        clauses.append("norm = ?")
        params.append(entity if folded else fold(entity))
    if label is not None:
        clauses.append("label = ?")
        params.append(label)
    return " AND ".join(clauses) or "1", params


def _indexed_columns(article: Article) -> tuple[str, str, str]:
    return indexed_text(article.title), indexed_text(article.byline), indexed_text(article.text)


def _statements(script: str) -> list[str]:
    """A script's statements, split where `sqlite3.complete_statement` says one ends."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
