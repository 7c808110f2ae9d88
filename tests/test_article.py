"""The article data classes: the fast constructor makes exactly what the class makes."""

from __future__ import annotations

import dataclasses

import pytest

from reader.article import Annotation, Span, article_meta, slot_constructor


@pytest.mark.parametrize(
    "cls, values",
    [
        (Span, (3, 9, "PERSON", "entity")),
        (Annotation, ("a1b2", 3, 9, "ORG", "model", "2024-03-27T09:00:00+00:00")),
    ],
)
def test_slot_constructor_makes_what_the_class_makes(cls: type, values: tuple) -> None:
    assert len(values) == len(dataclasses.fields(cls))  # every field, whatever is added later
    made, built = slot_constructor(cls)(*values), cls(*values)
    assert type(made) is cls
    assert made == built and hash(made) == hash(built)
    assert dataclasses.astuple(made) == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.start = 0


def test_slot_constructor_follows_a_new_field() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Mark:
        start: int
        end: int
        note: str

    assert slot_constructor(Mark)(1, 2, "x") == Mark(1, 2, "x")


def test_article_meta_keeps_its_keys_in_order_and_replaces_in_place() -> None:
    class Row:  # anything with the metadata fields, as a catalog row has them
        id, title, byline, date, source, site, url = "i", "T", "B", "D", "/a/b.txt", "S", "U"

    meta = article_meta(Row(), source="b.txt", status="done")
    assert list(meta) == ["id", "title", "byline", "date", "source", "site", "url", "status"]
    assert meta["source"] == "b.txt" and meta["status"] == "done"
