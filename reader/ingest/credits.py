"""Titles without the site's name, and bylines without job titles, newsrooms or dates.

Pages put their name into `<title>` ("... - CNN.com", "TechCrunch | ...", "... : 뉴스") and
their bylines carry more than names ("Andrea Stone Senior Washington Correspondent",
"Ed Hornick, CNN", "David Gura, Apr", "Par LILIAN ALEMAGNA, LAURE BRETTON Envoyés spéciaux à
Toulouse"). These rules cut a title down to the page's own headline and a byline down to the
people, and refuse what is no byline at all (a login box, a publisher, a site name).
"""

from __future__ import annotations

import re
import unicodedata

from reader.ingest.dates import find_date
from reader.ingest.furniture import OTHER_BY, looks_like_names
from reader.text import clean_line

# Separators between a headline and a site or section name in a <title>.
# Japanese and Chinese pages set a full-width bar without spaces ("見出し｜サイト").
_TITLE_SEPARATORS = re.compile(
    r"\s+[|\-–—•·»«:－]\s+|\s*::\s*|\s+[|»]\s*|\s*[|»]\s+|\s*｜\s*|_(?=\S)"
)
# "By" in the languages reader meets most, and the lead-ins that come before it.
_BY = re.compile(
    r"^(?:(?:analysis|words|story|text|reporting|written|posted|reported|photos?)\s+)?"
    r"(?:(?:by|par|por|von|di|door|av|af|de|texto?|por|" + OTHER_BY + r")\s*:?\s+"
    # Chinese "reporter" before the name, with no space: "記者陳怡君"; "text:" in Chinese,
    # Japanese and Korean: "文：佐藤花子", "撰文／王小明", "글 김민수"
    r"|(?:記者|记者)\s*|(?:文|撰文|作者|執筆)\s*[:：／/]\s*|글\s+)",
    re.I,
)
# Words that begin a job title or describe a role, not a name (lower-cased, accents kept).
_ROLE_WORDS = frozenset(
    _word
    for _word in """
    senior chief staff deputy associate assistant executive managing contributing special
    correspondent correspondents editor editors editor-at-large writer writers reporter
    reporters columnist contributor producer analyst photographer critic bureau desk
    technology political business science health sports foreign national washington
    envoyé envoyée envoyés envoyées spécial spéciale spéciaux journaliste rédacteur
    rédactrice correspondant correspondante corresponsal redactor redactora enviado enviada
    especial periodista korrespondent korrespondentin redakteur redakteurin autor autorin
    корреспондент обозреватель редактор кореспондент оглядач muhabiri muhabir wartawan
    mwandishi 기자 특파원 논설위원 記者 记者 特派員 特派员 संवाददाता वरिष्ठ প্রতিবেদক নিজস্ব
    סופר כתב كاتب مراسل خبرنگار
    """.split()
)  # fmt: skip

# Newsrooms and wire services that follow a name ("Ed Hornick, CNN").
_NEWSROOMS = frozenset(
    {"ap", "afp", "reuters", "cnn", "bbc", "upi", "dpa", "efe", "ansa", "xinhua", "bloomberg",
     "ap technology writers", "associated press", "usa today", "the associated press"}
)  # fmt: skip
# Degrees and credentials printed after a name ("Brenda Goodman, MA"): no person of their own.
_CREDENTIALS = frozenset(
    "ma md phd mph rn msc ms mba bsc ba jd dds do mfa llm esq jr sr".split()
)
# Words that open a byline naming a group, not a person: "Our Foreign Staff", "The
# Editorial Board", "World's Editorial Writers".
_COLLECTIVE = re.compile(r"^(?:our|the|unsere?r?|nuestr[oa]s?|nos|notre)\b|\w['’]s\b", re.I)
# "Martin Untersinger (avec Damien Leloup et Morgane Tual)": co-authors in brackets.
_WITH = re.compile(r"\s*\((?:avec|with|con|mit|com|met)\s+([^)]*)\)", re.I)
# Author values that are a template's placeholder or a role, not a person or a newsroom.
NOT_AUTHORS = frozenset(
    {"username", "user", "admin", "administrator", "staff", "editor", "author", "unknown",
     "anonymous", "guest", "webmaster", "none", "null", "undefined"}
)  # fmt: skip
# Words that show a "byline" is a piece of the page's interface.
_INTERFACE_WORDS = re.compile(
    r"\b(?:account|logged|log in|login|sign in|sign up|subscribe|newsletter|comments?|share|"
    r"follow|click|menu|search|fans?|followers?|profile|password|register)\b|you'?re\b",
    re.I,
)
_MONTH_FRAGMENT = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$", re.I
)
# A name in capitals with the odd lower-case particle: "JORDAN ROBERTSON", "ANA DE ARMAS"
# (in a script that has capitals: Cyrillic or Thai has no a-z either).
_SHOUTED = re.compile(r"^[^a-z]*$")
# A Chinese dateline after the reporter's name: "台北報導", "北京电".
_DISPATCH = re.compile(r"(?:報導|报道|報道|電|电|訊|讯)$")


_NOT_WORD = re.compile(r"[^\w\u0900-\u0dff\u0e31-\u0e4e\u0eb1-\u0ecd\u1000-\u109f\u1780-\u17ff]+")


def _fold(text: str) -> str:
    """Text compared loosely: no accents, no punctuation, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    # The vowel signs of Indic scripts are marks, not punctuation: "वरिष्ठ" is one word.
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).split())


def is_site_name(part: str, sites: list[str], host: str | None) -> bool:
    """True when a piece of a title names the site or its section, not the article."""
    folded = _fold(part)
    if not folded:
        return True
    if any(folded == _fold(site) for site in sites if site):
        return True
    if re.search(r"\.(?:com|net|org|co|fr|de|es|it|uk|jp|cn|kr|ru|info|news)\b", part, re.I):
        return len(part.split()) <= 3
    if host:
        labels = _fold(host.replace(".", " ").replace("-", " ")).split()
        squashed = "".join(labels)
        words = folded.split()
        # "CBS New York" on newyork.cbslocal.com, "TIME NewsFeed" on newsfeed.time.com
        if len(words) <= 4 and all(word in squashed for word in words):
            return True
    return False


def headline_from_title(
    title: str, *, headings: list[str], sites: list[str], host: str | None, byline: str | None
) -> str:
    """The article's own headline inside a page's title: the site's name, sections and the
    author's name cut off, or the page's heading when the title holds it whole."""
    title = clean_line(title)
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return _without_aside(title, headings)
    folded_headings = {_fold(h): h for h in headings if h and h.strip()}
    # A heading on the page that is one run of the title's pieces is the headline.
    for start in range(len(parts)):
        for end in range(len(parts), start, -1):
            if (start, end) == (0, len(parts)):
                continue
            piece = _fold(" ".join(parts[start:end]))
            if piece in folded_headings and len(piece) >= 8:
                return clean_line(folded_headings[piece])
    if all(separator.strip() == "_" for separator in _TITLE_SEPARATORS.findall(title)):
        # Portals join "headline_section_site" with underscores, the headline first.
        return _without_aside(clean_line(parts[0]), headings)
    names = {_fold(n) for n in re.split(r",\s*|\s+and\s+", byline or "") if n.strip()}

    def removable(part: str) -> bool:
        folded = _fold(part)
        if folded in names or (names and _fold(part.replace(" and ", ", ")) in {_fold(byline or "")}):
            return True
        people = [_fold(p) for p in re.split(r",\s*|\s+and\s+", part)]
        if names and people and all(p in names for p in people):
            return True
        return is_site_name(part, sites, host)

    while len(parts) > 1 and removable(parts[-1]):
        parts.pop()
    while len(parts) > 1 and removable(parts[0]):
        parts.pop(0)
    if len(parts) == 1:
        return _without_aside(clean_line(parts[0]), headings)
    # What is left was split at separators the headline itself may hold ("Hill: Meyer, ...").
    kept = title
    first, last = parts[0], parts[-1]
    start = title.find(first)
    end = title.rfind(last) + len(last)
    if 0 <= start < end:
        kept = title[start:end]
    return _without_aside(clean_line(kept), headings)


# A source or section in brackets after a headline: "（CNET Japan）", "(Reuters)", "[Video]".
_BRACKETED = re.compile(r"\s*[(（\[【][^)）\]】]{1,40}[)）\]】]\s*")


def _without_aside(title: str, headings: list[str]) -> str:
    """The page's heading when the title is that heading with a bracketed source after it."""
    for heading in headings:
        heading = clean_line(heading)
        if len(heading) >= 8 and title.startswith(heading):
            if _BRACKETED.fullmatch(title[len(heading) :]):
                return heading
    return title


_ROLE_WORDS = _ROLE_WORDS | frozenset(_fold(word) for word in _ROLE_WORDS)


def _cut_role(segment: str) -> str:
    """A byline segment without the job title after the name ("Andrea Stone Senior ...");
    a group's byline ("Our Foreign Staff", "World's Editorial Writers") stays whole."""
    words = segment.split()
    for i, word in enumerate(words):
        if i >= 1 and _fold(word).split() and _fold(word).split()[0] in _ROLE_WORDS:
            if _COLLECTIVE.search(" ".join(words[:i])):
                return segment
            return " ".join(words[:i])
        if i >= 1 and word.lower() in ("à", "a", "in", "en", "im", "au"):
            return " ".join(words[:i])  # "Envoyés spéciaux à Toulouse", "in Washington"
    return segment


def _split_people(piece: str) -> list[str]:
    """A piece of a byline split at "and" (in several languages) where it joins two names of
    two words or more each: "Ann Lee and Bo Chen" is two people, "Mac & i" one name."""
    parts = re.split(r"\s+(?:and|&|y|et|und|e)\s+", piece)
    if len(parts) > 1 and all(len(p.split()) >= 2 for p in parts):
        return parts
    if len(parts) > 1 and all(looks_like_names(p) for p in parts) and len(piece.split()) <= 6:
        return parts  # "Ann and Bo Lee": names either way, no job or newsroom among them
    return [piece]


def clean_byline(
    text: str | None,
    *,
    sites: list[str] = (),  # type: ignore[assignment]
    host: str | None = None,
    newsrooms: list[str] = (),  # type: ignore[assignment]
) -> str | None:
    """The people a byline names, as "Ann Lee, Bo Chen"; None when it names nobody.

    "By" (in several languages), job titles, credentials, newsrooms after a name, and date
    fragments go; a byline that is a site's or publisher's name, a template's placeholder or
    a piece of the page's interface is no byline. A byline that is one of `newsrooms` (the
    page's own name, which some pages give as their author) is kept whole.
    """
    if not text:
        return None
    text = clean_line(text)
    if _INTERFACE_WORDS.search(text) or _fold(text) in NOT_AUTHORS:
        return None
    if any(_fold(text) == _fold(name) for name in newsrooms if name):
        return text  # the page's own newsroom, named as its author ("BBC News", "Mac & i")
    found = find_date(text)
    if found:
        text = text[: found.start]
    text = _WITH.sub(r", \1", _BY.sub("", text.strip(" -–—|:")))
    segments = [
        part
        for piece in re.split(r"\s*[,;|/／、，]\s*|\s+[-–—]\s+", text)
        for part in _split_people(piece)
    ]
    people: list[str] = []
    newsrooms_named: list[str] = []
    for segment in segments:
        segment = _BY.sub("", segment.strip(" .:"))
        if not segment or _MONTH_FRAGMENT.match(segment) or re.search(r"\d", segment):
            continue
        if people and _fold(segment).split()[0] in _CREDENTIALS and segment.split()[0].isupper():
            continue  # "MA", "MD WebMD Health News": a degree, and what follows it
        if _fold(segment) in _NEWSROOMS or is_site_name(segment, list(sites), host):
            newsrooms_named.append(segment)
            continue
        if _DISPATCH.search(segment):
            continue  # "台北報導": where the story was filed, not who wrote it
        segment = _cut_role(segment)
        if not segment or _fold(segment).split()[0] in _ROLE_WORDS:
            continue
        if segment.isupper() and _SHOUTED.match(segment) and len(segment.split()) >= 2:
            segment = " ".join(w.capitalize() if len(w) > 2 else w.lower() for w in segment.split())
        if looks_like_names(segment) and len(segment.split()) <= 5:
            if _fold(segment) not in {_fold(p) for p in people}:
                people.append(segment)
    if people:
        return ", ".join(people)
    # A newsroom alone ("BBC News") is the byline the page gives; a site name is not.
    lone = [n for n in newsrooms_named if _fold(n) in _NEWSROOMS or " " in n.strip()]
    if lone and not any(_fold(n) == _fold(s) for n in lone for s in sites if s):
        return lone[0]
    return None


def is_newsroom(byline: str) -> bool:
    """True for a byline that names a newsroom or wire service rather than a person."""
    return all(_fold(part) in _NEWSROOMS for part in byline.split(","))
