"""The store: layout, atomic writes, locking between processes, corrupt files left alone."""

from __future__ import annotations

import errno
import json
import multiprocessing
from pathlib import Path

import pytest

from reader import atomic as atomic_module
from reader import store as store_module
from reader.article import Analysis, Article, Draft, Span
from reader.catalog import CATALOG_VERSION
from reader.store import SCHEMA_VERSION, STORE_LAYOUT, Library, StoreError
from reader.text import word_spans
from tests.conftest import SPAWNS_PROCESSES

TEXT = [
    "Tajikistan President Emomali Rahmon has affirmed his nation's commitment.",
    "The attack at Crocus City Hall claimed the lives of at least 139 people.",
]


def make_article(paragraphs: list[str] = TEXT, source: str = "test.txt") -> Article:
    """An article with a hand-made analysis (no spaCy)."""
    article = Article.from_draft(Draft(list(paragraphs), source, title="Test article"))
    tokens = [i for span in word_spans(article.text) for i in span]
    start = article.text.find("Emomali Rahmon")
    article.analysis = Analysis(
        model="hand",
        version="1",
        entities=[Span(start, start + len("Emomali Rahmon"), "PERSON")] if start >= 0 else [],
        numbers=[],
        tokens=tokens,
    )
    return article


def test_add_is_idempotent_and_lists_from_the_index(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    assert library.add(article) is True
    assert library.add(make_article()) is False
    [summary] = library.summaries()
    assert summary.id == article.id
    assert summary.title == "Test article"
    assert summary.entities == 1
    assert summary.annotations == 0
    assert (data_dir / "articles" / f"{article.id}.json").is_file()


def test_every_file_carries_the_schema_version(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    library.add_annotation(article.id, 0, 10, "GPE")
    files = list(data_dir.glob("*/*.json"))
    assert {p.parent.name for p in files} == {"articles", "annotations"}
    for path in files:
        header = json.loads(path.read_text())["reader"]
        assert header["schema"] == SCHEMA_VERSION
    assert library.catalog_facts()["version"] == str(CATALOG_VERSION)
    assert library.catalog_facts()["store_layout"] == str(STORE_LAYOUT)


def test_annotation_roundtrip_relabel_remove_restore(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    a = library.add_annotation(article.id, 0, 10, "GPE")
    assert [x.label for x in library.annotations(article.id)] == ["GPE"]
    relabelled = library.relabel_annotation(article.id, a.id[:4], "ORG")
    assert relabelled.id == a.id and relabelled.label == "ORG"
    removed = library.remove_annotation(article.id, a.id)
    assert library.annotations(article.id) == []
    library.restore_annotation(article.id, removed)
    assert library.annotations(article.id) == [removed]
    assert library.summaries()[0].annotations == 1


def test_spans_outside_the_text_are_refused(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    with pytest.raises(ValueError):
        library.add_annotation(article.id, 5, len(article.text) + 1, "ORG")
    with pytest.raises(ValueError):
        library.add_annotation(article.id, 5, 5, "ORG")
    assert library.annotations(article.id) == []


def test_rejections_are_stored_once(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    library.reject(article.id, 0, 10, "GPE")
    library.reject(article.id, 0, 10, "GPE")
    assert len(library.rejections(article.id)) == 1
    library.unreject(article.id, 0, 10, "GPE")
    assert library.rejections(article.id) == []


def test_resolve_takes_unique_prefixes(data_dir: Path) -> None:
    library = Library(data_dir)
    a, b = make_article(), make_article(["Another text entirely, Emomali Rahmon."])
    library.add(a)
    library.add(b)
    assert library.resolve(a.id[:6]) == a.id
    with pytest.raises(LookupError, match="no article"):
        library.resolve("zzzz")
    with pytest.raises(LookupError, match="empty"):
        library.resolve("")
    # Seventeen ids cannot all start with different hex digits: some first digit is shared.
    ids = [a.id, b.id]
    for i in range(15):
        extra = make_article([f"Filler article number {i}."])
        library.add(extra)
        ids.append(extra.id)
    first = next(c for c in "0123456789abcdef" if sum(i.startswith(c) for i in ids) > 1)
    with pytest.raises(LookupError, match="ambiguous"):
        library.resolve(first)


def test_remove_deletes_article_and_annotations(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    library.add_annotation(article.id, 0, 10, "GPE")
    library.remove(article.id)
    assert library.summaries() == []
    assert not list(data_dir.glob("*/*.json"))


def test_reading_position_is_kept_and_read_is_its_own_mark(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    assert library.summaries()[0].opened is False
    library.set_position(article.id, 42)
    assert library.position(article.id) == 42
    summary = library.summaries()[0]
    assert summary.opened is True and summary.position == 42 and summary.read is False
    assert summary.opened_at  # when, for "continue reading"
    library.set_read(article.id)
    assert library.summaries()[0].read is True
    assert library.article_state(article.id).read is True
    library.set_read(article.id, False)
    assert library.summaries()[0].read is False


@pytest.mark.parametrize(
    "content", [b"", b"{not json", b'{"_default": {}}', b"\x00\x01\x02", b'{"reader": {"schema": 1, "kind": "annot']
)
def test_corrupt_file_raises_naming_it_and_stays_byte_for_byte(data_dir: Path, content: bytes) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    path = data_dir / "annotations" / f"{article.id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with pytest.raises(StoreError, match=str(path)):
        library.annotations(article.id)
    with pytest.raises(StoreError, match=str(path)):
        library.add_annotation(article.id, 0, 10, "GPE")
    assert path.read_bytes() == content
    # The rest of the library still lists.
    assert [s.id for s in library.summaries()] == [article.id]
    assert any(str(path) in line for line in library.check().problems)


def test_newer_schema_is_refused(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    path = data_dir / "articles" / f"{article.id}.json"
    data = json.loads(path.read_text())
    data["reader"]["schema"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer"):
        library.get(article.id)
    with pytest.raises(StoreError, match="newer"):
        library.add_annotation(article.id, 0, 10, "GPE")
    assert path.read_bytes() == before


def test_failing_write_keeps_the_previous_state(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    library.add_annotation(article.id, 0, 10, "GPE")
    path = data_dir / "annotations" / f"{article.id}.json"
    before = path.read_bytes()

    def full_disk(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(atomic_module.os, "write", full_disk)
        with pytest.raises(StoreError, match="No space left"):
            library.add_annotation(article.id, 11, 20, "ORG")
    assert path.read_bytes() == before
    assert [a.label for a in library.annotations(article.id)] == ["GPE"]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def _tag_many(root: str, article_id: str, label: str, count: int) -> None:
    library = Library(Path(root))
    for i in range(count):
        library.add_annotation(article_id, 0, 10, f"{label}{i}")


@SPAWNS_PROCESSES
def test_two_processes_never_lose_each_others_writes(data_dir: Path) -> None:
    library = Library(data_dir)
    first, second = make_article(), make_article(["A second article about Moscow and Emomali Rahmon."])
    library.add(first)
    library.add(second)
    ctx = multiprocessing.get_context("fork")
    jobs = [
        ctx.Process(target=_tag_many, args=(str(data_dir), first.id, "A", 40)),
        ctx.Process(target=_tag_many, args=(str(data_dir), first.id, "B", 40)),
        ctx.Process(target=_tag_many, args=(str(data_dir), second.id, "C", 40)),
    ]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(60)
        assert job.exitcode == 0
    labels = {a.label for a in library.annotations(first.id)}
    assert labels == {f"A{i}" for i in range(40)} | {f"B{i}" for i in range(40)}
    assert len(library.annotations(second.id)) == 40
    counts = {s.id: s.annotations for s in library.summaries()}
    assert counts == {first.id: 80, second.id: 40}


def test_save_does_not_read_the_index(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving an annotation touches only that article's files, whatever the library's size."""
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    library.text_length(article.id)
    read: list[Path] = []
    real = store_module.read_json_file

    def spy(path: Path, kind: str):  # type: ignore[no-untyped-def]
        read.append(path)
        return real(path, kind)

    monkeypatch.setattr(store_module, "read_json_file", spy)
    library.add_annotation(article.id, 0, 10, "GPE")
    assert read and all(p.parent.name == "annotations" for p in read)


def test_bulk_remove_is_one_write_and_state_is_one_read(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    made = library.add_annotations(article.id, [(0, 10, "GPE", "model"), (11, 20, "ORG", "manual")])
    library.set_position(article.id, 7)
    library.reject(article.id, 0, 10, "ORG")
    writes: list[Path] = []
    real_write = store_module.write_json_file
    monkeypatch.setattr(store_module, "write_json_file", lambda p, k, t, **kw: (writes.append(p), real_write(p, k, t, **kw)))
    removed = library.remove_annotations(article.id, [a.id for a in made])
    assert sorted(a.id for a in removed) == sorted(a.id for a in made)
    assert len(writes) == 1
    state = library.article_state(article.id)
    assert state.annotations == [] and len(state.rejections) == 1 and state.position == 7


def test_temporary_files_of_killed_writers_are_swept(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    stale = data_dir / "annotations" / f".{article.id}.json.99999.1.tmp"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("half a file")
    library.catalog.mark_pending([article.id])  # what a writer killed mid-write leaves too
    Library(data_dir).add_annotation(article.id, 0, 10, "GPE")
    assert not stale.exists()
    assert [a.label for a in library.annotations(article.id)] == ["GPE"]


def test_token_offsets_are_stored_compactly_and_read_back(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    stored = json.loads((data_dir / "articles" / f"{article.id}.json").read_text())
    tokens = stored["tables"]["article"]["1"]["analysis"]["tokens"]
    assert isinstance(tokens, str) and tokens.startswith("u32le:")
    assert library.get(article.id).analysis.tokens == article.analysis.tokens


def test_a_damaged_token_field_is_a_store_error_naming_the_file(data_dir: Path) -> None:
    library = Library(data_dir)
    article = make_article()
    library.add(article)
    path = data_dir / "articles" / f"{article.id}.json"
    data = json.loads(path.read_text())
    data["tables"]["article"]["1"]["analysis"]["tokens"] = "u32le:@@not base64@@"
    path.write_text(json.dumps(data))
    with pytest.raises(StoreError, match=str(path)):
        library.get(article.id)


def test_saving_analyses_writes_each_article_once_and_no_annotation_file(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reanalysing a library writes each article file once and leaves annotations alone."""
    library = Library(data_dir)
    articles = [make_article([f"Emomali Rahmon spoke in Dushanbe, part {i}."]) for i in range(5)]
    library.add_many(articles)
    library.add_annotation(articles[0].id, 0, 7, "PERSON")
    for article in articles:
        article.analysis = Analysis("other", "2", entities=[], numbers=[], tokens=article.analysis.tokens)
    writes: list[Path] = []
    real_write = store_module.write_json_file
    monkeypatch.setattr(store_module, "write_json_file", lambda p, k, t, **kw: (writes.append(p), real_write(p, k, t, **kw)))
    library.save_analyses(articles)
    assert sorted(writes) == sorted(data_dir / "articles" / f"{a.id}.json" for a in articles)
    assert {s.model for s in library.summaries()} == {"other"}
    assert all(s.entities == 0 for s in library.summaries())
    assert [a.label for a in library.annotations(articles[0].id)] == ["PERSON"]
