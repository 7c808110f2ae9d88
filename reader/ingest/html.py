"""HTML pages: trafilatura finds the article body; the page's own metadata fills the gaps.

trafilatura (imported only here, and only when a page is ingested: it takes a noticeable
moment to load) is good at the body and decent at metadata. Structured metadata that the page
states outright (JSON-LD, Open Graph, `article:published_time`) is preferred for the
headline and the date, because trafilatura reduces dates to a day and sometimes picks the
modification date; trafilatura's guesses fill whatever the page does not state.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from reader.article import Draft
from reader.ingest.credits import clean_byline, headline_from_title, is_newsroom
from reader.ingest.dates import find_date, parse_date
from reader.ingest.errors import IngestError
from reader.ingest.furniture import (
    footer_start,
    is_advert_marker,
    looks_like_names,
    split_byline,
    strip_leading_meta,
)
from reader.text import clean_line, tidy_paragraph

# JSON-LD types whose headline, author and date describe the article itself.
_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|Posting|NewsArticle|Review", re.I)
# <meta> names and properties that carry the publication date, most trusted first.
_DATE_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "datepublished", "article:published", "article.published", "publishdate", "publish-date",
    "publish_date", "pubdate", "parsely-pub-date", "sailthru.date", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "date",
    "article:publicationdate", "published_at", "published-date", "citation_publication_date",
)  # fmt: skip
_AUTHOR_META = (
    "author", "article:author", "og:article:author", "parsely-author", "sailthru.author",
    "byl", "dc.creator", "dcterms.creator", "citation_author", "twitter:creator",
)  # fmt: skip
_SITE_META = ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site")
# Author values that are a template's placeholder or a role, not a person or a newsroom.
_NOT_AUTHORS = frozenset(
    {"username", "user", "admin", "administrator", "staff", "editor", "author", "unknown",
     "anonymous", "guest", "webmaster", "none", "null", "undefined"}
)  # fmt: skip
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_DOCUMENT = re.compile(r"<(?:html|body|head)\b|<!doctype", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def is_web_url(text: str) -> bool:
    """True for an absolute http(s) URL."""
    return bool(re.match(r"https?://[^\s/]", text, re.I))


def _strings(value: Any) -> list[str]:
    """Names from a JSON-LD value: a string, an object with a name, or a list of either."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return _strings(name) if name else []
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _json_ld_objects(tree: Any) -> list[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, `@graph` members included."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            found.append(value)
            walk(value.get("@graph"))
            walk(value.get("mainEntity"))  # a WebPage whose main entity is the article

    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        # Some pages wrap their JSON-LD in CDATA markers, as XHTML once required.
        raw = _CDATA.sub("", script.text_content()).strip().rstrip(";")
        try:
            walk(json.loads(raw))
        except ValueError:
            continue  # invalid JSON-LD is common and says nothing
    return found


def _meta_values(tree: Any) -> dict[str, str]:
    """`<meta>` contents keyed by their lower-cased name, property or itemprop (first wins)."""
    values: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        content = meta.get("content", "").strip()
        for attribute in ("property", "name", "itemprop"):
            key = (meta.get(attribute) or "").strip().lower()
            if key and content and key not in values:
                values[key] = content
    return values


def page_metadata(tree: Any, base_url: str | None = None) -> dict[str, str | list[str] | None]:
    """The metadata a page states about itself: headline, authors, date, site and URL."""
    meta = _meta_values(tree)
    articles = [
        o for o in _json_ld_objects(tree) if any(_ARTICLE_TYPES.search(t) for t in _types(o))
    ]
    headline = next((h for o in articles for h in _strings(o.get("headline"))), None)
    authors = next((_strings(o.get("author")) for o in articles if _strings(o.get("author"))), [])
    published = next((d for o in articles for d in _strings(o.get("datePublished"))), None)
    publisher = next((p for o in articles for p in _strings(o.get("publisher"))), None)

    date = parse_date(published) if published else None
    for key in _DATE_META:
        if date:
            break
        if meta.get(key):
            date = parse_date(meta[key])
    if not date:
        for element in tree.xpath("//time[@pubdate][@datetime] | //*[@itemprop='datePublished']"):
            date = parse_date(element.get("datetime") or element.get("content") or "")
            if date:
                break
    meta_authors = [meta[k] for k in _AUTHOR_META if meta.get(k)][:1] or [
        v for k, v in meta.items() if k.endswith(("byline", ".author")) and v.strip()
    ][:1]

    canonical = tree.xpath('//link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
    url = canonical[0].strip() if canonical else meta.get("og:url")
    if url:
        url = urljoin(base_url or "", url)
    # The <head>'s title: pages also carry <title> elements inside inline SVG icons.
    title = tree.xpath("//head/title") or tree.xpath("//title")
    return {
        "headline": headline,
        "og_title": meta.get("og:title") or meta.get("twitter:title"),
        "title": title[0].text_content() if title else None,
        "article_authors": authors,
        "meta_authors": meta_authors,
        "publisher": publisher or meta.get("dc.publisher") or meta.get("publisher"),
        "date": date,
        "site": meta.get("og:site_name")
        or publisher
        or next(
            (meta[k] for k in _SITE_META[1:] if meta.get(k) and not meta[k].startswith("@")), None
        ),
        "url": url if url and is_web_url(url) else None,
    }


def _types(obj: dict[str, Any]) -> list[str]:
    """The `@type` of a JSON-LD object as a list of strings."""
    value = obj.get("@type")
    return [value] if isinstance(value, str) else [t for t in value or [] if isinstance(t, str)]


def _visible_bylines(tree: Any) -> list[str]:
    """The bylines printed on the page (elements marked as byline or author) that read as
    names, in page order."""
    found: list[str] = []
    for element in tree.xpath(
        '//*[@rel="author" or @itemprop="author" or contains(@class, "byline")'
        ' or contains(concat(" ", @class, " "), " author")][not(self::meta)][not(self::link)]'
    ):
        text = clean_line(element.text_content())
        text = re.sub(r"^(?:story\s+)?by\s+", "", text, flags=re.I)
        if text and looks_like_names(text) and text.casefold() not in _NOT_AUTHORS:
            found.append(text)
    return found[:10]


def _element_text(element: Any) -> str:
    """The text of one element of trafilatura's output tree, line breaks as spaces."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag in ("lb", "list", "table"):
                parts.append(" ")
            if child.tag not in ("list", "table"):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return "".join(parts)


def body_blocks(body: Any) -> list[tuple[str, str]]:
    """`(kind, text)` blocks from trafilatura's body tree: each block, list item and table row
    its own, with its kind (heading, item, quote, row or plain text)."""
    blocks: list[tuple[str, str]] = []
    # An explicit stack, not recursion: lists nest as deep as a page cares to.
    stack: list[tuple[Any, str]] = [(element, "text") for element in reversed(body)]
    while stack:
        element, inherited = stack.pop()
        tag = element.tag
        if tag == "list":
            for item in reversed(element.findall("item")):
                for nested in reversed(item.findall("list")):
                    stack.append((nested, inherited))
                stack.append((_Text(item), "item"))
        elif tag == "table":
            for row in element.iter("row"):
                cells = [" ".join(_element_text(c).split()) for c in row.findall("cell")]
                blocks.append(("row", " | ".join(c for c in cells if c)))
        elif tag == "quote" and len(element) and all(c.tag in ("p", "list", "head") for c in element):
            stack.extend((child, "quote") for child in reversed(element))
        elif isinstance(element, _Text):
            blocks.append((inherited, _element_text(element.element)))
        elif tag in _CONTAINERS and any(child.tag in _BLOCK_TAGS for child in element):
            # trafilatura's fallback extractors hand back HTML containers, not its own
            # blocks: read their blocks one by one, and loose text between them too.
            if element.text and element.text.strip():
                blocks.append((inherited, element.text))
            for child in reversed(element):
                if child.tail and child.tail.strip():
                    stack.append((_Loose(child.tail), inherited))
                stack.append((child, inherited))
        elif isinstance(element, _Loose):
            blocks.append((inherited, element.text))
        elif tag in ("head", "h1", "h2", "h3", "h4", "h5", "h6"):
            blocks.append(("heading", _element_text(element)))
        elif tag in ("ul", "ol"):
            for item in reversed(element.findall("li")):
                stack.append((_Text(item), "item"))
        elif tag == "blockquote":
            blocks.append(("quote", _element_text(element)))
        elif tag == "quote":
            blocks.append(("quote", _element_text(element)))
        elif tag != "graphic":
            blocks.append((inherited if inherited != "text" else "text", _element_text(element)))
    return [(k, p) for k, p in ((k, tidy_paragraph(p)) for k, p in blocks) if p]


_CONTAINERS = frozenset({"div", "section", "article", "main", "body", "span", "font", "center"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
     "blockquote", "table", "pre", "head", "list", "quote"}
)  # fmt: skip


class _Loose:
    """Text between two blocks of a container."""

    __slots__ = ("text",)
    tag = "loose"

    def __init__(self, text: str) -> None:
        self.text = text


class _Text:
    """A list item to be read as text (its nested lists are read on their own)."""

    __slots__ = ("element",)
    tag = "item"

    def __init__(self, element: Any) -> None:
        self.element = element


def body_paragraphs(body: Any) -> list[str]:
    """The paragraphs of trafilatura's body tree, without their kinds."""
    return [text for _, text in body_blocks(body)]


_BLOCK = (
    "self::p or self::h1 or self::h2 or self::h3 or self::h4 or self::li or self::blockquote"
    " or self::pre"
)
_OUTSIDE = "self::nav or self::header or self::footer or self::aside or self::form"
_KIND_OF_TAG = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "li": "item",
                "blockquote": "quote"}  # fmt: skip


def _plain_blocks(tree: Any) -> list[tuple[str, str]]:
    """Text blocks outside navigation, when trafilatura found none; [] unless there is prose.

    Only a page with at least one real paragraph (five words, or in a script without spaces
    twenty characters, in a <p>) counts, so that a page of links and buttons is still
    reported as having no article.
    """
    # Outermost blocks only, so that a <p> inside an <li> is not read twice.
    blocks = tree.xpath(
        f"//body//*[{_BLOCK}][not(ancestor::*[{_OUTSIDE}])][not(ancestor::*[{_BLOCK}])]"
    )
    has_prose = any(
        b.tag == "p" and (len(b.text_content().split()) >= 5 or len(b.text_content().strip()) >= 20)
        for b in blocks
    )
    if not has_prose:
        return []
    found = [(_KIND_OF_TAG.get(b.tag, "text"), tidy_paragraph(b.text_content())) for b in blocks]
    return [(k, p) for k, p in found if p]


# Pages nested deeper than this are flattened before parsing: lxml stops building the tree
# at 256 levels (and the text below is lost), and trafilatura walks trees recursively.
MAX_DEPTH = 200
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>")
_BOXES = frozenset({"div", "span", "section", "font", "center", "b", "i", "em", "strong", "main"})
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)


def flatten_deep_nesting(text: str) -> str:
    """The page with every start and end tag below MAX_DEPTH removed, text kept; pages less
    deep (all real ones) come back unchanged."""
    if text.count("<") < MAX_DEPTH * 2:
        return text
    depth = 0
    deepest = 0
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if name.lower() in _VOID or self_closing:
            continue
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
    if deepest <= MAX_DEPTH:
        return text
    # Below MAX_DEPTH, the boxes (div, span, section, ...) go and their content stays; the
    # tags that give text its shape (p, h1, li, article) are kept.
    out: list[str] = []
    depth = 0
    last = 0
    opened: list[tuple[str, bool]] = []
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        name = name.lower()
        out.append(text[last : match.start()])
        last = match.end()
        if name in _VOID or self_closing:
            out.append(match.group())
            continue
        if not closing:
            kept = depth < MAX_DEPTH or name not in _BOXES
            opened.append((name, kept))
            if kept:
                depth += 1
                out.append(match.group())
            continue
        if opened and opened[-1][0] == name:
            _name, kept = opened.pop()
            if kept:
                depth -= 1
                out.append(match.group())
        elif depth < MAX_DEPTH:
            out.append(match.group())
    out.append(text[last:])
    return "".join(out)


# Containers a page marks as its article's body or standfirst.
_ARTICLE_CONTAINER = (
    "ancestor::*[self::article or @itemprop='articleBody' or @itemprop='articlebody'"
    " or contains(@class, 'article') or contains(@class, 'story') or contains(@class, 'entry')"
    " or contains(@class, 'post') or contains(@id, 'article') or contains(@id, 'story')][1]"
)
_LEAD_WORDS = 8


def _with_lead(tree: Any, kept: list[tuple[str, str]], title: str | None) -> list[tuple[str, str]]:
    """`kept` with the lead paragraph the extractor dropped put back: prose in the same
    article container as the first kept paragraph, printed before it ("SAN FRANCISCO (AP) —
    ..."), never a caption or a teaser outside the article."""
    first = next((p for k, p in kept if k == "text"), None)
    if first is None:
        return kept
    probe = first[:40]
    anchor = next(
        (e for e in tree.iter("p") if probe and probe in " ".join(e.text_content().split())), None
    )
    if anchor is None:
        return kept
    containers = anchor.xpath(_ARTICLE_CONTAINER)
    if not containers:
        return kept
    have = {p for _, p in kept}

    def is_lead(text: str) -> bool:
        return (
            text not in have
            and len(text.split()) >= _LEAD_WORDS
            and text.rstrip("\"'”’)").endswith((".", "!", "?", "…", "。"))
        )

    lead: list[tuple[str, str]] = []
    for element in containers[0].iter("p"):
        if element is anchor:
            break
        text = tidy_paragraph(element.text_content())
        if is_lead(text) and not element.xpath(
            f"ancestor::*[{_OUTSIDE} or self::figure or self::figcaption]"
        ):
            lead.append(("text", text))
    # A lead printed as bare text just before the first paragraph, outside any <p>.
    for sibling in anchor.itersiblings(preceding=True):
        tail = tidy_paragraph(sibling.tail or "")
        if tail and is_lead(tail):
            lead.append(("text", tail))
            break
        if sibling.tag == "p" or len(lead) > 3:
            break
    return lead + kept


def _headings(tree: Any) -> list[str]:
    """The text of the page's top headings (its h1s, else its h2s)."""
    found = tree.xpath("//body//h1") or tree.xpath("//body//h2")
    return [clean_line(h.text_content()) for h in found[:8] if h.text_content().strip()]


# How many lines of text after the headline may still be the byline and dateline.
_HEADLINE_ZONE_LINES = 25


def headline_zone(tree: Any, title: str | None) -> list[str]:
    """The short lines printed between the page's headline and its first prose: where a
    byline and a dateline sit. Empty when the page has no heading to anchor on."""
    headings = tree.xpath("//body//h1") or tree.xpath("//body//h2")
    if not headings:
        return []
    anchor = headings[0]
    if title:
        wanted = " ".join(title.split()).casefold()
        texts = [" ".join(h.text_content().split()).casefold() for h in headings]
        exact = [h for h, t in zip(headings, texts, strict=True) if t == wanted]
        near = [
            h
            for h, t in zip(headings, texts, strict=True)
            if len(t) >= 8 and (t in wanted or wanted in t)
        ]
        if not exact and not near:
            return []  # the page's headings are its logo and sections, not the headline
        anchor = (exact or near)[0]
    lines: list[str] = []
    # A few short lines just above the headline too: some pages print the byline there.
    for text in anchor.xpath("preceding::text()[normalize-space()][position() <= 4]"):
        line = clean_line(str(text))
        if len(line) <= 160:
            lines.append(line)
    for text in anchor.xpath("following::text()[normalize-space()]"):
        parent = text.getparent()
        if parent is not None and parent.tag in ("script", "style", "noscript"):
            continue
        line = clean_line(str(text))
        if len(line) > 160 or len(lines) >= _HEADLINE_ZONE_LINES + 4:
            break  # prose: the article has begun
        lines.append(line)
    # Text split over inline elements ("By <a>Jane Doe</a>") is read joined too.
    return lines + [" ".join(lines[i : i + 3]) for i in range(len(lines))]


def _zone_byline(zone: list[str]) -> str | None:
    """A "By ..." line in the headline zone."""
    for line in zone:
        byline = split_byline(line)
        if byline and byline[0]:
            return byline[0]
    return None


# A dateline is a date with little else on its line: a label, a time, a place.
_DATELINE_SLACK = 30


def _zone_date(zone: list[str]) -> str | None:
    """A dateline in the headline zone: a full date written out (never a bare year), on a
    line of its own, not a date a sentence mentions."""
    for line in zone[:_HEADLINE_ZONE_LINES]:
        if _COPYRIGHT_LINE.search(line):
            continue
        found = find_date(line)
        if found and len(line) - (found.end - found.start) <= _DATELINE_SLACK:
            return found.iso
    return None


# Classes and ids of the boxes beside an article: their authors wrote other stories.
_ASIDE_MARKS = ("related", "sidebar", "dont_miss", "promo", "teaser", "recommend", "popular", "more-")


def _in_aside(tree: Any, name: str) -> bool:
    """True when the first person of a byline is printed only inside a box beside the article."""
    person = name.split(",")[0].strip()
    if not person or "'" in person or '"' in person:
        return False
    places = tree.xpath(f'//body//text()[contains(., "{person}")]')
    if not places:
        return False
    for place in places:
        element = place.getparent()
        marks = " ".join(
            f"{a.get('class', '')} {a.get('id', '')}".lower()
            for a in element.iterancestors()
        ) + f" {element.get('class', '')} {element.get('id', '')}".lower()
        if not any(mark in marks for mark in _ASIDE_MARKS):
            return False
    return True


_COPYRIGHT_LINE = re.compile(r"©|\(c\)|copyright", re.I)


def _named_in(name: str, zone: list[str]) -> bool:
    """True when every person of a byline is printed in the headline zone."""
    text = " ".join(zone).casefold()
    people = [p.strip() for p in name.split(",") if p.strip()]
    return bool(people) and all(p.casefold() in text for p in people)


def parse_html(text: str, source: str, url: str | None = None) -> Draft:
    """A draft from an HTML page: trafilatura's body, the page's metadata.

    Raises IngestError when the page holds no article text.
    """
    import trafilatura
    from trafilatura.utils import load_html

    # lxml refuses a str that still declares its encoding; the text is decoded already.
    text = _XML_DECLARATION.sub("", text, count=1)
    if not _DOCUMENT.search(text[:4096]):
        # A pasted fragment ("<p>...</p>"): trafilatura expects a whole document.
        text = f"<html><body>{text}</body></html>"
    text = flatten_deep_nesting(text)
    tree = load_html(text)
    if tree is None:
        raise IngestError("no article text found in HTML")
    stated = page_metadata(tree, url)
    headings = _headings(tree)
    printed_bylines = _visible_bylines(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        # Dates from the page's markup only: a text search finds copyright years and the
        # dates of sidebar links.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )

    def found(name: str) -> str | None:
        """A metadata field trafilatura found, or None."""
        value = getattr(document, name, None) if document is not None else None
        return value if isinstance(value, str) and value.strip() else None

    body = getattr(document, "body", None)
    blocks = body_blocks(body) if body is not None else []
    if not any(kind == "text" for kind, _ in blocks):
        # trafilatura gives up on some short or oddly built pages; plain blocks may still be
        # an article.
        fallback = load_html(text)
        blocks = _plain_blocks(fallback) if fallback is not None else []
    blocks = [(k, p) for k, p in blocks if not is_advert_marker(p)]
    # Extractors keep the odd "By ..." or date line above the text.
    lead = strip_leading_meta([p for _, p in blocks])
    kept = [blocks[i] for i in lead.kept]
    kept = kept[: footer_start([p for _, p in kept])]

    found_url = found("url")
    page_url = stated["url"] or (found_url if found_url and is_web_url(found_url) else None) or url
    host = urlsplit(str(page_url)).hostname if page_url else None
    # trafilatura's site name before og:site_name: some sites put a section there ("U.S.").
    site = found("sitename") or stated["site"]
    sites = [str(s) for s in (site, stated["site"], stated["publisher"], found("sitename")) if s]
    # A byline may be the newsroom's name ("BBC News"), never the publishing company's.
    byline_sites = [str(s) for s in (stated["publisher"],) if s]

    title = _title(stated, found("title"), headings, sites, host)
    zone = headline_zone(tree, title)
    byline = _choose_byline(
        tree, stated, found("author"), printed_bylines, zone, lead.byline, byline_sites, host
    )
    if title and stated["headline"] is None:
        # A title that still ends with the author's name ("... - Maggie Haberman").
        title = headline_from_title(title, headings=headings, sites=sites, host=host, byline=byline)
    found_date = found("date")
    date = (
        stated["date"]
        or (parse_date(found_date) if found_date else None)
        or _zone_date(zone)
        or lead.date
    )
    if not site and host:
        site = host.removeprefix("www.")
    kept = _with_lead(tree, kept, title)
    if title and kept and kept[0][1].casefold() == clean_line(str(title)).casefold():
        kept = kept[1:]  # the page's <h1>, already the title
    if not kept:
        raise IngestError("no article text found in HTML")
    return Draft(
        paragraphs=[p for _, p in kept],
        kinds=[k for k, _ in kept],
        source=source,
        title=clean_line(str(title)) or None if title else None,
        byline=byline,
        date=date,
        site=clean_line(str(site)) or None if site else None,
        url=clean_line(str(page_url)) or None if page_url else None,
    )


def _title(
    stated: dict[str, Any], extracted: str | None, headings: list[str], sites: list[str], host: str | None
) -> str | None:
    """The headline: the article's structured headline, else the best title the page gives,
    without the site's name."""
    headline = stated["headline"]
    # A JSON-LD headline cut short for search engines ("...") is worse than the page's own.
    if headline and str(headline).rstrip().endswith(("...", "…")):
        headline = None
        stated["headline"] = None
    title = headline
    if not title:
        raw = extracted or stated["og_title"] or stated["title"]
        if raw:
            title = headline_from_title(str(raw), headings=headings, sites=sites, host=host, byline=None)
    return title


def _choose_byline(
    tree: Any,
    stated: dict[str, Any],
    extracted: str | None,
    printed: list[str],
    zone: list[str],
    lead: str | None,
    sites: list[str],
    host: str | None,
) -> str | None:
    """The byline: the article's structured author, then author markup, then a byline line
    near the headline, then trafilatura's guess when the page prints that name by the
    headline; each cut to the people it names."""
    structured = clean_byline(", ".join(stated["article_authors"] or []) or None, host=None)
    if structured and not is_newsroom(structured):
        return structured
    meta = clean_byline(", ".join(stated["meta_authors"] or []) or None, sites=sites, host=host)
    if meta and not is_newsroom(meta):
        return meta
    for candidate in printed:
        cleaned = clean_byline(candidate, sites=sites, host=host)
        # Author markup counts where the article is: a sidebar story has its author too.
        if cleaned and (_named_in(cleaned, zone) if zone else not _in_aside(tree, cleaned)):
            return cleaned
    for candidate in (lead, _zone_byline(zone)):
        cleaned = clean_byline(candidate, sites=sites, host=host)
        if cleaned:
            return cleaned
    guess = clean_byline(extracted, sites=sites, host=host)
    if guess and (_named_in(guess, zone) if zone else not _in_aside(tree, guess)):
        return guess
    # A newsroom alone ("AP", "BBC News") when the page names no person; the publisher's
    # own name only then too.
    return structured or meta or clean_byline(", ".join(stated["meta_authors"] or []) or None)
