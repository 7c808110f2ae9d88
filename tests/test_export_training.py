"""Training data that is right: what a token outside every span means, by review status.

In a done article, a token outside every span is outside any entity; in an article not done,
nobody said what it is, so it is a missing value, which training leaves alone. These tests
read the exports with the tools that train on them: spaCy's `Corpus` (what `spacy train`
and `spacy debug data` read), spaCy's `Example` alignment (what NER learns from), and in
the slow ones `spacy debug data` and a short `spacy train` themselves.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.export import export_library, export_stream
from reader.store import Library
from tests.conftest import LOADS_SPACY
from tests.test_export import add_article, at, run, span_at

# A long article partly reviewed: two names tagged, the rest not looked at yet.
PARTLY = (
    "Russia and Iran met in Vienna on Monday. Obama was not there. "
    "Officials from Germany said the talks would go on."
)
DONE = "Angela Merkel spoke in Berlin. Nobody else spoke."
IGNORED = "Sports results: Arsenal 2, Chelsea 1."


@pytest.fixture
def library(data_dir: Path) -> Library:
    """Three articles: one done, one in progress, one ignored."""
    library = Library(data_dir)
    add_article(
        library,
        DONE,
        annotations=[at(DONE, "Angela Merkel", "PERSON"), at(DONE, "Berlin", "GPE")],
        status="done",
    )
    add_article(
        library,
        PARTLY,
        entities=[span_at(PARTLY, "Obama", "PERSON"), span_at(PARTLY, "Germany", "GPE")],
        annotations=[at(PARTLY, "Russia", "GPE"), at(PARTLY, "Vienna", "GPE")],
        status="in_progress",
    )
    add_article(library, IGNORED, annotations=[at(IGNORED, "Arsenal", "ORG")], status="ignored")
    return library


def docs(path: Path) -> dict[str, object]:
    """The Docs of a DocBin by the text they hold, read as spaCy's Corpus reads them."""
    import spacy
    from spacy.training import Corpus

    nlp = spacy.blank("en")
    return {eg.reference.text: eg for eg in Corpus(path)(nlp)}


@LOADS_SPACY
def test_docbin_has_missing_values_where_nothing_was_reviewed(
    library: Library, tmp_path: Path
) -> None:
    out = tmp_path / "train.spacy"
    report = export_library(library, "spacy", out, done_only=False)
    assert (report.articles, report.ignored, report.not_done) == (2, 1, 0)
    examples = docs(out)
    assert set(examples) == {DONE, PARTLY}
    done, partly = examples[DONE], examples[PARTLY]
    # What NER learns from: tags aligned to spaCy's own tokens; None is a missing value.
    tags = dict(zip([t.text for t in done.predicted], done.get_aligned_ner(), strict=True))
    assert tags == {
        "Angela": "B-PERSON", "Merkel": "L-PERSON", "spoke": "O", "in": "O", "Berlin": "U-GPE",
        ".": "O", "Nobody": "O", "else": "O",
    }  # fmt: skip
    tags = dict(zip([t.text for t in partly.predicted], partly.get_aligned_ner(), strict=True))
    assert tags["Russia"] == "U-GPE" and tags["Vienna"] == "U-GPE"
    unreviewed = [word for word, tag in tags.items() if tag is None]
    assert {"Iran", "Obama", "Germany", "Monday", "Officials"} <= set(unreviewed)
    assert "O" not in tags.values()  # nothing in it was said not to be an entity
    assert {t.ent_iob_ for t in partly.reference if t.ent_type_ == ""} == {""}
    assert partly.reference.user_data["reader_status"] == "in_progress"


@LOADS_SPACY
def test_spacy_and_conll_take_done_articles_by_default(library: Library, tmp_path: Path) -> None:
    report = export_library(library, "spacy", tmp_path / "train.spacy")
    assert (report.articles, report.not_done, report.ignored) == (1, 1, 1)
    assert set(docs(tmp_path / "train.spacy")) == {DONE}
    stream = io.StringIO()
    report = export_stream(library, "conll", stream)
    assert (report.articles, report.not_done, report.ignored) == (1, 1, 1)
    assert "Angela -X- _ B-PERSON" in stream.getvalue() and "Russia" not in stream.getvalue()
    # Predictions go to articles not done, so asking for them takes those too.
    report = export_library(library, "spacy", tmp_path / "p.spacy", include_predictions=True)
    assert (report.articles, report.not_done) == (2, 0)
    partly = docs(tmp_path / "p.spacy")[PARTLY]
    spans = {s.text: s.id_ for s in partly.reference.spans["reader"]}
    assert spans == {"Russia": "manual", "Vienna": "manual", "Obama": "prediction", "Germany": "prediction"}


def test_conll_marks_what_nobody_reviewed_as_missing(library: Library) -> None:
    stream = io.StringIO()
    export_stream(library, "conll", stream, done_only=False)
    blocks = stream.getvalue().split("-DOCSTART- -X- O O\n")
    [done] = [b for b in blocks if "Angela" in b]
    [partly] = [b for b in blocks if "Russia" in b]
    assert "Nobody -X- _ O" in done and " -X- _ -\n" not in done
    assert "Russia -X- _ B-GPE" in partly and "Iran -X- _ -" in partly and "Obama -X- _ -" in partly
    assert " -X- _ O\n" not in partly
    assert "Arsenal" not in stream.getvalue()


def test_jsonl_answers_by_status_and_comes_back_on_import(
    library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stream = io.StringIO()
    report = export_stream(library, "jsonl", stream)
    assert (report.articles, report.ignored) == (3, 0)
    tasks = {json.loads(line)["text"]: json.loads(line) for line in stream.getvalue().splitlines()}
    answers = {text: (t["answer"], t["meta"]["status"]) for text, t in tasks.items()}
    assert answers == {
        DONE: ("accept", "done"),
        PARTLY: ("ignore", "in_progress"),
        IGNORED: ("ignore", "ignored"),
    }
    # reader takes its own lines back, whatever their answer, with their status.
    path = tmp_path / "export.jsonl"
    path.write_text(stream.getvalue(), encoding="utf-8")
    target = tmp_path / "target"
    with pytest.MonkeyPatch.context() as patch:
        from tests.test_import import fake_analyse

        patch.setattr("reader.pipeline.choose_model", lambda requested: ("fake_model", None))
        patch.setattr("reader.nlp.analyse_texts", fake_analyse)
        status, _, err = run(capsys, "--data-dir", str(target), "import", str(path))
    assert status == 0, err
    copy = Library(target)
    statuses = {copy.get(i).text: copy.article_state(i).status for i in copy.ids()}
    assert statuses == {DONE: "done", PARTLY: "in_progress", IGNORED: "ignored"}
    # Prodigy's own answers other than accept are skipped, and a task rejected in Prodigy
    # after it came from reader too.
    foreign = tmp_path / "prodigy.jsonl"
    tasks[PARTLY]["answer"] = "reject"
    lines = [{"text": "Paris in May.", "answer": "ignore", "spans": []}, tasks[PARTLY]]
    foreign.write_text("".join(json.dumps(line) + "\n" for line in lines))
    status, _, err = run(capsys, "--data-dir", str(target), "import", str(foreign))
    assert status == 0 and "2 tasks not accepted, skipped" in err


def test_doccano_and_brat_keep_unfinished_articles_but_not_ignored_ones(
    library: Library, tmp_path: Path
) -> None:
    stream = io.StringIO()
    report = export_stream(library, "doccano", stream)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert sorted(line["meta"]["status"] for line in lines) == ["done", "in_progress"]
    assert report.ignored == 1
    report = export_library(library, "brat", tmp_path / "brat")
    assert report.articles == 2 and report.ignored == 1


def test_help_says_what_is_exported_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run(capsys, "export", "--help")
    text = " ".join(capsys.readouterr().out.split())
    assert "only articles marked done, reviewed to the end (the default for spacy, conll" in text
    assert "--numbers" in text and "--full-source" in text and "--offsets {chars,utf16}" in text


# -- the tools themselves ----------------------------------------------------------------------

# A pipeline as small as spaCy allows: a hash embedding of 32 wide feeding the NER alone;
# spaCy fills in the rest (`spacy init fill-config`).
TINY_CONFIG = """
[paths]
train = null
dev = null

[system]
seed = 0
gpu_allocator = null

[nlp]
lang = "en"
pipeline = ["ner"]
batch_size = 100

[components]

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 16
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.HashEmbedCNN.v2"
pretrained_vectors = null
width = 32
depth = 1
embed_size = 500
window_size = 1
maxout_pieces = 2
subword_features = false

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${paths.dev}

[training]
seed = ${system.seed}
max_epochs = 2
max_steps = 0
eval_frequency = 5
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
size = 500
tolerance = 0.2
discard_oversize = false

[training.optimizer]
@optimizers = "Adam.v1"

[initialize]
"""


def spacy_cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "spacy", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


NAMES = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Linus Torvalds", "Ken Thompson"]
CITIES = ["London", "Paris", "Berlin", "Madrid", "Vienna", "Oslo", "Rome"]


@pytest.mark.slow
def test_spacy_debug_data_and_a_short_train_run_on_the_export(
    library: Library, tmp_path: Path
) -> None:
    # As many articles as `spacy debug data` wants to see before it calls the data enough,
    # done, in progress and ignored.
    for n in range(140):
        name, city = NAMES[n % len(NAMES)], CITIES[n % len(CITIES)]
        text = f"On day {n}, {name} visited {city}. The visit to {city} was short."
        status = ["done", "in_progress", "done", "ignored"][n % 4]
        annotations = [at(text, name, "PERSON"), at(text, city, "GPE")]
        add_article(library, text, annotations=annotations[: 1 + n % 2], status=status)
    out = tmp_path / "train.spacy"
    export_library(library, "spacy", out, done_only=False, include_predictions=True)
    from spacy.cli.init_config import fill_config

    (tmp_path / "base.cfg").write_text(TINY_CONFIG, encoding="utf-8")
    fill_config(tmp_path / "config.cfg", tmp_path / "base.cfg", silent=True)
    paths = ["--paths.train", str(out), "--paths.dev", str(out)]
    debug = spacy_cli("debug", "data", "config.cfg", *paths, cwd=tmp_path)
    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert "Corpus is loadable" in debug.stdout
    assert "No entities consisting of or starting/ending with whitespace" in debug.stdout
    assert "✘" not in debug.stdout
    # Its count of missing values says 0 whatever the data (spaCy 3.8 counts the tag "-",
    # but its alignment gives a missing value as None, which the count skips): the missing
    # values are checked through that alignment itself, in the tests above.
    trained = spacy_cli("train", "config.cfg", "--output", str(tmp_path / "model"), *paths, cwd=tmp_path)
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    assert (tmp_path / "model" / "model-last" / "meta.json").is_file()
    meta = json.loads((tmp_path / "model" / "model-last" / "meta.json").read_text())
    assert set(meta["labels"]["ner"]) == {"GPE", "PERSON"}


def test_the_app_says_why_articles_were_left_out(library: Library, tmp_path: Path) -> None:
    from reader.screens.export import ExportRequest, export_summary

    out = tmp_path / "train.conll"
    report = export_library(library, "conll", out)
    message, severity = export_summary(report, ExportRequest("conll", out))
    assert "1 article not marked done left out (conll takes articles reviewed to the end)" in message
    assert "1 article marked ignored left out" in message
