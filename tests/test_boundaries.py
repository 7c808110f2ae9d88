"""The layers depend one way (docs/architecture.md): the core knows nothing of the terminal
nor the command line, the UI nothing of the command line; browsing never pays for loading
spaCy; and every package the code imports is declared."""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import ROOT, SPAWNS_PROCESSES

READER = ROOT / "reader"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


UI_PACKAGES = ("reader.app", "reader.screens", "reader.widgets", "reader.textual_private")
CLI_PACKAGES = ("reader.cli", "reader.__main__")
# Where spaCy may be imported, and only inside the functions that need it.
SPACY_MODULES = ("reader.nlp", "reader.export.spacy_docbin")


def _layer(module: str) -> str:
    if any(module == p or module.startswith(p + ".") for p in UI_PACKAGES):
        return "ui"
    if any(module == p or module.startswith(p + ".") for p in CLI_PACKAGES):
        return "cli"
    return "core"


MODULES = {_module_name(p): p for p in sorted(READER.rglob("*.py"))}
CORE = sorted(m for m in MODULES if _layer(m) == "core")


class Imported(NamedTuple):
    module: str  # what is imported, in full ("reader.store", "textual.app")
    line: int
    top_level: bool  # run on import (not inside a function, nor only for type checkers)


@functools.cache
def _imports(module: str) -> list[Imported]:
    """Every import in a module of reader/, lazy ones too, relative ones made absolute."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Imported] = []

    def visit(node: ast.AST, top_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = top_level and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = False
            if isinstance(child, ast.Import):
                found.extend(Imported(a.name, child.lineno, top_level) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(anchor + ([child.module] if child.module else []))
                found.append(Imported(base, child.lineno, top_level))
                # `from reader.cli import library` imports the module reader.cli.library
                found.extend(
                    Imported(f"{base}.{a.name}", child.lineno, top_level)
                    for a in child.names
                    if f"{base}.{a.name}" in MODULES
                )
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), True)
    return found


def _offences(rule) -> list[str]:
    return [
        f"{MODULES[m].relative_to(ROOT)}:{i.line} imports {i.module}"
        for m in MODULES
        for i in _imports(m)
        if rule(m, i)
    ]


def _is(imported: str, *packages: str) -> bool:
    return any(imported == p or imported.startswith(p + ".") for p in packages)


def test_the_core_imports_neither_the_ui_nor_the_cli() -> None:
    assert not _offences(
        lambda m, i: _layer(m) == "core" and _is(i.module, *UI_PACKAGES, *CLI_PACKAGES)
    )


def test_the_ui_never_imports_the_cli() -> None:
    assert not _offences(lambda m, i: _layer(m) == "ui" and _is(i.module, *CLI_PACKAGES))


def test_only_the_ui_imports_textual() -> None:
    assert not _offences(lambda m, i: _layer(m) != "ui" and _is(i.module, "textual"))


def test_spacy_only_in_nlp_and_the_docbin_export_and_only_when_used() -> None:
    assert not _offences(
        lambda m, i: _is(i.module, "spacy", "thinc") and (m not in SPACY_MODULES or i.top_level)
    )


def test_the_rules_see_what_they_must() -> None:
    """The import reader finds the imports the rules are about, so they can fail."""
    assert any(i.module == "textual.app" and i.top_level for i in _imports("reader.textual_private"))
    assert any(i.module == "spacy" and not i.top_level for i in _imports("reader.nlp"))
    assert any(i.module == "reader.cli.exchange" for i in _imports("reader.cli.parser"))
    assert any(i.module == "reader.app" for i in _imports("reader.cli.library"))
    assert {"core", "ui", "cli"} == {_layer(m) for m in MODULES}


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


@SPAWNS_PROCESSES
def test_core_and_cli_load_neither_textual_nor_spacy() -> None:
    """Every core module and the CLI, imported together in a fresh interpreter."""
    loaded = _modules_after("\n".join(f"import {m}" for m in [*CORE, "reader.cli"]))
    assert set(CORE) <= loaded
    assert "textual" not in loaded
    assert "spacy" not in loaded


@SPAWNS_PROCESSES
def test_app_does_not_import_spacy() -> None:
    """Every module of the UI, imported together in a fresh interpreter."""
    ui = [m for m in MODULES if _layer(m) == "ui"]
    loaded = _modules_after("\n".join(f"import {m}" for m in ui))
    assert "textual" in loaded and set(ui) <= loaded
    assert "spacy" not in loaded


@SPAWNS_PROCESSES
def test_reader_list_does_not_import_spacy(data_dir: Path) -> None:
    code = (
        "import sys; from reader.cli import main\n"
        f"rc = main(['list', '--data-dir', {str(data_dir)!r}]); assert rc == 0"
    )
    assert "spacy" not in _modules_after(code)


@SPAWNS_PROCESSES
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


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from reader.cli import main

    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    listed = [
        line.split()[0]
        for line in capsys.readouterr().out.split("\ncommands:", 1)[1].splitlines()
        if line.startswith("    ") and not line.startswith("     ")
    ]
    assert listed == COMMANDS


def test_a_command_that_cannot_be_imported_is_an_error_not_a_missing_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fault anywhere in a command's imports stops the CLI with that fault, named."""
    import reader.cli  # noqa: F401  (so that every module below is put back afterwards)

    for name in [m for m in sys.modules if m == "reader.cli" or m.startswith("reader.cli.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "reader.export", None)  # as if it failed to import
    with pytest.raises(ModuleNotFoundError, match="import of reader.export halted"):
        importlib.import_module("reader.cli")


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
