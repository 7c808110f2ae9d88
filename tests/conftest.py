"""Every test gets its own data and config dirs; the user's real directories are never touched."""

from __future__ import annotations

import gc
import importlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.assertion.rewrite import AssertionRewritingHook


def _import_as_installed(name: str) -> None:
    """Import a package without pytest's assertion rewriting. pytest rewrites every package
    that ships a pytest plugin, as hypothesis does: about 2.5 s of compiling in every worker,
    for asserts that are hypothesis's own and never a test's."""
    hooks = [finder for finder in sys.meta_path if isinstance(finder, AssertionRewritingHook)]
    for hook in hooks:
        sys.meta_path.remove(hook)
    try:
        importlib.import_module(name)
    finally:
        sys.meta_path[:0] = hooks


_import_as_installed("hypothesis")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = next(SEEDS.glob("*.txt"))
CORPUS = ROOT.parent / "shared" / "corpus"

# Why a test is slow. Each is the `slow` mark with its reason: `make test-fast` (pytest -m
# "not slow") leaves them out, `make test` runs them too. A test that loads spaCy (even a
# blank pipeline: importing spaCy alone takes a second in each process) or starts processes
# costs seconds, where a unit test costs milliseconds. `spacy_stays_out` below keeps the
# fast tier honest about spaCy.
LOADS_MODEL = pytest.mark.slow(reason="loads a spaCy model")
LOADS_SPACY = pytest.mark.slow(reason="loads spaCy, to read an export as spaCy reads it")
SPAWNS_PROCESSES = pytest.mark.slow(reason="starts processes")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every directory reader or its libraries could write to at the test's tmp dir."""
    data = tmp_path / "data"
    monkeypatch.setenv("READER_DATA_DIR", str(data))
    monkeypatch.setenv("READER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    return data


@pytest.fixture(autouse=True)
def spacy_stays_out(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test of the fast tier may not load spaCy: one that needs it is marked slow, with
    LOADS_MODEL or LOADS_SPACY. Exact in a `make test-fast` run, where no slow test has
    loaded spaCy before."""
    loaded = "spacy" in sys.modules
    yield
    if not loaded and "spacy" in sys.modules and request.node.get_closest_marker("slow") is None:
        pytest.fail(f"{request.node.nodeid} loads spaCy but is not marked slow (LOADS_SPACY)", pytrace=False)


@pytest.fixture
def data_dir(isolated_dirs: Path) -> Path:
    """This test's data dir."""
    return isolated_dirs


@pytest.fixture(scope="session")
def english_model() -> str:
    """The bundled English pipeline, loaded once for the whole session: its name."""
    from reader import nlp

    nlp.load(nlp.BUNDLED_MODEL)
    return nlp.BUNDLED_MODEL


@pytest.fixture(scope="session")
def blank_english():
    """spaCy's blank English pipeline, no model: to read an export as spaCy would."""
    import spacy

    return spacy.blank("en")


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The seed article as shipped."""
    return SEED.read_text(encoding="utf-8")


def corpus_or_skip() -> Path:
    """The shared corpus folder, or skip the test when it is absent (as in a user's clone)."""
    if not (CORPUS / "index.json").is_file():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


def _parse_each_stylesheet_once() -> None:
    """Parse the same CSS once in a worker, not once in every app a test starts.

    Each app parses its stylesheet and every widget's default CSS afresh (about 25 ms, a
    quarter of an app's start), where a user's reader parses them once. What a parse gives
    depends on the CSS text, where it came from, its scope and the theme's variables, and on
    nothing else, so the rules are kept under all of these: an app with other label colours
    or another theme parses its own. Each app still checks and applies the rules itself."""
    from textual.css.stylesheet import Stylesheet

    parse_rules = Stylesheet._parse_rules
    parsed: dict[tuple[object, ...], object] = {}

    def parse_once(  # type: ignore[no-untyped-def]
        self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""
    ):
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(sorted(self._variables.items())))
        if key not in parsed:
            parsed[key] = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        return parsed[key]

    Stylesheet._parse_rules = parse_once  # type: ignore[method-assign]


_parse_each_stylesheet_once()

# A worker starts a hundred apps or more, and each leaves tens of thousands of objects in
# cycles behind it. At the collector's default pace (a young collection every 700 new
# objects) that was thousands of collections a worker, a full one every few tests, and an
# eighth of the fast tier's CPU. Collecting seven times less often changes when garbage is
# freed, not whether; the app freezes what its start made as it does for users.
gc.set_threshold(5000, 20, 20)

# Every store write is flushed to disk (reader/atomic.py), and the suite makes thousands of
# them: on a disk shared with other work each flush can wait tens of milliseconds. What the
# tests check is what is written and when it is renamed into place, not how fast a disk
# flushes, so their temporary files go to memory where the machine has a tmpfs (unless
# TMPDIR says otherwise). Set before any test asks for a temporary path, and inherited by
# the processes the tests start.
_MEMORY = Path("/dev/shm")
if "TMPDIR" not in os.environ and _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK | os.X_OK):
    os.environ["TMPDIR"] = str(_MEMORY)
    tempfile.tempdir = None  # read TMPDIR again


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers a core for `-n auto`. A Pilot test of the app spends about half its time
    asleep, waiting for the app to go idle after each key (Textual's pilot samples the
    process's CPU time every 20 ms), so a second worker per core fills that time. Capped so
    that a large machine does not start dozens of interpreters for a suite of this size."""
    return min(2 * (os.cpu_count() or 1), 8)
