"""Bulk commands cost a fixed number of catalog transactions and folder syncs per batch.

A library of 20,000 articles made `reader import`, `reader mark` and `reader remove` pay a
catalog transaction (with its sync) and a folder sync for every article; the commands took
15 ms an article, most of it waiting for the disk. They are counted here, not timed: the
speed figures are in `bench/`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader import atomic, store
from reader.article import Analysis, Article, Draft
from reader.catalog import Catalog
from reader.cli import main
from reader.store import Library
from reader.text import word_spans

ARTICLES = 40


def make(n: int) -> Article:
    article = Article.from_draft(Draft([f"Article number {n} about Dushanbe and Moscow."], f"a{n}.txt", title=f"A {n}"))
    article.analysis = Analysis("hand", "1", tokens=[i for s in word_spans(article.text) for i in s])
    return article


class Counts:
    """How many catalog transactions and folder syncs ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.transactions = 0
        self.folder_syncs = 0
        real_transaction = Catalog.transaction
        real_sync = atomic.fsync_dir

        def transaction(catalog: Catalog):  # type: ignore[no-untyped-def]
            self.transactions += 1
            return real_transaction(catalog)

        def sync(path: Path) -> None:
            self.folder_syncs += 1
            real_sync(path)

        monkeypatch.setattr(Catalog, "transaction", transaction)
        monkeypatch.setattr(atomic, "fsync_dir", sync)
        monkeypatch.setattr(store, "fsync_dir", sync)

    def reset(self) -> None:
        self.transactions = self.folder_syncs = 0


@pytest.fixture
def library(data_dir: Path) -> tuple[Library, list[Article]]:
    library = Library(data_dir)
    articles = [make(n) for n in range(ARTICLES)]
    library.add_many(articles)
    library.count()
    return library, articles


def test_import_into_many_articles_is_a_few_transactions(
    library: tuple[Library, list[Article]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, articles = library
    lines = []
    for article in articles:
        start = article.text.index("Dushanbe")
        lines.append(json.dumps({"text": article.text, "spans": [{"start": start, "end": start + 8, "label": "GPE"}]}))
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n")
    counts = Counts(monkeypatch)
    assert main(["import", str(path)]) == 0
    # Two batches of at most 32 articles: a pending mark and an update each.
    assert counts.transactions <= 4
    assert counts.folder_syncs <= 2
    assert all([a.label for a in lib.annotations(article.id)] == ["GPE"] for article in articles)
    assert lib.summary(articles[0].id).annotations == 1


def test_marking_many_articles_is_one_batch(
    library: tuple[Library, list[Article]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, articles = library
    counts = Counts(monkeypatch)
    assert main(["mark", "read", *(a.id for a in articles)]) == 0
    assert counts.transactions == 2 and counts.folder_syncs == 1
    assert all(lib.summary(a.id).read for a in articles)
    counts.reset()
    assert main(["mark", "done", *(a.id for a in articles)]) == 0
    assert counts.transactions == 2
    assert lib.review_counts()["done"] == ARTICLES
    assert capsys.readouterr().err.count(": done") == ARTICLES


def test_removing_many_articles_is_one_batch(
    library: tuple[Library, list[Article]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, articles = library
    gone = articles[: ARTICLES // 2]
    counts = Counts(monkeypatch)
    assert main(["remove", *(a.id for a in gone)]) == 0
    # A pending mark, the text index, then the rows.
    assert counts.transactions == 3
    assert lib.count() == ARTICLES - len(gone)
    assert sorted(lib.stored_ids()) == sorted(a.id for a in articles[ARTICLES // 2 :])
    assert capsys.readouterr().err.count("removed ") == len(gone)
    assert lib.check().ok


def test_a_bulk_change_with_a_removed_article_changes_none(library: tuple[Library, list[Article]]) -> None:
    lib, articles = library
    lib.remove(articles[3].id)
    with pytest.raises(store.ArticleGone):
        lib.set_read_many([a.id for a in articles[:6]])
    assert not any(lib.summary(a.id).read for a in articles[:6] if a is not articles[3])
    assert lib.check().ok


def test_adding_and_reanalysing_a_batch_syncs_the_folder_once(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingest and reanalyze store a batch of article files; each file is synced, and the
    folder's renames once for the batch (a sync of the folder per file doubled the waits)."""
    lib = Library(data_dir)
    lib.count()
    articles = [make(n) for n in range(ARTICLES)]
    counts = Counts(monkeypatch)
    assert all(lib.add_many(articles))
    assert counts.folder_syncs == 1
    counts.reset()
    assert lib.save_analyses(articles) == []
    assert counts.folder_syncs == 1
    assert lib.count() == ARTICLES and lib.check().ok


def test_renaming_a_label_writes_each_article_once(
    library: tuple[Library, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renaming a label in the app changed the annotations one at a time: a write of the file
    and two catalog transactions for each annotation. Now one write per article, one batch."""
    lib, articles = library
    for article in articles:
        words = [w for w in word_spans(article.text)][:4]
        lib.add_annotations(article.id, [(s, e, "GPE", "manual") for s, e in words[:3]] + [(*words[0], "LOC", "manual")])
    writes: list[Path] = []
    real_write = store.write_json_file
    monkeypatch.setattr(store, "write_json_file", lambda p, k, t, **kw: (writes.append(p), real_write(p, k, t, **kw)))
    counts = Counts(monkeypatch)
    changed = lib.relabel_many([a.id for a in articles], "GPE", "LOC")
    assert changed == {a.id: 3 for a in articles}
    assert len(writes) == ARTICLES and counts.transactions == 2
    for article in articles:
        labels = sorted(a.label for a in lib.annotations(article.id))
        assert labels == ["LOC", "LOC", "LOC"]  # the span already LOC keeps one annotation
    assert lib.check().ok


def test_annotations_of_the_library_are_written_as_each_article_is_read(
    library: tuple[Library, list[Article]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`reader annotations` held every row of the library before printing one (a library of
    100,000 annotated articles: millions of rows in memory). Each article's rows are out
    before the next article is read, and the JSON is the array it always was."""
    lib, articles = library
    for article in articles[:3]:
        first, second = word_spans(article.text)[:2]
        lib.add_annotations(article.id, [(*first, "GPE", "manual"), (*second, "ORG", "manual")])
    for flags in ([], ["--json"]):
        seen_before_read: list[str] = []
        real_get = Library.get

        def get(self: Library, article_id: str, seen: list[str] = seen_before_read, real=real_get) -> Article:  # type: ignore[no-untyped-def]
            seen.append(capsys.readouterr().out)
            return real(self, article_id)

        monkeypatch.setattr(Library, "get", get)
        assert main(["annotations", *flags]) == 0
        rest = capsys.readouterr().out
        monkeypatch.setattr(Library, "get", real_get)
        assert len(seen_before_read) == 3
        assert seen_before_read[0] == "" and all(seen_before_read[1:])
        printed = "".join(seen_before_read) + rest
        if flags:
            rows = json.loads(printed)
            assert len(rows) == 6 and {r["label"] for r in rows} == {"GPE", "ORG"}
            assert printed == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
        else:
            assert len(printed.splitlines()) == 6
    lib.remove_many([a.id for a in articles[:3]])
    assert main(["annotations", "--json"]) == 0
    assert capsys.readouterr().out == "[]\n"
