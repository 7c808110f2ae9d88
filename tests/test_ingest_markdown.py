"""Markdown ingestion: metadata from front matter and headings, syntax stripped, paragraphs kept."""

from __future__ import annotations

from pathlib import Path

from reader.ingest import ingest_inputs
from reader.ingest.markdown import parse_markdown
from reader.text import is_safe

DOCUMENT = """---
title: "Front Matter Title"
authors:
  - Ann Lee
  - Bo Chen
date: 2023-07-01
url: https://example.org/a
---

# Front Matter Title

Intro with a [link](https://x.org) and **bold**, *em*, _under_, snake_case_name, `code *x*` and ![img](a.png) an image.

## Section Two

- item one
- item *two*
  continued
1. numbered

> quoted text
> more quote

```python
def f(x):
    return x * 2
```

| a | b |
|---|---|
| 1 | 2 |

Setext Heading
--------------

[ref]: https://example.org
Last para with [ref link][ref] and <https://auto.link>.
"""


def test_front_matter_gives_metadata() -> None:
    """title, authors (a YAML list), date and url come from the front matter."""
    draft = parse_markdown(DOCUMENT, "s")
    assert draft.title == "Front Matter Title"
    assert draft.byline == "Ann Lee, Bo Chen"
    assert draft.date == "2023-07-01"
    assert draft.url == "https://example.org/a"


def test_syntax_is_stripped_and_blocks_are_paragraphs() -> None:
    """Links become text, images go, emphasis markers go, each block is its own paragraph."""
    draft = parse_markdown(DOCUMENT, "s")
    assert draft.paragraphs == [
        "Intro with a link and bold, em, under, snake_case_name, code *x* and an image.",
        "Section Two",
        "item one",
        "item two continued",
        "numbered",
        "quoted text more quote",
        "def f(x): return x * 2",
        "a | b",
        "1 | 2",
        "Setext Heading",
        "Last para with ref link and https://auto.link.",
    ]


def test_first_heading_is_the_title_without_front_matter() -> None:
    """Without front matter the first `# ` heading is the title and leaves the body."""
    draft = parse_markdown(
        "# The Real Title\n\nBy Sam Hill | May 5, 2021\n\nText of the body.\n\n# Later Heading\n\nMore.",
        "s",
    )
    assert draft.title == "The Real Title"
    assert draft.byline == "Sam Hill"
    assert draft.date == "2021-05-05"
    assert draft.paragraphs == ["Text of the body.", "Later Heading", "More."]


def test_heading_after_prose_is_not_the_title() -> None:
    """A `# ` heading below the opening prose stays in the body."""
    draft = parse_markdown(
        "Opening words of the piece come first here.\n\n# A Heading\n\nText.", "s"
    )
    assert "A Heading" in draft.paragraphs
    assert draft.paragraphs[0] == "Opening words of the piece come first here."


def test_markdown_file_ingests_and_is_clean(tmp_path: Path) -> None:
    """A .md file is read as Markdown and every string in it is safe to print."""
    path = tmp_path / "note.md"
    path.write_text(
        "# Title \x1b[31mRed\x1b[0m\n\nBody \u202etext\u202c with **bold**.\n", encoding="utf-8"
    )
    (result,) = list(ingest_inputs([str(path)]))
    draft = result.draft
    assert draft is not None
    assert draft.title == "Title Red"
    assert draft.paragraphs == ["Body text with bold."]
    assert all(is_safe(s) for s in [draft.title, *draft.paragraphs])
