"""The core knows nothing of the terminal, and browsing never pays for loading spaCy."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

CORE = [
    "reader.text",
    "reader.article",
    "reader.paths",
    "reader.config",
    "reader.store",
    "reader.pipeline",
    "reader.ingest",
    "reader.nlp",
    "reader.cli",
]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


@pytest.mark.parametrize("module", CORE)
def test_core_does_not_import_textual_or_spacy(module: str) -> None:
    loaded = _modules_after(f"import {module}")
    assert "textual" not in loaded
    assert "spacy" not in loaded


def test_app_does_not_import_spacy() -> None:
    loaded = _modules_after("import reader.app")
    assert "textual" in loaded
    assert "spacy" not in loaded


def test_reader_list_does_not_import_spacy(data_dir: Path) -> None:
    code = (
        "import sys; from reader.cli import main\n"
        f"rc = main(['list', '--data-dir', {str(data_dir)!r}]); assert rc == 0"
    )
    assert "spacy" not in _modules_after(code)


def test_wheel_carries_seeds_and_styles(tmp_path: Path) -> None:
    """Built without isolation (hatchling is a dev dependency), so no network is needed."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("reader-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    seeds = sorted(p.name for p in (ROOT / "seeds").iterdir())
    styles = sorted(p.name for p in (ROOT / "styles").glob("*.tcss"))
    assert seeds and styles
    for name in seeds:
        assert f"reader/_data/seeds/{name}" in names
    for name in styles:
        assert f"reader/_data/styles/{name}" in names
    assert "reader/cli/__init__.py" in names


# Every command `reader --help` must list, in its order.
COMMANDS = [
    "ingest", "list", "show", "tag", "untag", "annotations", "remove", "mark",
    "search", "entities", "check", "reanalyze", "export", "import",
]


def test_help_lists_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    listed = [
        line.split()[0]
        for line in result.stdout.split("\ncommands:", 1)[1].splitlines()
        if line.startswith("    ") and not line.startswith("     ")
    ]
    assert listed == COMMANDS


def test_a_command_that_cannot_be_imported_is_an_error_not_a_missing_command() -> None:
    """A fault anywhere in a command's imports stops the CLI with that fault, named."""
    code = (
        "import sys\n"
        "sys.modules['reader.export'] = None  # as if reader.export failed to import\n"
        "from reader.cli import main\n"
        "sys.exit(main(['--help']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "usage:" not in result.stdout
    assert "ModuleNotFoundError: import of reader.export halted" in result.stderr


def _requirement_names(requirements: list[str]) -> set[str]:
    return {_normal(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}  # type: ignore[union-attr]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported(folder: Path) -> set[str]:
    """Top-level modules imported anywhere under `folder` (lazy imports too), bar the standard
    library and the repo's own."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    local = {p.stem for p in ROOT.glob("*/*.py")} | {p.name for p in ROOT.iterdir() if p.is_dir()}
    return {m for m in found if m not in sys.stdlib_module_names and m not in local}


@pytest.mark.parametrize("folder", ["reader", "tests", "bench", "scripts"])
def test_every_package_imported_is_declared(folder: str) -> None:
    """What the code imports is declared in pyproject.toml: the app's in `dependencies`, the
    tests', benchmarks' and scripts' there or in the dev extra. An undeclared import works
    only while something else happens to install it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _requirement_names(project["dependencies"])
    if folder != "reader":
        declared |= _requirement_names(project["optional-dependencies"]["dev"])
    distributions = importlib.metadata.packages_distributions()
    undeclared = {
        module
        for module in _imported(ROOT / folder)
        if not {_normal(d) for d in distributions.get(module, [module])} & declared
    }
    assert not undeclared
