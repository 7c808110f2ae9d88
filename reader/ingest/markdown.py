"""Markdown articles: front matter and the first `# ` heading for metadata, structure kept.

Parsed with markdown-it-py (CommonMark, with GFM tables, strikethrough and footnotes, and
front matter through mdit-py-plugins), the parser Textual itself uses: entities are decoded,
escapes honoured (`\\|` stays a pipe inside a table cell), and every block keeps its kind, so
headings, list items, quotes and table rows are shown as such. The text kept is the words a
reader sees: links become their text, images and inline HTML tags go.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from reader.article import Draft
from reader.ingest.dates import parse_date
from reader.ingest.furniture import read_header
from reader.text import clean, clean_line, tidy_paragraph

_TOML_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.S)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_TITLE_KEYS = ("title", "headline")
_BYLINE_KEYS = ("author", "authors", "byline", "by")
_DATE_KEYS = ("date", "published", "pubdate", "publishdate", "published_at", "created")
_URL_KEYS = ("url", "canonical_url", "canonical", "link", "source_url", "original_url")
_SITE_KEYS = ("site", "site_name", "publication", "publisher")


_parser: Any = None


def _markdown() -> Any:
    """The markdown-it parser, made once: CommonMark with tables, strikethrough, footnotes and
    front matter."""
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.footnote import footnote_plugin
        from mdit_py_plugins.front_matter import front_matter_plugin

        _parser = (
            MarkdownIt("commonmark")
            .enable(["table", "strikethrough"])
            .use(front_matter_plugin)
            .use(footnote_plugin)
        )
    return _parser


def _yaml_fields(text: str) -> dict[str, str]:
    """The simple `key: value` pairs of YAML front matter, lists joined with commas."""
    fields: dict[str, str] = {}
    key = None
    for line in text.split("\n"):
        item = re.match(r"^\s+-\s+(.*)$", line)
        if item and key:  # a YAML list under the previous key, e.g. authors
            value = item.group(1).strip().strip("\"'")
            fields[key] = f"{fields[key]}, {value}" if fields.get(key) else value
            continue
        pair = _FRONT_KEY.match(line)
        if not pair:
            continue
        key = pair.group(1).lower()
        value = pair.group(2).strip()
        if value.startswith("[") and value.endswith("]"):
            value = ", ".join(v.strip().strip("\"'") for v in value[1:-1].split(",") if v.strip())
        fields[key] = value.strip("\"'")
    return fields


def _toml_fields(text: str) -> dict[str, str]:
    """The top-level values of TOML front matter (Hugo's `+++`), lists joined with commas."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    fields: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if isinstance(v, str | int | float))
        if isinstance(value, str | int | float) or hasattr(value, "isoformat"):
            fields[key.lower()] = str(value)
    return fields


def _inline_text(token: Any) -> str:
    """The words of an inline token: text, code and link text kept, images and tags dropped."""
    parts: list[str] = []
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def markdown_blocks(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Front matter fields and the blocks of a Markdown document as `(kind, plain text)`.

    Kinds are "heading1" (a top heading), "heading", "item", "quote", "row" and "text".
    """
    fields: dict[str, str] = {}
    toml = _TOML_FRONT_MATTER.match(text)
    if toml:
        fields = _toml_fields(toml.group(1))
        text = text[toml.end() :]
    blocks: list[tuple[str, str]] = []
    quote_depth = 0
    item_depth = 0
    heading: str | None = None
    row: list[str] | None = None
    for token in _markdown().parse(text):
        kind = token.type
        if kind == "front_matter":
            fields = _yaml_fields(token.content)
        elif kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "list_item_open":
            item_depth += 1
        elif kind == "list_item_close":
            item_depth -= 1
        elif kind == "heading_open":
            heading = "heading1" if token.tag == "h1" else "heading"
        elif kind == "heading_close":
            heading = None
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            if row is not None and any(c.strip() for c in row):
                blocks.append(("row", " | ".join(" ".join(c.split()) for c in row if c.strip())))
            row = None
        elif kind in ("fence", "code_block"):
            blocks.append(("text", token.content))
        elif kind == "inline":
            words = _inline_text(token)
            if row is not None:
                row.append(words)
            elif heading:
                blocks.append((heading, words))
            elif item_depth:
                blocks.append(("item", words))
            elif quote_depth:
                blocks.append(("quote", words))
            else:
                blocks.append(("text", words))
    return fields, [(k, b) for k, b in blocks if b.strip()]


def _first(fields: dict[str, str], keys: tuple[str, ...]) -> str | None:
    """The first non-empty front-matter value among `keys`."""
    return next((fields[k] for k in keys if fields.get(k)), None)


def parse_markdown(text: str, source: str) -> Draft:
    """A draft from Markdown: front matter and the first `# ` heading give the metadata."""
    fields, blocks = markdown_blocks(clean(text))
    title = _first(fields, _TITLE_KEYS)
    body: list[tuple[str, str]] = []
    for index, (kind, block) in enumerate(blocks):
        if kind == "heading1" and all(k != "text" for k, _ in blocks[:index]):
            # The first top heading before any prose is the title, not part of the body
            # (nor is it when it repeats the front matter's title).
            if title is None:
                title = block
                continue
            if clean_line(block).casefold() == clean_line(title).casefold():
                continue
        body.append(("heading" if kind == "heading1" else kind, block))
    # Exported web pages keep their "By ..." line and page furniture; read them like a dump.
    header = read_header([b for _, b in body], title=clean_line(title) if title else None)
    if header.title is None:
        header.title = next((b for k, b in blocks if k == "heading1"), None)
    byline = _first(fields, _BYLINE_KEYS) or header.byline
    date_text = _first(fields, _DATE_KEYS)
    url = _first(fields, _URL_KEYS)
    site = _first(fields, _SITE_KEYS)
    return Draft(
        paragraphs=[tidy_paragraph(p) for p in header.body],
        kinds=[body[i][0] for i in header.kept],
        source=source,
        title=clean_line(header.title) or None if header.title else None,
        byline=clean_line(re.sub(r"^by\s+", "", byline, flags=re.I)) or None if byline else None,
        date=(parse_date(date_text) if date_text else None) or header.date,
        site=clean_line(site) or None if site else None,
        url=clean_line(url) or None if url and re.match(r"https?://", url) else None,
    )
