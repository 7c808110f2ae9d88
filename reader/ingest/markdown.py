"""Markdown articles: front matter and the first `# ` heading for metadata, syntax stripped.

Written as a small line reader rather than through a Markdown library: the goal is readable
plain paragraphs, not HTML, and the constructs that matter (headings, lists, quotes, fences,
tables, links, emphasis) are few.
"""

from __future__ import annotations

import re

from reader.article import Draft
from reader.ingest.dates import parse_date
from reader.ingest.plaintext import read_header
from reader.text import clean, clean_line, tidy_paragraph

_FRONT_MATTER = re.compile(
    r"\A(?:---|\+\+\+)[ \t]*\n(.*?)\n(?:---|\+\+\+|\.\.\.)[ \t]*(?:\n|\Z)", re.S
)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]\s*(.*)$")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+.*$")
_TABLE_DIVIDER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")

_TITLE_KEYS = ("title", "headline")
_BYLINE_KEYS = ("author", "authors", "byline", "by")
_DATE_KEYS = ("date", "published", "pubdate", "publishdate", "published_at", "created")
_URL_KEYS = ("url", "canonical_url", "canonical", "link", "source_url", "original_url")
_SITE_KEYS = ("site", "site_name", "publication", "publisher")


def _inline(text: str) -> str:
    """Markdown inline syntax removed: images dropped, links to their text, emphasis unmarked."""
    text = re.sub(
        r"`+([^`]*)`+", lambda m: m.group(1).replace("*", "\x00s").replace("_", "\x00u"), text
    )
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]", "", text)
    text = re.sub(r"\[\^[^\]]+\]", "", text)  # footnote references
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<((?:https?|mailto):[^>\s]+)>", r"\1", text)
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)  # inline HTML tags
    text = re.sub(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    # Underscores inside words (snake_case) are not emphasis.
    text = re.sub(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)", r"\2", text)
    text = re.sub(r"~~(.+?)~~", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>~])", r"\1", text)
    return text.replace("\x00s", "*").replace("\x00u", "_")


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """The simple `key: value` pairs of YAML or TOML front matter, and the text after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields: dict[str, str] = {}
    key = None
    for line in match.group(1).split("\n"):
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
    return fields, text[match.end() :]


def _first(fields: dict[str, str], keys: tuple[str, ...]) -> str | None:
    """The first non-empty front-matter value among `keys`."""
    return next((fields[k] for k in keys if fields.get(k)), None)


def markdown_blocks(text: str) -> list[tuple[str, str]]:
    """The blocks of a Markdown body as `(kind, plain text)`: heading, paragraph, item, code."""
    blocks: list[tuple[str, str]] = []
    lines: list[str] = []
    kind = "paragraph"

    def flush() -> None:
        nonlocal lines, kind
        if lines:
            joined = " ".join(line.strip() for line in lines)
            if kind == "code":
                joined = "\n".join(lines)
            elif kind == "row":
                cells = [_inline(c).strip() for c in joined.strip().strip("|").split("|")]
                joined = " | ".join(c for c in cells if c)
            else:
                joined = _inline(joined)
            if joined.strip():
                blocks.append((kind, joined))
        lines, kind = [], "paragraph"

    fence = None
    for line in text.split("\n"):
        if fence:
            if re.match(
                r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", line
            ):
                flush()
                fence = None
            else:
                lines.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            flush()
            fence, kind = opening.group(1), "code"
            continue
        if not line.strip():
            flush()
            continue
        underline = _SETEXT_UNDERLINE.match(line)
        if underline and lines and kind == "paragraph":
            kind = "heading1" if underline.group(1)[0] == "=" else "heading"
            flush()
            continue
        divider = _TABLE_DIVIDER.match(line) and "|" in line
        if _RULE.match(line) or _REFERENCE.match(line) or divider:
            flush()
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            flush()
            kind = "heading1" if len(heading.group(1)) == 1 else "heading"
            lines = [heading.group(2) or ""]
            flush()
            continue
        line = _QUOTE.sub("", line)
        if _QUOTE.match(line):  # nested quotes
            line = _QUOTE.sub("", line)
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            kind = "item"
            lines = [line[item.end() :]]
            continue
        if line.lstrip().startswith("|") and line.rstrip().endswith("|"):
            flush()
            kind = "row"
            lines = [line]
            flush()
            continue
        lines.append(line)
    flush()
    return blocks


def parse_markdown(text: str, source: str) -> Draft:
    """A draft from Markdown: front matter and the first `# ` heading give the metadata."""
    fields, body = _front_matter(clean(text))
    blocks = markdown_blocks(body)
    title = _first(fields, _TITLE_KEYS)
    paragraphs = []
    for index, (kind, block) in enumerate(blocks):
        if kind == "heading1" and all(k != "paragraph" for k, _ in blocks[:index]):
            # The first top heading before any prose is the title, not part of the body
            # (nor is it when it repeats the front matter's title).
            if title is None:
                title = block
                continue
            if clean_line(block).casefold() == clean_line(title).casefold():
                continue
        paragraphs.append(block)
    # Exported web pages keep their "By ..." line and page furniture; read them like a dump.
    header = read_header(paragraphs, title=clean_line(title) if title else None)
    if header.title is None:
        header.title = next((b for k, b in blocks if k == "heading1"), None)
    byline = _first(fields, _BYLINE_KEYS) or header.byline
    date_text = _first(fields, _DATE_KEYS)
    url = _first(fields, _URL_KEYS)
    site = _first(fields, _SITE_KEYS)
    return Draft(
        paragraphs=[p for p in (tidy_paragraph(p) for p in header.body) if p],
        source=source,
        title=clean_line(header.title) or None if header.title else None,
        byline=clean_line(re.sub(r"^by\s+", "", byline, flags=re.I)) or None if byline else None,
        date=(parse_date(date_text) if date_text else None) or header.date,
        site=clean_line(site) or None if site else None,
        url=clean_line(url) or None if url and re.match(r"https?://", url) else None,
    )
