"""The command line over the catalog: search, entities, check, list's views, mark; and the
refusals and pipes of the hostile-input issue, without spaCy (articles are made by hand)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.article import Analysis, Article, Draft, Span
from reader.cli import main
from reader.store import Library
from reader.text import word_spans
from tests.conftest import ROOT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def make(paragraphs: list[str], title: str, entities: list[tuple[str, str]] = (), **meta: str) -> Article:
    article = Article.from_draft(Draft(list(paragraphs), meta.pop("source", "story.txt"), title=title, **meta))
    spans = []
    for surface, label in entities:
        at = -1
        while (at := article.text.find(surface, at + 1)) >= 0:
            spans.append(Span(at, at + len(surface), label))
    article.analysis = Analysis("hand", "1", entities=spans, tokens=[i for s in word_spans(article.text) for i in s])
    return article


@pytest.fixture
def library(data_dir: Path) -> Library:
    library = Library(data_dir)
    one = make(["Emomali Rahmon met officials in Dushanbe.", "Terrorism was discussed."], "Tajik talks",
               [("Emomali Rahmon", "PERSON"), ("Dushanbe", "GPE")], byline="A. Writer", date="2024-03-26")
    two = make(["The Crocus City Hall attack near Moscow.", "Emomali Rahmon condemned it."], "Moscow attack",
               [("Emomali Rahmon", "PERSON"), ("Moscow", "GPE")], date="2024-03-23")
    one.ingested_at, two.ingested_at = "2024-03-26T10:00:00+00:00", "2024-03-27T10:00:00+00:00"
    library.add_many([one, two])
    return library


def ids(library: Library) -> dict[str, str]:
    return {s.title: s.id for s in library.summaries()}


def test_search_prints_ranked_hits_with_snippets(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    status, out, err = run(capsys, "search", "terror*")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith(ids(library)["Tajik talks"][:10]) and "Tajik talks" in lines[0]
    assert "Terrorism was discussed" in lines[1]
    assert "1 article matches" in err
    status, out, _ = run(capsys, "search", '"Crocus City Hall"', "--json")
    [hit] = json.loads(out)
    assert hit["title"] == "Moscow attack" and hit["offset"] == 4 and "Crocus City Hall" in hit["snippet"]


def test_search_narrows_by_entity_and_label_and_lists_mentions(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    status, out, _ = run(capsys, "search", "emomali", "--label", "gpe", "--entity", "Moscow")
    assert status == 0 and [line.split("  ")[-1] for line in out.splitlines()[::2]] == ["Moscow attack"]
    status, out, err = run(capsys, "search", "--entity", "emomali rahmon")
    assert status == 0 and len(out.splitlines()) == 2 and "2 articles mention" in err


def test_search_without_a_match_or_a_word(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    status, out, err = run(capsys, "search", "nothing-like-this")
    assert (status, out) == (1, "") and "0 articles match" in err
    status, out, err = run(capsys, "search", '"*"')
    assert status == 1 and err.count("\n") == 1 and "no word" in err
    status, _, err = run(capsys, "search")
    assert status == 1 and "--entity" in err


def test_entities_across_the_library(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    status, out, _ = run(capsys, "entities", "--json")
    counts = {(e["label"], e["text"]): (e["articles"], e["mentions"]) for e in json.loads(out)}
    assert counts == {("PERSON", "Emomali Rahmon"): (2, 2), ("GPE", "Dushanbe"): (1, 1), ("GPE", "Moscow"): (1, 1)}
    status, out, _ = run(capsys, "entities", "--label", "person")
    assert out.split() == ["2", "2", "PERSON", "Emomali", "Rahmon"]


def test_list_sorts_filters_and_marks(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    by_title = ids(library)
    status, out, _ = run(capsys, "list")
    assert [line.split()[0] for line in out.splitlines()] == [by_title["Moscow attack"][:10], by_title["Tajik talks"][:10]]
    status, out, _ = run(capsys, "list", "--sort", "date", "--reverse", "--json")
    assert [a["title"] for a in json.loads(out)] == ["Moscow attack", "Tajik talks"]
    run(capsys, "mark", "done", by_title["Tajik talks"][:6])
    run(capsys, "mark", "read", by_title["Moscow attack"][:6])
    status, out, _ = run(capsys, "list", "--status", "to_review", "--json")
    assert [a["title"] for a in json.loads(out)] == ["Moscow attack"]
    status, out, _ = run(capsys, "list", "--unread", "--json")
    assert [(a["title"], a["status"]) for a in json.loads(out)] == [("Tajik talks", "done")]
    start = library.get(by_title["Moscow attack"]).text.index("Moscow")
    run(capsys, "tag", by_title["Moscow attack"][:6], str(start), str(start + 6), "LOC")
    status, out, _ = run(capsys, "list", "--label", "loc", "--json")
    assert [a["title"] for a in json.loads(out)] == ["Moscow attack"]


def test_check_and_repair(capsys: pytest.CaptureFixture[str], library: Library, data_dir: Path) -> None:
    status, _, err = run(capsys, "check")
    assert status == 0 and "ok: 2 article(s)" in err
    victim = ids(library)["Tajik talks"]
    (data_dir / "articles" / f"{victim}.json").unlink()  # by hand, behind the store's back
    # an orphan annotation file too
    (data_dir / "annotations").mkdir(exist_ok=True)
    (data_dir / "annotations" / "00000000000000aa.json").write_text(
        '{"reader": {"schema": 1, "kind": "annotations"}, "tables": {}}'
    )
    status, out, err = run(capsys, "check")
    assert status == 1
    assert f"{victim}: in the catalog but its article file is gone" in out
    assert "annotations of an article not in the library" in out
    status, out, err = run(capsys, "check", "--repair")
    assert status == 0 and "repaired" in err
    status, out, _ = run(capsys, "check", "--json")
    assert json.loads(out)["ok"] is True and json.loads(out)["articles"] == 1


# -- refusals from the hostile-input issue --------------------------------------------------------


def test_empty_and_reversed_spans_are_named(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    article = ids(library)["Tajik talks"][:8]
    status, _, err = run(capsys, "tag", article, "5", "5", "ORG")
    assert status == 1 and "is empty" in err and err.count("\n") == 1
    status, _, err = run(capsys, "tag", article, "10", "5", "ORG")
    assert status == 1 and "is reversed" in err


def test_tagging_the_same_span_twice_stores_it_once(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    article = ids(library)["Tajik talks"]
    status, first, _ = run(capsys, "tag", article[:8], "0", "7", "PERSON")
    status, second, err = run(capsys, "tag", article[:8], "0", "7", "PERSON")
    assert status == 0 and first == second and "already tagged PERSON" in err
    assert len(library.annotations(article)) == 1


@pytest.mark.parametrize("prefix", ["", "  "])
def test_an_empty_annotation_id_deletes_nothing(capsys: pytest.CaptureFixture[str], library: Library, prefix: str) -> None:
    article = ids(library)["Tajik talks"]
    run(capsys, "tag", article[:8], "0", "7", "PERSON")
    status, _, err = run(capsys, "untag", article[:8], prefix)
    assert status == 1 and "cannot be empty" in err
    assert len(library.annotations(article)) == 1
    status, _, err = run(capsys, "show", prefix)
    assert status == 1 and "cannot be empty" in err


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_must_be_a_positive_number(capsys: pytest.CaptureFixture[str], data_dir: Path, jobs: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["ingest", "--jobs", jobs, "x.txt"])
    assert exit_.value.code == 2
    assert "--jobs" in capsys.readouterr().err
    assert not (data_dir / "articles").exists()


def test_the_global_model_option_reaches_the_subcommand(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    seen: list[object] = []

    def fake(library, inputs, *, model=None, **kwargs):  # type: ignore[no-untyped-def]
        from reader.pipeline import IngestReport

        seen.append(model)
        return IngestReport(model=model)

    monkeypatch.setattr("reader.pipeline.ingest_into", fake)
    main(["--model", "xx_global", "ingest", "f.txt"])
    main(["ingest", "--model", "xx_local", "f.txt"])
    assert seen == ["xx_global", "xx_local"]


def test_remove_while_reanalyze_runs_skips_the_removed(capsys: pytest.CaptureFixture[str], library: Library,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """reanalyze lists the ids, then each one is removed before it is read or saved."""
    from reader import pipeline

    def analyse(items, *args, **kwargs):  # type: ignore[no-untyped-def]
        for _text, _model, article in items:
            Library(library.root).remove(article.id)  # the other command, meanwhile
            yield Analysis("hand", "2", tokens=article.analysis.tokens), article

    class ByHand:
        default, warning = "hand", None

        def __init__(self, **kwargs: object) -> None:
            pass

        def for_language(self, language: str | None) -> str:
            return "hand"

    monkeypatch.setattr("reader.nlp.analyse_by_language", analyse)
    monkeypatch.setattr("reader.nlp.ModelChoice", ByHand)
    name, warning, count = pipeline.reanalyze(library, library.ids())
    assert count == 0
    assert library.ids() == [] and not list(library.root.glob("*/*.json"))


# -- pipes --------------------------------------------------------------------------------------


@pytest.fixture
def big(data_dir: Path) -> Library:
    """Enough output to fill a pipe: a long article with many annotations, and many articles."""
    library = Library(data_dir)
    words = [f"Word{n}" for n in range(20_000)]
    long = make([" ".join(words[i : i + 100]) for i in range(0, len(words), 100)], "Long")
    title = "A title long enough that a few hundred of them fill a pipe's buffer " * 4
    library.add_many([long, *(make([f"Article {n} text."], f"{title}{n}") for n in range(300))])
    spans = word_spans(long.text)[:3000]
    library.add_annotations(long.id, [(s, e, "ORG", "manual") for s, e in spans])
    return library


@pytest.mark.slow
@pytest.mark.parametrize("command", [["list"], ["show", "LONG"], ["annotations"], ["search", "article"]])
def test_a_reader_of_stdout_that_leaves_early_is_not_an_error(big: Library, data_dir: Path, command: list[str]) -> None:
    long = next(s.id for s in big.summaries() if s.title == "Long")
    argv = [sys.executable, "-m", "reader", *[long if c == "LONG" else c for c in command], "--data-dir", str(data_dir)]
    if command[0] == "search":
        argv += ["--limit", "1000"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()  # what `| head -1` reads
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(30) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


# -- what an adversarial pass found in the CLI ---------------------------------------------------


def test_repair_rebuilds_even_when_the_check_finds_nothing(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    with library.catalog.transaction() as tx:
        library.catalog.set_meta(tx, "built_at", "2000-01-01T00:00:00+00:00")
    status, _, err = run(capsys, "check", "--repair")
    assert status == 0 and "repaired: rebuilt the catalog from 2 article file(s)" in err
    assert library.catalog_facts()["built_at"] > "2026"


def test_check_json_reports_a_damaged_catalog(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    library = Library(data_dir)
    library.add_many([make([f"Paragraph {i} on Moscow."] * 20, f"T{i}", [("Moscow", "GPE")]) for i in range(150)])
    library.catalog.close()
    catalog = data_dir / "catalog.sqlite"
    damaged = bytearray(catalog.read_bytes())
    for at in range(len(damaged) // 3, len(damaged) // 3 + 16384, 7):
        damaged[at] = 0x5A  # pages in the middle: it opens, but its pages are garbage
    catalog.write_bytes(bytes(damaged))
    status, out, _ = run(capsys, "check", "--json")
    report = json.loads(out)
    assert status == 1 and report["ok"] is False
    assert any("the catalog is damaged" in line for line in report["problems"])


@pytest.mark.parametrize("label", ["", "  ", "\x1b[31m"])
def test_an_empty_label_option_is_refused(capsys: pytest.CaptureFixture[str], library: Library, label: str) -> None:
    for argv in (["list", "--label", label], ["entities", "--label", label], ["search", "x", "--label", label],
                 ["tag", ids(library)["Tajik talks"][:8], "0", "7", label]):
        with pytest.raises(SystemExit) as stop:
            run(capsys, *argv)
        err = capsys.readouterr().err
        assert stop.value.code == 2 and "is not a label name" in err and "\x1b" not in err


def test_a_label_option_is_cleaned_and_upper_cased(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    status, out, _ = run(capsys, "entities", "--label", " person\n")
    assert status == 0 and out.split() == ["2", "2", "PERSON", "Emomali", "Rahmon"]


def test_mentions_beyond_the_limit_are_counted(capsys: pytest.CaptureFixture[str], library: Library) -> None:
    status, out, err = run(capsys, "search", "--entity", "emomali rahmon", "--limit", "1")
    assert status == 0 and len(out.splitlines()) == 1
    assert "2 articles mention 'emomali rahmon' (showing 1; --limit N shows more)" in err


def test_an_annotation_outside_the_text_is_refused_not_shown(capsys: pytest.CaptureFixture[str], library: Library,
                                                             data_dir: Path) -> None:
    article = ids(library)["Tajik talks"]
    run(capsys, "tag", article[:8], "0", "7", "PERSON")
    path = data_dir / "annotations" / f"{article}.json"
    data = json.loads(path.read_text())
    [record] = data["tables"]["annotations"].values()
    record["start"], record["end"] = 5000, 5007  # by hand, past the end of the text
    path.write_text(json.dumps(data))
    exported = data_dir.parent / "out.jsonl"
    for argv in (["show", article[:8]], ["annotations", article[:8]], ["export", "-f", "jsonl", "-o", str(exported)]):
        status, out, err = run(capsys, *argv)
        assert status == 2 and out == "" and "outside the text" in err and err.count("\n") == 1
    assert not exported.exists()


def test_the_app_stopping_on_a_bug_makes_a_failing_exit(monkeypatch: pytest.MonkeyPatch, library: Library) -> None:
    import reader.app

    class StoppedOnABug:
        return_code = 1

        def run(self) -> None:
            pass

    monkeypatch.setattr(reader.app, "make_app", lambda *a, **k: StoppedOnABug())
    assert main([]) == 1
    StoppedOnABug.return_code = None  # a plain quit
    assert main([]) == 0


def test_a_catalog_rebuild_says_how_far_it_is(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                              library: Library, data_dir: Path) -> None:
    import reader.store

    monkeypatch.setattr(reader.store, "_REBUILD_BATCH", 1)  # as if the library were large
    library.catalog.close()
    (data_dir / "catalog.sqlite").unlink()
    status, out, err = run(capsys, "list")
    assert status == 0 and len(out.splitlines()) == 2
    assert err.splitlines() == [
        "[0/2] building the catalog from the article files",
        "[1/2] building the catalog from the article files",
        "[2/2] building the catalog from the article files",
    ]


@pytest.mark.parametrize("command", [["search", "Paris"], ["entities"]])
def test_a_limit_past_any_count_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, command: list[str]
) -> None:
    """SQLite counts in 64 bits: a limit of 23 digits was an OverflowError traceback."""
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--limit", "99999999999999999999999"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--limit: 999999999999999999999" in err and "is more than 1,000,000,000" in err
