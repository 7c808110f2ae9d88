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
from reader.ingest.dates import parse_date
from reader.ingest.errors import IngestError
from reader.ingest.furniture import (
    drop_footer,
    is_advert_marker,
    looks_like_names,
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
    if not authors:
        authors = [meta[k] for k in _AUTHOR_META if meta.get(k)][:1]

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
        "authors": authors,
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


def _byline(candidates: list[str]) -> str | None:
    """One byline from author strings: "By " dropped, duplicates and placeholders removed."""
    names: list[str] = []
    for candidate in candidates:
        for part in re.split(r"\s*;\s*|\s*\|\s*", candidate):
            part = clean_line(re.sub(r"^(?:\w+\s+)?by\s+", "", clean_line(part), flags=re.I))
            if not part or part.casefold() in _NOT_AUTHORS or re.match(r"https?://|@", part):
                continue
            if part.casefold() not in {n.casefold() for n in names}:
                names.append(part)
    return ", ".join(names) or None


def _visible_byline(tree: Any) -> str | None:
    """The byline printed on the page (an element marked as byline or author), if it reads as names."""
    for element in tree.xpath(
        '//*[@rel="author" or @itemprop="author" or contains(@class, "byline")'
        ' or contains(concat(" ", @class, " "), " author")][not(self::meta)][not(self::link)]'
    ):
        text = clean_line(element.text_content())
        text = re.sub(r"^by\s+", "", text, flags=re.I)
        if text and looks_like_names(text) and text.casefold() not in _NOT_AUTHORS:
            return text
    return None


def _site_from_title(title: str, site: str | None) -> str:
    """A `<title>` without the " | Site Name" or " - Site Name" it usually ends with."""
    parts = re.split(r"\s+[|\-–—:•·]\s+", title)
    if len(parts) > 1 and (
        site is None or parts[-1].casefold() == site.casefold() or len(parts[-1]) < len(parts[0])
    ):
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    return title


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


def body_paragraphs(body: Any) -> list[str]:
    """Paragraphs from trafilatura's body tree: each block, list item and table row its own."""
    paragraphs: list[str] = []

    def add(element: Any) -> None:
        tag = element.tag
        if tag == "list":
            for item in element.findall("item"):
                paragraphs.append(_element_text(item))
                for nested in item.findall("list"):
                    add(nested)
        elif tag == "table":
            for row in element.iter("row"):
                cells = [" ".join(_element_text(c).split()) for c in row.findall("cell")]
                paragraphs.append(" | ".join(c for c in cells if c))
        elif (
            tag == "quote" and len(element) and all(c.tag in ("p", "list", "head") for c in element)
        ):
            for child in element:
                add(child)
        elif tag != "graphic":
            paragraphs.append(_element_text(element))

    for element in body:
        add(element)
    return [p for p in (tidy_paragraph(p) for p in paragraphs) if p]


def _plain_blocks(tree: Any) -> list[str]:
    """Text blocks outside navigation, when trafilatura found none; [] unless there is prose.

    Only a page with at least one real paragraph (five words or more in a <p>) counts, so
    that a page of links and buttons is still reported as having no article.
    """
    block = "self::p or self::h1 or self::h2 or self::h3 or self::h4 or self::li or self::blockquote or self::pre"
    outside = "self::nav or self::header or self::footer or self::aside or self::form"
    # Outermost blocks only, so that a <p> inside an <li> is not read twice.
    blocks = tree.xpath(
        f"//body//*[{block}][not(ancestor::*[{outside}])][not(ancestor::*[{block}])]"
    )
    paragraphs = [tidy_paragraph(b.text_content()) for b in blocks]
    has_prose = any(b.tag == "p" and len(b.text_content().split()) >= 5 for b in blocks)
    return [p for p in paragraphs if p] if has_prose else []


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
    tree = load_html(text)
    if tree is None:
        raise IngestError("no article text found in HTML")
    stated = page_metadata(tree, url)
    printed_byline = _visible_byline(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
    )

    def found(name: str) -> str | None:
        """A metadata field trafilatura found, or None."""
        value = getattr(document, name, None) if document is not None else None
        return value if isinstance(value, str) and value.strip() else None

    body = getattr(document, "body", None)
    paragraphs = body_paragraphs(body) if body is not None else []
    if not paragraphs:
        # trafilatura gives up on some short or oddly built pages; plain blocks may still be
        # an article.
        fallback = load_html(text)
        paragraphs = _plain_blocks(fallback) if fallback is not None else []
    # Extractors keep the odd "By ..." or date line above the text, and advert labels in it.
    lead = strip_leading_meta([p for p in paragraphs if not is_advert_marker(p)])
    paragraphs = drop_footer(lead.body)

    headline = stated["headline"]
    # A JSON-LD headline cut short for search engines ("...") is worse than the page's own.
    if headline and str(headline).rstrip().endswith(("...", "…")):
        headline = None
    title = headline or found("title") or stated["og_title"]
    # trafilatura's site name before og:site_name: some sites put a section there ("U.S.").
    site = found("sitename") or stated["site"]
    if not title and stated["title"]:
        title = _site_from_title(clean_line(str(stated["title"])), str(site) if site else None)
    author = found("author")
    byline = (
        _byline([author] if author else [])
        or _byline(list(stated["authors"] or []))
        or printed_byline
        or lead.byline
    )
    found_date = found("date")
    date = stated["date"] or (parse_date(found_date) if found_date else None) or lead.date
    found_url = found("url")
    page_url = stated["url"] or (found_url if found_url and is_web_url(found_url) else None) or url
    if not site and page_url:
        host = urlsplit(str(page_url)).hostname
        site = host.removeprefix("www.") if host else None
    if title and paragraphs and paragraphs[0].casefold() == clean_line(str(title)).casefold():
        paragraphs = paragraphs[1:]  # the page's <h1>, already the title
    if not paragraphs:
        raise IngestError("no article text found in HTML")
    return Draft(
        paragraphs=paragraphs,
        source=source,
        title=clean_line(str(title)) or None if title else None,
        byline=byline,
        date=date,
        site=clean_line(str(site)) or None if site else None,
        url=clean_line(str(page_url)) or None if page_url else None,
    )
