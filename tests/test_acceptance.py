"""The issue's acceptance scenario, end to end: the real seed, the real model, the real keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.app import make_app
from reader.cli import main
from reader.store import Library
from tests.conftest import LOADS_MODEL, SEED


@LOADS_MODEL
async def test_tag_a_person_accept_a_facility_and_see_both_in_the_cli(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert main(["ingest", str(SEED)]) == 0
    [article_id] = Library(data_dir).ids()
    app = make_app(data_dir)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press("enter")  # open the seed from the library
        await pilot.pause()
        # Search for the name, select its two tokens, tag them with label 1 (PERSON).
        await pilot.press("slash", *"Emomali", "enter")
        await pilot.press("v", "right", "1")
        # Search for the hall and accept the model's entity there.
        await pilot.press("escape", "slash", *"Crocus", "enter")
        await pilot.press("a")
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("q")
    capsys.readouterr()
    assert main(["annotations", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    found = {(row["text"], row["label"], row["source"]) for row in rows}
    assert ("Emomali Rahmon", "PERSON", "manual") in found
    assert any(text == "Crocus City Hall" and source == "model" for text, _, source in found)
    assert len(rows) == 2 and {row["article"] for row in rows} == {article_id}
