"""kill -9 at random moments of every kind of write, and removals racing other writers.

After each kill the library must agree with itself: the next open repairs what the kill
left, `check` then finds nothing, `list`, `show`, `search` and `export --all` name the same
articles, no annotation is left for a removed article, and every acknowledged change is
there. The writers run as child processes with a hand-made analysis (no spaCy), so the
kills land in the store's writes, not in a model's start-up.
"""

from __future__ import annotations

import io
import json
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reader.article import Analysis, Article, Draft, Span
from reader.cli import main
from reader.export import export_stream
from reader.store import Library
from reader.text import word_spans
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

WORD = "Dushanbe"  # in every article: a search for it finds them all

# Every child starts with this: the model is replaced by a hand-made analysis.
_PRELUDE = f"""
import re, sys
from pathlib import Path
import reader.nlp as nlp, reader.pipeline as pipeline
from reader.article import Analysis, Span
from reader.store import Library
from reader.text import article_id, word_spans

def hand(text):
    spans = [Span(m.start(), m.end(), "GPE") for m in re.finditer("{WORD}", text)]
    return Analysis("hand", "1", entities=spans, tokens=[i for s in word_spans(text) for i in s])

def analyse_texts(texts, model, *, as_tuples=False, **kwargs):
    for item in texts:
        yield (hand(item[0]), item[1]) if as_tuples else hand(item)

def analyse_by_language(items, **kwargs):
    for text, model, context in items:
        yield hand(text), context

class Choice:
    default, warning = "hand", None
    def __init__(self, **kwargs):
        pass
    def for_language(self, language):
        return "hand"

nlp.analyse_texts, nlp.analyse_by_language, nlp.ModelChoice = analyse_texts, analyse_by_language, Choice
pipeline.choose_model = lambda requested: ("hand", None)
root = Path(sys.argv[1])
library = Library(root)
WORD = "{WORD}"
"""

# Each writer prints what was acknowledged, only after the call returned.
WRITERS = {
    "ingest": """
folder = Path(sys.argv[2])
n = 0
while True:
    n += 1
    batch = folder / f"batch{n}"
    batch.mkdir()
    for i in range(8):
        (batch / f"a{i}.txt").write_text(f"Story {sys.argv[3]}-{n}-{i} from {WORD}.\\n\\nIt goes on about {WORD} for a while.")
    report = pipeline.ingest_into(library, [str(batch)], model="hand", models={})
    for article_id in report.added:
        print("added", article_id, flush=True)
""",
    "import": """
from reader.importing import import_files
folder = Path(sys.argv[2])
n = 0
while True:
    n += 1
    path = folder / f"import{n}.jsonl"
    lines = []
    for i in range(8):
        text = f"Imported {sys.argv[3]}-{n}-{i} names {WORD} twice: {WORD}."
        start = text.index(WORD)
        lines.append(json.dumps({"text": text, "answer": "accept",
                                 "spans": [{"start": start, "end": start + len(WORD), "label": "GPE"}]}))
    path.write_text("\\n".join(lines) + "\\n")
    report = import_files(library, [path])
    assert report.ok, report
    for line in lines:
        print("added", article_id(json.loads(line)["text"]), flush=True)
""",
    "reanalyze": """
ids = library.ids()
while True:
    pipeline.reanalyze(library, ids, model="hand", models={})
    print("reanalysed", len(ids), flush=True)
""",
    "remove": """
for article_id in sys.argv[4].split(","):
    library.remove(article_id)
    print("removed", article_id, flush=True)
""",
    "tag": """
ids = sys.argv[4].split(",")
i = 0
while True:
    i += 1
    article_id = ids[i % len(ids)]
    text = library.get(article_id).text
    start = text.index(WORD)
    label = ("GPE", "LOC", "ORG", "FAC")[i % 4]
    made = library.add_annotations(article_id, [(start, start + len(WORD), label, "manual")])
    if made:
        print("annotation", article_id, made[0].id, flush=True)
    if i % 3 == 0:
        library.set_position(article_id, i % 20)
    if i % 5 == 0:
        for a in library.annotations(article_id)[:1]:
            print("deleting", article_id, a.id, flush=True)  # from here it may be gone
            library.remove_annotation(article_id, a.id)
""",
}


def make(n: int) -> Article:
    article = Article.from_draft(Draft([f"Seed article {n} from {WORD}.", f"More on {WORD} here."], "seed.txt", title=f"Seed {n}"))
    spans = [Span(i, i + len(WORD), "GPE") for i in range(len(article.text)) if article.text.startswith(WORD, i)]
    article.analysis = Analysis("hand", "1", entities=spans, tokens=[i for s in word_spans(article.text) for i in s])
    return article


def agree(capsys: pytest.CaptureFixture[str], root: Path) -> set[str]:
    """Open the library (which repairs), then check every view agrees; returns the ids."""
    library = Library(root)
    ids = set(library.ids())  # the first open repairs what a kill left
    assert library.check().problems == []
    assert main(["list", "--json", "--data-dir", str(root)]) == 0
    listed = {a["id"] for a in json.loads(capsys.readouterr().out)}
    found = {f.summary.id for f in library.search(WORD, limit=100_000)}
    stream = io.StringIO()
    export_stream(library, "jsonl", stream, include_all=True)
    exported = {json.loads(line)["meta"]["id"] for line in stream.getvalue().splitlines()}
    assert ids == listed == found == exported == set(library.stored_ids())
    for article_id in ids:
        assert main(["show", article_id, "--json", "--data-dir", str(root)]) == 0
        capsys.readouterr()
    annotated = {p.stem for p in (root / "annotations").glob("*.json")}
    assert annotated <= ids, "an annotation file outlived its article"
    return ids


def _drain(stream, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        if line.endswith("\n"):  # a line cut by the kill was never acknowledged
            lines.append(line.split())


def kill_at_random(root: Path, work: Path, writer: str, rng: random.Random, round_: int, extra: str = "") -> list[list[str]]:
    """Run one writer until it has acknowledged something, kill -9 it at a random moment,
    and return the lines it acknowledged."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import json\n" + _PRELUDE + WRITERS[writer], str(root), str(work), str(round_), extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    lines: list[list[str]] = []
    reader = threading.Thread(target=_drain, args=(proc.stdout, lines), daemon=True)
    reader.start()
    started = time.monotonic()
    while not lines and proc.poll() is None and time.monotonic() - started < 20:
        time.sleep(0.002)
    time.sleep(rng.uniform(0, 0.15))
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    reader.join(10)
    finished = writer == "remove" and proc.returncode == 0  # it may run out of ids first
    if proc.returncode != -signal.SIGKILL and not finished:
        pytest.fail(f"the {writer} writer stopped before it was killed: {proc.stderr.read() if proc.stderr else ''}")
    return lines


@pytest.mark.parametrize("writer", ["ingest", "import", "reanalyze"])
def test_kill_9_while_adding_or_reanalysing(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, writer: str) -> None:
    library = Library(data_dir)
    library.add_many([make(n) for n in range(6)])
    library.add_annotation(library.ids()[0], 0, 4, "ORG")
    acknowledged: set[str] = set()
    rng = random.Random(writer)
    for round_ in range(6):
        work = tmp_path / f"work{round_}"
        work.mkdir()
        for line in kill_at_random(data_dir, work, writer, rng, round_):
            if line[0] == "added":
                acknowledged.add(line[1])
        ids = agree(capsys, data_dir)
        assert acknowledged <= ids
    if writer != "reanalyze":
        assert acknowledged, "no write was acknowledged before a kill"


def test_kill_9_while_removing(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    library = Library(data_dir)
    articles = [make(n) for n in range(60)]
    library.add_many(articles)
    for article in articles:
        library.add_annotation(article.id, 0, 4, "ORG")
    removed: set[str] = set()
    rng = random.Random(5)
    for round_ in range(6):
        left = sorted(Library(data_dir).ids())
        if not left:
            break
        for line in kill_at_random(data_dir, tmp_path, "remove", rng, round_, ",".join(left[:10])):
            removed.add(line[1])
        ids = agree(capsys, data_dir)
        assert not removed & ids
        for article_id in removed:
            assert not (data_dir / "annotations" / f"{article_id}.json").exists()


def test_kill_9_while_tagging(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    library = Library(data_dir)
    articles = [make(n) for n in range(3)]
    library.add_many(articles)
    kept: dict[str, set[str]] = {a.id: set() for a in articles}
    rng = random.Random(9)
    for round_ in range(8):
        for line in kill_at_random(data_dir, tmp_path, "tag", rng, round_, ",".join(a.id for a in articles)):
            if line[0] == "annotation":
                kept[line[1]].add(line[2])
            elif line[0] == "deleting":
                kept[line[1]].discard(line[2])
        agree(capsys, data_dir)
        fresh = Library(data_dir)
        for article_id, acknowledged in kept.items():
            stored = {a.id for a in fresh.annotations(article_id)}
            assert acknowledged <= stored, "an acknowledged annotation was lost"
            assert fresh.summary(article_id).annotations == len(stored)
            keys = [(a.start, a.end, a.label) for a in fresh.annotations(article_id)]
            assert len(keys) == len(set(keys)), "the same span and label stored twice"


def test_remove_racing_reanalyze(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    library = Library(data_dir)
    articles = [make(n) for n in range(80)]
    library.add_many(articles)
    for article in articles:
        library.add_annotation(article.id, 0, 4, "ORG")
    proc = subprocess.Popen(
        [sys.executable, "-c", "import json\n" + _PRELUDE + WRITERS["reanalyze"], str(data_dir), str(tmp_path), "0", ""],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # one whole pass done: the next one races the removals
        victims = [a.id for a in articles[::2]]
        for article_id in victims:
            library.remove(article_id)
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    err = proc.stderr.read() if proc.stderr else ""
    assert "Traceback" not in err, err
    ids = agree(capsys, data_dir)
    assert ids == {a.id for a in articles[1::2]}
    assert not any((data_dir / "articles" / f"{v}.json").exists() for v in victims)
