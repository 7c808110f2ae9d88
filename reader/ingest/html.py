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
from reader.ingest.credits import (
    NOT_AUTHORS,
    clean_byline,
    headline_from_title,
    is_newsroom,
    is_site_name,
)
from reader.ingest.dates import DateMatch, find_date, find_numeric_date, parse_date
from reader.ingest.errors import IngestError
from reader.ingest.furniture import (
    footer_start,
    is_advert_marker,
    looks_like_names,
    split_byline,
    strip_leading_meta,
)
from reader.text import (
    SENTENCE_CLOSERS,
    SENTENCE_TERMINALS,
    clean_line,
    count_words,
    ends_sentence,
    tidy_paragraph,
)

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


def _item_properties(item: Any) -> dict[str, list[Any]]:
    """The microdata properties of one `itemscope` element: its `itemprop` elements that no
    nested item claims, by property name."""
    found: dict[str, list[Any]] = {}
    for element in item.iterdescendants():
        if not isinstance(element.tag, str) or not element.get("itemprop"):
            continue
        owner = next((a for a in element.iterancestors() if a.get("itemscope") is not None), None)
        if owner is not item:
            continue
        for name in element.get("itemprop", "").split():
            found.setdefault(name, []).append(element)
    return found


def _item_value(element: Any) -> str:
    """What a microdata property states: a nested item's name, or the element's value."""
    if element.get("itemscope") is not None:
        names = _item_properties(element).get("name", [])
        return _item_value(names[0]) if names else ""
    for attribute in ("content", "datetime", "title"):
        if element.get(attribute):
            return element.get(attribute, "")
    return " ".join(element.text_content().split())


def _microdata_article(tree: Any) -> dict[str, list[str]]:
    """Headline, authors and dates of the page's microdata article (`itemtype` BlogPosting,
    NewsArticle, ...), as pages without JSON-LD mark them up."""
    found: dict[str, list[str]] = {}
    for item in tree.xpath("//*[@itemscope][@itemtype]"):
        if not _ARTICLE_TYPES.search(item.get("itemtype", "").rsplit("/", 1)[-1]):
            continue
        properties = _item_properties(item)
        for name in ("headline", "name", "author", "creator", "datePublished"):
            values = [_item_value(e) for e in properties.get(name, [])]
            found.setdefault(name, []).extend(v for v in values if v.strip())
        break  # the page's first article is the one the page is about
    return found


def page_metadata(tree: Any, base_url: str | None = None) -> dict[str, Any]:
    """The metadata a page states about itself: headline, authors, dates, site and URL.

    `dates` holds every publication date the page's markup states, most trusted first;
    `date` is the first of them.
    """
    meta = _meta_values(tree)
    articles = [
        o for o in _json_ld_objects(tree) if any(_ARTICLE_TYPES.search(t) for t in _types(o))
    ]
    micro = _microdata_article(tree)
    headline = next((h for o in articles for h in _strings(o.get("headline"))), None) or next(
        iter(micro.get("headline", []) + micro.get("name", [])), None
    )
    authors = next((_strings(o.get("author")) for o in articles if _strings(o.get("author"))), [])
    authors = authors or micro.get("author", []) or micro.get("creator", [])
    publisher = next((p for o in articles for p in _strings(o.get("publisher"))), None)

    stated_dates = [d for o in articles for d in _strings(o.get("datePublished"))]
    stated_dates += [meta[key] for key in _DATE_META if meta.get(key)]
    stated_dates += micro.get("datePublished", [])
    for element in tree.xpath("//time[@pubdate][@datetime] | //*[@itemprop='datePublished']"):
        stated_dates.append(element.get("datetime") or element.get("content") or element.get("title") or "")
    dates = [d for d in dict.fromkeys(parse_date(text) for text in stated_dates) if d]
    date = dates[0] if dates else None
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
        "dates": dates,
        "description": [
            meta[k] for k in ("og:description", "description", "twitter:description") if meta.get(k)
        ],
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


# How many printed bylines to read: sidebars of related stories print dozens before the
# article's own in some pages' markup.
_PRINTED_BYLINES = 40


def _visible_bylines(tree: Any) -> list[tuple[str, Any]]:
    """The bylines printed on the page (elements marked as byline or author) that read as
    names, in page order, each with its element."""
    found: list[tuple[str, Any]] = []
    for element in tree.xpath(
        '//*[@rel="author" or @itemprop="author" or contains(@class, "byline")'
        ' or contains(concat(" ", @class, " "), " author")][not(self::meta)][not(self::link)]'
    ):
        text = clean_line(element.text_content())
        text = re.sub(r"^(?:story\s+)?by\s+", "", text, flags=re.I)
        # "David Gura | Apr 19, 2013": the name, without the date printed beside it.
        dated = find_date(text)
        if dated and dated.start > 0:
            text = text[: dated.start]
        text = re.split(r"\s+[|•·]\s+|\s*\|", text)[0].strip(" ,;:-–—")
        if text and looks_like_names(text) and text.casefold() not in NOT_AUTHORS:
            found.append((text, element))
            if len(found) >= _PRINTED_BYLINES:
                break
    return found


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
    # The open tags as runs of [name, kept, how many]: a million nested divs are two runs,
    # so memory stays that of the page, however deep it goes.
    out: list[str] = []
    depth = 0
    last = 0
    opened: list[list[Any]] = []
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        name = name.lower()
        if match.start() > last:
            out.append(text[last : match.start()])
        last = match.end()
        if name in _VOID or self_closing:
            out.append(match.group())
            continue
        if not closing:
            kept = depth < MAX_DEPTH or name not in _BOXES
            if opened and opened[-1][0] == name and opened[-1][1] == kept:
                opened[-1][2] += 1
            else:
                opened.append([name, kept, 1])
            if kept:
                depth += 1
                out.append(match.group())
            continue
        if opened and opened[-1][0] == name:
            kept = opened[-1][1]
            opened[-1][2] -= 1
            if not opened[-1][2]:
                opened.pop()
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


# How many blocks an extractor may keep above the article's headline (kickers, teasers).
_ABOVE_HEADLINE = 3


def _after_headline(kept: list[tuple[str, str]], title: str | None) -> int:
    """Where the article starts in the extractor's blocks: after the page's headline when it
    kept it (it is the title already), for what it kept above the headline is a kicker or a
    teaser, not the article."""
    if not title:
        return 0
    heading = " ".join(clean_line(str(title)).translate(_QUOTES).split()).casefold()
    for i, (_, paragraph) in enumerate(kept[: _ABOVE_HEADLINE + 1]):
        if " ".join(paragraph.translate(_QUOTES).split()).casefold() == heading:
            return i + 1
    return 0


def _printed_below(tree: Any, above: list[tuple[str, str]], title: str | None) -> list[tuple[str, str]]:
    """The paragraphs an extractor put above the headline that the page prints below it (a
    live blog's latest post): article text moved, not a kicker."""
    if not above:
        return []
    headline = _headline_element(tree, title, None)
    if headline is None:
        return []
    order = {element: i for i, element in enumerate(tree.iter())}
    below = []
    for kind, paragraph in above[:-1]:  # the last is the headline itself
        element = _first_element(tree, [(kind, paragraph)]) if kind == "text" else None
        if element is not None and order.get(element, -1) > order.get(headline, len(order)):
            below.append((kind, paragraph))
    return below


def _first_element(tree: Any, kept: list[tuple[str, str]]) -> Any | None:
    """The <p> that prints the first kept paragraph of text, if the page has one."""
    first = next((p for k, p in kept if k == "text"), None)
    if not first:
        return None
    texts = [(e, " ".join(e.text_content().split())) for e in tree.iter("p")]
    # The paragraph itself, else one holding its opening words (the extractor may have
    # tidied the rest): several paragraphs can open alike.
    whole = first[:300]
    found = next((e for e, text in texts if text.startswith(whole)), None)
    probe = first[:40]
    return found if found is not None else next((e for e, text in texts if probe in text), None)


def _bare(text: str) -> str:
    """Text compared loosely: white space folded, closing punctuation and quotes dropped."""
    return " ".join(text.split()).rstrip(" " + SENTENCE_TERMINALS + SENTENCE_CLOSERS).casefold()


def _standfirst(tree: Any, descriptions: list[str], before: Any, order: dict[Any, int]) -> str | None:
    """The page's standfirst: text printed in the page's body before the article's first
    paragraph that the page's own description metadata repeats word for word."""
    for description in descriptions:
        wanted = _bare(description)
        if len(wanted.split()) < 6:
            continue
        probe = " ".join(description.split()[:4])
        for node in tree.xpath("//body//text()[contains(., $probe)]", probe=probe):
            element = node.getparent()
            while element is not None and len(_bare(element.text_content())) < len(wanted):
                element = element.getparent()
            if element is None or element.tag in ("script", "style", "noscript", "body"):
                continue
            if _bare(element.text_content()) != wanted or order.get(element, 0) > order[before]:
                continue
            if not element.xpath(f"ancestor-or-self::*[{_ASIDE}]"):
                return tidy_paragraph(element.text_content())
    return None


_ASIDE = "self::nav or self::footer or self::aside or self::form or self::figure or self::figcaption"
# A heading that reads as a sentence this long is the story's opening, set large.
_HEADED_LEAD_WORDS = 12


def _dropped_before(anchor: Any, have: set[str]) -> list[tuple[str, str]]:
    """Prose the extractor dropped just before `anchor`: paragraphs (or an opening set as a
    heading) in the same article container and printed before it, and text printed bare
    just before it; never a caption or a teaser outside the article."""

    def is_lead(text: str, words: int = _LEAD_WORDS) -> bool:
        return (
            text not in have
            and len(text.split()) >= words
            and ends_sentence(text)
        )

    lead: list[tuple[str, str]] = []
    containers = anchor.xpath(_ARTICLE_CONTAINER)
    if containers:
        for element in containers[0].iter("p", "h2", "h3"):
            if element is anchor:
                break
            text = tidy_paragraph(element.text_content())
            words = _LEAD_WORDS if element.tag == "p" else _HEADED_LEAD_WORDS
            if is_lead(text, words) and not element.xpath(f"ancestor::*[{_OUTSIDE} or {_ASIDE}]"):
                lead.append(("text", text))
    # A lead printed as bare text just before the paragraph, outside any <p>.
    for sibling in anchor.itersiblings(preceding=True):
        tail = tidy_paragraph(sibling.tail or "")
        if tail and is_lead(tail) and ("text", tail) not in lead:
            lead.append(("text", tail))
            break
        if sibling.tag == "p" or len(lead) > 3:
            break
    return lead


# The opening paragraphs after which dropped prose is looked for: a kept standfirst may sit
# outside the container of the body, whose own opening was dropped.
_OPENING_PARAGRAPHS = 2


def _with_lead(
    tree: Any, kept: list[tuple[str, str]], descriptions: list[str]
) -> list[tuple[str, str]]:
    """`kept` with the opening the extractor dropped put back: the standfirst the page's
    description repeats, and the prose just before each of the first kept paragraphs that
    sits in the same article container ("SAN FRANCISCO (AP) — ...")."""
    have = {p for _, p in kept}
    out = list(kept)
    first: Any | None = None
    for index in reversed(range(min(_OPENING_PARAGRAPHS, len(kept)))):
        if kept[index][0] != "text":
            continue
        anchor = _first_element(tree, kept[index:])
        if anchor is None:
            continue
        first = anchor if index == 0 else first
        lead = [item for item in _dropped_before(anchor, have) if item[1] not in have]
        have.update(p for _, p in lead)
        out[index:index] = lead
    if descriptions and first is not None:
        order = {element: i for i, element in enumerate(tree.iter())}
        standfirst = _standfirst(tree, descriptions, first, order)
        if standfirst and standfirst not in have:
            out.insert(0, ("text", standfirst))
    return out


def _headings(tree: Any) -> list[str]:
    """The text of the page's top headings (its h1s, else its h2s)."""
    found = tree.xpath("//body//h1") or tree.xpath("//body//h2")
    return [clean_line(h.text_content()) for h in found[:8] if h.text_content().strip()]


# How many lines of text after the headline may still be the byline and dateline.
_HEADLINE_ZONE_LINES = 25


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


def _headline_element(tree: Any, title: str | None, first: Any | None) -> Any | None:
    """The element that prints the article's headline: a heading reading as the title, else
    the last top heading before the article's first paragraph (a page may head its story
    with other words than its <title>), else None."""
    headings = tree.xpath("//body//*[self::h1 or self::h2 or self::h3]")
    if title:
        wanted = " ".join(title.translate(_QUOTES).split()).casefold()
        texts = [" ".join(h.text_content().translate(_QUOTES).split()).casefold() for h in headings]
        exact = [h for h, t in zip(headings, texts, strict=True) if t == wanted]
        # A heading holding the title, or most of it ("Kolumne" is no headline of "Kolumne:
        # Queer Royal – ...").
        near = [
            h
            for h, t in zip(headings, texts, strict=True)
            if len(t) >= max(8, len(wanted) // 2) and (t in wanted or wanted in t)
        ]
        if exact or near:
            return (exact or near)[0]
    if first is not None:
        before = first.xpath("preceding::*[self::h1 or self::h2][normalize-space()][1]")
        if before and not before[0].xpath(f"ancestor::*[{_OUTSIDE}]"):
            return before[0]
        return None
    top = tree.xpath("//body//h1") or tree.xpath("//body//h2")
    return top[0] if top and not title else None


# Text in these is a photo's caption or credit, never the byline or dateline.
_CAPTIONED = (
    "ancestor-or-self::*[self::figure or self::figcaption"
    " or contains(translate(@class, 'CAPTION', 'caption'), 'caption')"
    " or contains(translate(@id, 'CAPTION', 'caption'), 'caption')]"
)


def headline_zone(
    tree: Any,
    title: str | None,
    first: Any | None = None,
    *,
    above: bool = True,
    joined: bool = True,
) -> list[str]:
    """The short lines printed between the page's headline and its first prose: where a
    byline and a dateline sit. Empty when the page has no heading to anchor on.

    `first` is the element of the article's first paragraph, when known: the headline is
    then the heading before it if none reads as the title. `above=False` leaves out the
    lines just above the headline; `joined=False` leaves out the runs of three lines joined
    (text split over inline elements, "By <a>Jane Doe</a>").
    """
    anchor = _headline_element(tree, title, first)
    if anchor is None:
        return []  # the page's headings are its logo and sections, not the headline
    lines: list[str] = []
    # A few short lines just above the headline too: some pages print the byline there.
    above_lines = "preceding::text()[normalize-space()][ancestor::body][position() <= 8]"
    for text in (anchor.xpath(above_lines) if above else [])[-4:]:
        if _hidden_or_captioned(text, anchor):
            continue
        line = clean_line(str(text))
        if len(line) <= 160:
            lines.append(line)
    for text in anchor.xpath("following::text()[normalize-space()]"):
        if _hidden_or_captioned(text, anchor):
            continue  # a script, or a photo between the headline and the byline
        line = clean_line(str(text))
        words = count_words(line)
        if words >= _PROSE_WORDS and words >= 2 * len(line.split()) and ends_sentence(line):
            break  # prose in a script without spaces, however short: the article has begun
        if len(lines) >= _HEADLINE_ZONE_LINES + 4:
            break
        if len(line) > 160:
            if len(line.split()) >= 12 or len(line) >= 80 * len(line.split()):
                break  # prose (or text in a script without spaces): the article has begun
            continue  # a blob of code or data printed by a script
        lines.append(line)
    if not joined:
        return lines
    # Text split over inline elements ("By <a>Jane Doe</a>") is read joined too.
    return lines + [" ".join(lines[i : i + 3]) for i in range(len(lines))]


# Words (as `count_words` counts a script without spaces) that make such a line prose rather
# than a byline or a dateline.
_PROSE_WORDS = 12


def _hidden_or_captioned(text: Any, anchor: Any) -> bool:
    """True for text in a script or style, or in a photo's caption (a caption that holds the
    headline too is the page's header, whatever its markup says)."""
    parent = text.getparent()
    if parent is None:
        return False
    if parent.tag in ("script", "style", "noscript"):
        return True
    headers = set(anchor.iterancestors())
    return any(caption not in headers for caption in parent.xpath(_CAPTIONED))


def _zone_byline(zone: list[str]) -> str | None:
    """A "By ..." line in the headline zone."""
    for line in zone:
        byline = split_byline(line)
        if byline and byline[0]:
            return byline[0]
    return None


# A dateline is a date with little else on its line: a label, a time, a place.
_DATELINE_SLACK = 30
_DATELINE_WORDS = 4


_UPDATE_STAMP = re.compile(r"\b(?:updated?|modified|edited|mis à jour|aktualisiert|actualizado)\b", re.I)


def month_first(tree: Any) -> bool | None:
    """Whether the page writes numeric dates month first (3/09/15 is March 9): True for
    American English, False for other languages, None when the page does not say."""
    lang = (tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "").lower()
    if not lang:
        return None
    if lang.startswith("en"):
        return lang in ("en", "en-us")
    return False


def _is_dateline(line: str, found: DateMatch) -> bool:
    """True when a date stands nearly alone on its line: a label, a weekday, a time or a place
    beside it ("الأحد، 04 آب/اغسطس 2013، آخر تحديث 02:21 (GMT+0400)"), not a sentence."""
    if len(line) - (found.end - found.start) <= _DATELINE_SLACK:
        return True
    rest = line[: found.start] + " " + line[found.end :]
    words = [w for w in rest.split() if re.fullmatch(r"[^\W\d_]+\W?", w)]
    return len(words) <= _DATELINE_WORDS and len(rest) <= 2 * _DATELINE_SLACK


def _numeric_date(line: str, numeric_month_first: bool | None) -> DateMatch | None:
    """An all-numeric date read as the page's language says; when it does not say, only a
    date that one order alone makes valid (04/19/13)."""
    if numeric_month_first is not None:
        return find_numeric_date(line, month_first=numeric_month_first)
    readings = [find_numeric_date(line, month_first=order) for order in (True, False)]
    valid = [r for r in readings if r is not None]
    return valid[0] if len(valid) == 1 else None


def _zone_date(
    zone: list[str], numeric_month_first: bool | None = None, *, updated: bool = False
) -> str | None:
    """A dateline in the headline zone: a full date (never a bare year) on a line of its own,
    not a date a sentence mentions, nor (unless `updated`) when the page was updated. An
    all-numeric date counts when it can be read only one way."""
    previous = ""
    for line in zone[:_HEADLINE_ZONE_LINES]:
        # "Updated" may be printed on a line of its own, above the date it labels.
        labelled = _UPDATE_STAMP.search(previous) and len(previous) <= 20
        previous = line
        if _COPYRIGHT_LINE.search(line):
            continue
        if not updated and (_UPDATE_STAMP.search(line) or labelled):
            continue
        found = find_date(line)
        if found is None:
            found = _numeric_date(line, numeric_month_first)
        if found and _is_dateline(line, found):
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


# trafilatura wants 250 characters of text before it trusts its extraction, and otherwise
# falls back to a plain pass that runs the headline, byline and paragraphs into one. A
# Chinese or Japanese character says about what a word does: a short story of 100 of them
# is as long as an English one of 400 letters.
_WIDE_MIN_EXTRACTED = 60
_wide_config: Any = None


def _extraction_config(tree: Any) -> Any:
    """trafilatura's settings for this page: its own, or with the minimum length counted in
    words for a page written in characters (words counted as `count_words` does)."""
    global _wide_config
    text = " ".join(tree.xpath("//body//p//text()"))[:20000]
    if count_words(text) < 2 * len(text.split()):
        from trafilatura.settings import DEFAULT_CONFIG

        return DEFAULT_CONFIG  # spaced text: trafilatura's own, which counts characters
    if _wide_config is None:
        from trafilatura.settings import use_config

        config = use_config()
        config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(_WIDE_MIN_EXTRACTED))
        _wide_config = config
    return _wide_config


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
        config=_extraction_config(tree),
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

    # A heading that is the site's name (a blog's name over every post) is no headline.
    headings = [h for h in headings if not is_site_name(h, sites, host)]
    title = _title(stated, found("title"), headings, sites, host)
    first = _first_element(tree, kept)
    zone = headline_zone(tree, title, first)
    below = headline_zone(tree, title, first, above=False)
    byline = _choose_byline(
        tree, stated, found("author"), printed_bylines, (below, zone), lead.byline, byline_sites,
        host, first,
    )  # fmt: skip
    if title and stated["headline"] is None:
        # A title that still ends with the author's name ("... - Maggie Haberman").
        title = headline_from_title(title, headings=headings, sites=sites, host=host, byline=byline)
    date = _choose_date(
        stated, headline_zone(tree, title, first, joined=False), tree, title, first, [p for _, p in kept[_after_headline(kept, title) :]],
        lead.date, found("date"),
        [str(u) for u in (page_url, url) if u],
    )  # fmt: skip
    if not site and host:
        site = host.removeprefix("www.")
    cut = _after_headline(kept, title)
    moved = _printed_below(tree, kept[:cut], title)
    kept = kept[cut:]
    # The byline and date lines an extractor kept under the headline it kept.
    kept = moved + [kept[i] for i in strip_leading_meta([p for _, p in kept]).kept]
    kept = _with_lead(tree, kept, stated["description"])
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
    without the site's name (a title that is only the site's name is none)."""
    headline = stated["headline"]
    # A JSON-LD headline cut short for search engines ("...") is worse than the page's own.
    if headline and str(headline).rstrip().endswith(("...", "…")):
        headline = None
        stated["headline"] = None
    if headline:
        return headline
    # The page's own titles first: trafilatura takes an <h1> over them, and some pages head
    # the article with their section's name ("Allergies Health Center").
    for raw in (stated["og_title"], stated["title"], extracted):
        if raw and str(raw).strip():
            title = headline_from_title(str(raw), headings=headings, sites=sites, host=host, byline=None)
            if title and not is_site_name(title, sites, host):
                return title
    return None


def _profile_names(values: list[str]) -> set[str]:
    """Names spelled by author metadata that is a profile URL (".../source/titiou-lecoq")."""
    names = set()
    for value in values:
        if is_web_url(value):
            slug = urlsplit(value).path.rstrip("/").rsplit("/", 1)[-1]
            words = [w for w in re.split(r"[-_.+]", slug) if w.isalpha()]
            if len(words) >= 2:
                names.add(" ".join(words).casefold())
    return names


def _choose_byline(
    tree: Any,
    stated: dict[str, Any],
    extracted: str | None,
    printed: list[tuple[str, Any]],
    zones: tuple[list[str], list[str]],
    lead: str | None,
    sites: list[str],
    host: str | None,
    first: Any | None,
) -> str | None:
    """The byline: the article's structured author, then author markup, then a byline line
    near the headline, then trafilatura's guess when the page prints that name by the
    headline; each cut to the people it names.

    `zones` holds the lines below the headline, and those with the few just above it: a name
    printed below the headline wins over one printed above it (a teaser's author).
    """
    below, zone = zones
    own = [str(stated["site"])] if stated["site"] else []
    structured = clean_byline(
        ", ".join(stated["article_authors"] or []) or None, host=None, newsrooms=own
    )
    if structured and not is_newsroom(structured):
        return structured
    meta = clean_byline(
        ", ".join(stated["meta_authors"] or []) or None, sites=sites, host=host, newsrooms=own
    )
    if meta and not is_newsroom(meta) and not any(_fold_name(meta) == _fold_name(o) for o in own):
        return meta
    profiles = _profile_names(stated["meta_authors"] or [])
    article = first.xpath(_ARTICLE_CONTAINER) if first is not None else []
    cleaned_printed = []
    names = [n for n in (clean_byline(t, sites=sites, host=host) for t, _ in printed) if n]
    for text, element in printed:
        cleaned = clean_byline(text, sites=sites, host=host)
        if not cleaned:
            continue
        # "Ben Silverman" printed alone beside "Ben Silverman Games Editor": the name is the
        # shorter one.
        shorter = [n for n in names if n != cleaned and cleaned.startswith((n + " ", n + ","))]
        cleaned_printed.append((shorter[0] if shorter else cleaned, element))
    # Author markup counts where the article is: a sidebar story has its author too.
    for lines in (below, zone):
        for cleaned, _element in cleaned_printed:
            if lines and _named_in(cleaned, lines):
                return cleaned
    for cleaned, element in cleaned_printed:
        if (
            (not zone and not _in_aside(tree, cleaned))
            or cleaned.casefold() in profiles
            or (article and article[0] in element.iterancestors() and not _in_aside(tree, cleaned))
        ):
            return cleaned
    for candidate in (lead, _zone_byline(zone)):
        cleaned = clean_byline(candidate, sites=sites, host=host)
        if cleaned:
            return cleaned
    guess = clean_byline(extracted, sites=sites, host=host)
    if meta and guess and _fold_name(guess).replace(" ", "") in _fold_name(meta).replace(" ", ""):
        return meta  # trafilatura's reading of the same metadata, cut apart
    if guess and (_named_in(guess, zone) if zone else not _in_aside(tree, guess)):
        return guess
    # A newsroom alone ("AP", "BBC News") when the page names no person; the publisher's
    # own name only then too.
    return structured or meta or clean_byline(", ".join(stated["meta_authors"] or []) or None)


def _fold_name(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


# A dateline that opens the first paragraph: "Feb. 23, 2015 -- ...", "WASHINGTON, March 3,
# 2015 — ...": at most a place before the date, a dash after it.
_OPENING_PLACE = re.compile(r"^(?:[A-Z][\w.'’-]*(?:[ ,]+[A-Z][\w.'’-]*){0,4}\s*,?\s*)?$")
_OPENING_DASH = re.compile(r"^\s*(?:\([^)]{1,20}\)\s*)?(?:--|—|–|-)\s")


def _opening_dateline(paragraphs: list[str]) -> str | None:
    """The date of a dateline that opens the article's first paragraph."""
    prose = [p for p in paragraphs if len(p.split()) >= _LEAD_WORDS]
    if not prose:
        return None
    head = prose[0][:120]
    found = find_date(head)
    if found is None or not _OPENING_PLACE.match(head[: found.start]):
        return None
    return found.iso if _OPENING_DASH.match(head[found.end :]) else None


def _zone_time(anchor: Any | None, first: Any | None, order: dict[Any, int] | None) -> str | None:
    """A `<time datetime>` (or `<abbr title>`) printed between the headline and the first
    paragraph: "1 day ago" on the screen, the day in the markup."""
    if anchor is None:
        return None
    stamps = "following::*[self::time[@datetime] or self::abbr[@title]][position() <= 3]"
    for element in anchor.xpath(stamps):
        if first is not None and order is not None and order.get(element, 0) > order.get(first, 0):
            break
        parsed = parse_date(element.get("datetime") or element.get("title") or "")
        if parsed:
            return parsed
    return None


def _title_date(title: str | None) -> str | None:
    """A date the page's <title> states as one of its pieces ("... - 07.12.2017 - LA NACION")."""
    if not title:
        return None
    for piece in re.split(r"\s+[|\-–—•·»:]\s+|_", title):
        parsed = parse_date(piece.strip())
        if parsed:
            return parsed
    return None


def _in_urls(day: str, urls: list[str]) -> bool:
    """True when a page's URL carries the day ("/2015/02/01/", "-20190520")."""
    year, month, d = day[:10].split("-")
    pattern = re.compile(
        rf"(?<!\d){year}[/_-]?{month}[/_-]?{d}(?!\d)|(?<!\d){year}/{int(month)}/{int(d)}(?!\d)"
    )
    return any(pattern.search(urlsplit(u).path) for u in urls)


def _choose_date(
    stated: dict[str, Any],
    zone: list[str],
    tree: Any,
    title: str | None,
    first: Any | None,
    paragraphs: list[str],
    lead: str | None,
    extracted: str | None,
    urls: list[str],
) -> str | None:
    """The publication date the page states: its date markup (the candidate its printed
    dateline agrees with, when it states several), then a `<time>` or a dateline by the
    headline, a dateline opening the text, a date in the <title>, an update stamp by the
    headline; trafilatura's (htmldate's)
    date only when the page's URL carries that day, for htmldate also reads dates out of
    scripts and numeric dates in the wrong order."""
    printed = _zone_date(zone, month_first(tree))
    markup = stated["dates"]
    if markup:
        agreed = [d for d in markup if printed and d[:10] == printed[:10]]
        return (agreed or markup)[0]
    anchor = _headline_element(tree, title, first)
    order = {element: i for i, element in enumerate(tree.iter())} if anchor is not None else None
    found = (
        _zone_time(anchor, first, order)
        or printed
        or _opening_dateline(paragraphs)
        or lead
        or _title_date(stated["title"])
        # The day it was last updated, when that is the only day the page prints.
        or _zone_date(zone, month_first(tree), updated=True)
    )
    if found:
        return found
    parsed = parse_date(extracted) if extracted else None
    return parsed if parsed and _in_urls(parsed, urls) else None
