"""HTML ingestion: trafilatura's body, the page's stated metadata, fallbacks, failures."""

from __future__ import annotations

import json

import pytest

from reader.ingest import IngestError, ingest_bytes
from reader.text import is_safe

BODY = "".join(
    f"<p>Paragraph {n} of the article tells the reader something new about the harbour, "
    f"the boats that moor there and the people who work on the quay every day.</p>"
    for n in range(1, 7)
)


def page(head: str = "", body: str = BODY, before: str = "") -> bytes:
    """A small news page with navigation, an article and a footer."""
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a> | <a href='/sport'>Sport</a></nav>"
        f"<article>{before}<h1>Harbour Reopens After Storm Repairs</h1>{body}</article>"
        "<footer>© 2024 Harbour News. All rights reserved. <a href='/privacy'>Privacy</a></footer>"
        "</body></html>"
    ).encode()


def test_body_paragraphs_without_navigation_or_footer() -> None:
    """Each <p> becomes a paragraph; navigation, footer and the repeated <h1> are left out."""
    draft = ingest_bytes(
        page("<title>Harbour Reopens After Storm Repairs | Harbour News</title>"),
        "/p.html",
        kind="html",
    )
    assert len(draft.paragraphs) == 6
    assert draft.paragraphs[0].startswith("Paragraph 1 of the article")
    text = draft.text()
    assert "Home" not in text and "All rights reserved" not in text
    assert draft.title == "Harbour Reopens After Storm Repairs"


def test_open_graph_and_meta_tags() -> None:
    """og:title, og:site_name, article:published_time, meta author and canonical are used."""
    head = (
        '<meta property="og:title" content="Harbour Reopens After Storm Repairs">'
        '<meta property="og:site_name" content="Harbour News">'
        '<meta property="article:published_time" content="2024-02-03T10:15:00+01:00">'
        '<meta name="author" content="Pat Quayle">'
        '<link rel="canonical" href="https://harbour.example/news/reopens">'
    )
    draft = ingest_bytes(page(head), "/p.html", kind="html")
    assert draft.title == "Harbour Reopens After Storm Repairs"
    assert draft.site == "Harbour News"
    assert draft.date == "2024-02-03T10:15:00+01:00"
    assert draft.byline == "Pat Quayle"
    assert draft.url == "https://harbour.example/news/reopens"


def test_json_ld_article() -> None:
    """A JSON-LD NewsArticle (inside @graph) gives headline, authors and date."""
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Harbour News"},
            {
                "@type": "NewsArticle",
                "headline": "Storm Damage Repaired: The Harbour Is Open Again",
                "author": [
                    {"@type": "Person", "name": "Pat Quayle"},
                    {"@type": "Person", "name": "Lee Dock"},
                ],
                "datePublished": "2024-02-03T09:00:00Z",
                "publisher": {"@type": "Organization", "name": "Harbour News"},
            },
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    draft = ingest_bytes(page(head), "/p.html", kind="html")
    assert draft.title == "Storm Damage Repaired: The Harbour Is Open Again"
    assert draft.byline == "Pat Quayle, Lee Dock"
    assert draft.date == "2024-02-03T09:00:00Z"
    assert draft.site == "Harbour News"


def test_visible_byline_when_no_metadata_names_the_author() -> None:
    """A byline element on the page ("By ...") is used when no metadata names anyone."""
    before = '<p class="article-byline">By <a href="/people/pat">Pat Quayle</a></p>'
    draft = ingest_bytes(page(before=before), "/p.html", kind="html")
    assert draft.byline == "Pat Quayle"


def test_lists_and_headings_stay_separate_paragraphs() -> None:
    """List items and subheadings are paragraphs of their own, not run together."""
    body = (
        BODY
        + "<h2>What happens next</h2><ul><li>Boats return on Monday.</li><li>The café reopens in May.</li></ul>"
        + BODY
    )
    draft = ingest_bytes(page(body=body), "/p.html", kind="html")
    assert "What happens next" in draft.paragraphs
    assert "Boats return on Monday." in draft.paragraphs
    assert "The café reopens in May." in draft.paragraphs


def test_line_breaks_inside_a_paragraph_become_spaces() -> None:
    """<br> inside a paragraph separates words instead of gluing them."""
    body = BODY + "<p>First line of a poem<br>second line of a poem<br/>third line of it all.</p>"
    draft = ingest_bytes(page(body=body), "/p.html", kind="html")
    assert "First line of a poem second line of a poem third line of it all." in draft.paragraphs


def test_untrusted_strings_are_cleaned() -> None:
    """Control sequences and bidi overrides in the title, author and body are removed."""
    head = (
        '<meta property="og:title" content="Evil &#x1b;[31mRed&#x1b;[0m Title">'
        '<meta name="author" content="Mallory &#x202e;Evil">'
    )
    body = (
        BODY + "<p>Clear \x1b[2J screen and \u202eoverride in a sentence long enough to keep.</p>"
    )
    draft = ingest_bytes(page(head, body=body), "/p.html", kind="html")
    for value in [draft.title, draft.byline, draft.site, *draft.paragraphs]:
        assert value is None or is_safe(value)
    assert draft.byline == "Mallory Evil"


@pytest.mark.parametrize(
    "data",
    [
        b"<html><head><title>Home</title></head><body><nav><a href=/>Home</a> <a href=/a>About</a></nav></body></html>",
        b"<html><body></body></html>",
        b"<html><body><script>var x = 1;</script><style>p{}</style></body></html>",
    ],
    ids=["navigation-only", "empty-body", "script-only"],
)
def test_page_without_article(data: bytes) -> None:
    """A page with no article text gives one clear error."""
    with pytest.raises(IngestError) as caught:
        ingest_bytes(data, "/p.html", kind="html")
    assert caught.value.reason == "no article text found in HTML"


def test_fragment_is_read() -> None:
    """A pasted fragment without <html> is still an article."""
    draft = ingest_bytes(b"<p>Just one short paragraph of pasted text here.</p>", "-")
    assert draft.paragraphs == ["Just one short paragraph of pasted text here."]


def test_xhtml_with_xml_declaration_in_cp1251() -> None:
    """An XHTML page declaring windows-1251 in its XML declaration decodes and parses."""
    text = (
        '<?xml version="1.0" encoding="windows-1251"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Новости дня</title></head><body><article>'
        "<p>Президент Таджикистана заявил о готовности его страны бороться с терроризмом вместе с Россией.</p>"
        "<p>Четверо обвиняемых являются гражданами Таджикистана, сообщили в суде в понедельник.</p>"
        "</article></body></html>"
    )
    draft = ingest_bytes(text.encode("cp1251"), "/p.xhtml", kind="html")
    assert draft.title == "Новости дня"
    assert draft.paragraphs[0].startswith("Президент Таджикистана")


def test_url_gives_site_when_the_page_names_none() -> None:
    """A fetched page without a site name is named by its host."""
    draft = ingest_bytes(
        page(), "https://www.harbour.example/a", kind="html", url="https://www.harbour.example/a"
    )
    assert draft.site == "harbour.example"
    assert draft.url == "https://www.harbour.example/a"
