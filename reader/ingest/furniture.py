"""Page furniture, bylines and datelines: the rules that tell an article's header and footer
from its body, shared by every input kind.

A scraped dump (and an extractor's output) usually opens with a header zone before the prose
starts: site furniture ("Last update: ...", "Newsroom logo", "Home | World | Sport", a stray
"None" where a template printed an empty field), the title, a byline with a date ("By Vusala
Abbasova March 26, 2024") or a dateline ("Kenji Watanabe, Tokyo — 3 April 2025"), a photo
caption. The rules below look only at that zone (and a few closing lines for "Share this
article" and the like), so that the same words inside the article are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reader.ingest.dates import find_date, parse_date
from reader.text import SENTENCE_END, clean_line, count_words

# The header zone: how many lines at the top may be title candidates (furniture lines do
# not count, up to HEADER_LIMIT lines in all).
HEADER_ZONE = 12
HEADER_LIMIT = 40
# How many paragraphs at the end may be sharing buttons, tags and copyright lines.
FOOTER_ZONE = 5

# Values that templates print when a field is empty; never article text on their own.
_STRAY_VALUES = frozenset({"none", "null", "undefined", "nan", "nil", "[object object]", "n/a"})
# Interface labels scraped with the page; compared with a whole line or piece, lower-cased.
_INTERFACE = frozenset(
    {
        "ad", "advertisement", "advertising", "sponsored", "sponsored content",
        "skip to content", "skip to main content", "menu", "main menu", "open menu",
        "close menu", "navigation", "toggle navigation", "search", "share", "share this",
        "share this article", "share this story", "share article", "tweet", "email", "print",
        "save", "bookmark", "subscribe", "subscribe now", "sign in", "sign up", "log in",
        "login", "register", "newsletter", "follow us", "read more", "continue reading",
        "listen", "listen to this article", "comments", "comment", "view comments",
        "related", "related articles", "related stories", "more stories", "recommended",
        "trending", "home", "back to top", "accept cookies", "cookie settings", "cookies",
        "close", "image", "photo", "video", "watch", "play", "copy link", "copied",
        "share full article", "leave a comment", "leave a reply", "post a comment",
        "add a comment", "no comments",
    }
)  # fmt: skip
_ADVERT = re.compile(
    r"^(?:advertisement|advertising|ad|sponsored(?: content)?"
    r"|(?:story|article) continues below(?: (?:this )?advertisement)?)[.:]?$",
    re.I,
)
# Labels printed before a value that the scrape split off onto lines of their own.
_LABEL = re.compile(
    r"^(?:published|updated|posted|last updated|modified|date|share|"
    r"(?:image|media|photo|video|picture)\s+(?:source|caption|credit)s?\b.*"
    r"|(?:illustration|photograph|photo|image|video|graphic)s?\s+(?:by|via|courtesy of)\s.{0,60})$",
    re.I,
)
_CAPTION_LABEL = re.compile(r"^(?:image|media|photo|video|picture)\s+caption\b\W*$", re.I)
_SEPARATORS = re.compile(r"\s+[|•·]\s+|\s+[—–]\s+")
_MENU_SEPARATORS = re.compile(r"\s*[|•·>»/]\s*")
# "Updated" and "Published" in English, then in Turkish, Russian, Ukrainian, Greek,
# Indonesian, Vietnamese, Korean, Japanese, Chinese, Hebrew, Persian, Arabic, Hindi, Bengali.
_UPDATED = re.compile(
    r"^(?:(?:last\s+)?(?:updated?|modified|edited|changed)(?:\s+(?:on|at))?"
    r"|güncelleme|güncellenme|обновлено|оновлено|ενημέρωση|diperbarui|cập nhật|수정|更新|"
    r"עודכן|به‌روزرسانی|بروزرسانی|تحديث|آخر تحديث|अपडेट|আপডেট)\s*[:：\-–—]?\s*",
    re.I,
)
_PUBLISHED = re.compile(
    r"^(?:(?:first\s+)?(?:published|posted|released|date|dated)(?:\s+(?:on|at))?"
    r"|yayınlanma|yayın tarihi|опубликовано|опубліковано|δημοσίευση|diterbitkan|"
    r"dipublikasikan|ngày đăng|입력|公開|発行|發布|发布|פורסם|تاریخ انتشار|تاريخ النشر|نشر في|"
    r"प्रकाशित|প্রকাশ|প্রকাশিত)\s*[:：\-–—]?\s*",
    re.I,
)
# Where an update stamp follows the publication date on one line: "입력 2025.03.11 14:20 수정 ...".
_BEFORE_UPDATE = re.compile(r"(?<=\d)\s+(?=(?:수정|updated|güncelleme|обновлено|оновлено|更新)\s*[:：]?\s*\d)", re.I)
# A weekday's name before a date, in any language: "Selasa, 11 Maret 2025", "Thứ ba, 11/3/2025".
_WEEKDAY_BEFORE = re.compile(r"^[^\W\d_]+(?:\s[^\W\d_]+)?,\s*")
# A date of another calendar, printed beside the Gregorian one or instead of it: the Hijri
# ("١٥ رمضان ١٤٤٦ هـ", "1446/09/12"), Solar Hijri ("۲۲ اسفند ۱۴۰۳"), Thai Buddhist
# ("พ.ศ. 2568", "25.04.2568"),
# Japanese era ("令和7年4月12日") and Minguo ("民國114年") years. Furniture, never a date.
_OTHER_CALENDAR = re.compile(
    r"\d\s*هـ|هـ\s*\d|\d\s*ه\.ش|พ\.ศ\.|(?:令和|平成|昭和|民國|民国)\s*\d|"
    # all in numbers: a Buddhist year last ("25.04.2568"), a Hijri or Solar Hijri year first
    r"(?<!\d)\d{1,2}[./-]\d{1,2}[./-]25\d\d(?!\d)|(?<!\d)1[34]\d\d[./-]\d{1,2}[./-]\d{1,2}(?!\d)|"
    r"(?:محرم|صفر|ربيع|جمادى|رجب|شعبان|رمضان|شوال|ذو القعدة|ذو الحجة|فروردین|اردیبهشت|"
    r"خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند)\s+\d{4}"
)
_READING_TIME = re.compile(
    r"^(?:reading\s+time:?\s*)?(?:about\s+)?\d+(?::\d{2})?\s*(?:-\s*)?(?:min(?:ute)?s?|m)"
    r"(?:\s+read(?:ing)?)?(?:\s+time)?$",
    re.I,
)
_RELATIVE_TIME = re.compile(
    r"^(?:\d+|an?|one)\s+(?:second|minute|min|hour|hr|day|week|month|year)s?\s+ago$", re.I
)
# A clock time on its own ("12:04 GMT", "9.30am"): an update stamp, never a headline.
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5}(?:[+-]\d{1,2})?)?$", re.I)
# "Kenji Watanabe, Tokyo — 3 April 2025": a name, a place, a date, the way wires print them.
_NAME_PLACE = re.compile(r"^(?P<name>[^,]{3,60}),\s*(?P<place>[^,]{2,40})$")
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)|all rights reserved\.?$", re.I)
# "By", "Author:" and "Text:" in Russian and Ukrainian, Greek ("of", before a name in the genitive),
# Turkish, Indonesian, Swahili (only before a name of two words: "Na" is a surname too),
# Thai, Hindi, Bengali, Hebrew, Arabic and Persian.
OTHER_BY = (
    r"автор|автори|текст|του|της|yazan|haber|oleh|penulis|na(?=\s+\S+\s+\S)|โดย|ผู้เขียน|लेखक|"
    r"লেখক|מאת|بقلم|كتب|نویسنده"
)
_BYLINE = re.compile(
    r"^(?:by|written\s+by|words\s+by|reported\s+by|story\s+by|posted\s+by|authors?:|"
    + OTHER_BY
    + r")\s*:?\s+(?P<rest>.+)$",
    re.I,
)
# Lower-case words that may sit inside a person's name or a list of names.
_NAME_PARTICLES = frozenset(
    "and & de da das do dos di del della der den van von la le du bin ibn al el y of the".split()
)
# A caption that ends with a credit: "... religion. / AFP", "(AP Photo/Jane Doe)", "Photo: X".
_CAPTION = re.compile(
    r"\s[/|]\s*(?i:photo:?\s*)?[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3}\s*$"
    r"|\((?:[A-Z]+\s+)?(?i:photo)\b[^)]*\)\s*$"
    r"|^(?i:photo|image|picture|photograph|credit|caption)\s*:"
)
_SITE_NOTICE = re.compile(
    r"^(?:tags|topics|filed under|categories|more on|related)\s*:"
    # "Read also:" before a link to another story, in the languages of the pages reader reads
    r"|^(?:read also|also read|see also|lire aussi|lea también|leia também|lesen sie auch|"
    r"baca juga|читайте также|читайте також|ayrıca okuyun|soma pia|đọc thêm|xem thêm|"
    r"διαβάστε επίσης|اقرأ أيضا|اقرأ أيضاً|بیشتر بخوانید|קראו עוד|और पढ़ें|ये भी पढ़ें|আরও পড়ুন|"
    r"อ่านเพิ่มเติม|อ่านข่าวที่เกี่ยวข้อง|관련기사|関連記事|延伸閱讀|延伸阅读|相关新闻|相關新聞)\s*[:：]?"
    r"|\b(?:our standards|editorial (?:standards|guidelines|policy)|trust principles"
    r"|terms of (?:use|service)|privacy policy|all rights reserved|cookie policy)\b",
    re.I,
)


@dataclass(slots=True)
class Header:
    """What the header zone of an article told: title, byline, date, and the body left over."""

    title: str | None = None
    byline: str | None = None
    date: str | None = None
    body: list[str] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # where each body paragraph was in the input


def is_stray_value(line: str) -> bool:
    """True for an empty template field printed as text: "None", "null", "undefined"."""
    return line.strip().strip(".:").lower() in _STRAY_VALUES


def is_advert_marker(line: str) -> bool:
    """True for an advertisement slot's label, which scrapers leave anywhere in the body."""
    return bool(_ADVERT.match(line.strip()))


def _is_interface(piece: str) -> bool:
    """True for a scraped button or label, a logo's alt text, a reading time or a copyright."""
    words = " ".join(re.sub(r"[^\w\s&/]", " ", piece.lower()).split())
    if not words or words in _INTERFACE:
        return True
    if len(words.split()) <= 6 and re.search(r"\blogos?$|\blogo image$|\bicon$", words):
        return True
    if re.match(
        r"^(?:share|follow us|follow|subscribe|sign up|listen)\s+(?:on|to|for|via)\b", words
    ):
        return len(words.split()) <= 8
    if _READING_TIME.match(piece.strip()) or _RELATIVE_TIME.match(piece.strip()):
        return True
    return bool(_COPYRIGHT.search(piece.strip())) and len(piece) <= 120


def _is_menu(line: str) -> bool:
    """True for a navigation bar or breadcrumb: three or more short items and no sentence."""
    items = [item for item in _MENU_SEPARATORS.split(line) if item.strip()]
    if len(items) < 3 or not _MENU_SEPARATORS.search(line):
        return False
    if find_date(line):
        return False
    return all(len(item.split()) <= 4 and not SENTENCE_END.search(item) for item in items)


# A name in a script without capitals (Thai, Devanagari, Arabic, Hebrew, Chinese, Korean) is
# short: "สมชาย", "राकेश", "陳怡君"; a longer run is a phrase.
_CASELESS_NAME_CHARS = 12


def _caseless_name(word: str) -> bool:
    """True for a short word of a script that has no capitals."""
    first = word[0]
    return first.isalpha() and not first.islower() and len(word) <= _CASELESS_NAME_CHARS


def looks_like_names(text: str) -> bool:
    """True when `text` reads as one or more names: capitalised words (or short words of a
    script without capitals) and name particles."""
    words = re.findall(r"[^\s,;]+", text)
    if not 1 <= len(words) <= 12:
        return False
    for word in words:
        bare = word.strip(".'’\"()")
        if not bare or bare.lower() in _NAME_PARTICLES:
            continue
        if not (bare[0].isupper() or bare[0].isdigit() or _caseless_name(bare)):
            return False
    return not SENTENCE_END.search(text) or bool(re.search(r"\b[A-Z]\.$", text))


# A Korean byline puts "reporter" after the name, and often the reporter's address:
# "김민수 기자", "김민수 기자 minsu@example.kr".
_REPORTER_AFTER = re.compile(r"^(?P<name>\S+(?:\s\S+)?)\s*(?:기자|특파원)(?:\s+\S+@\S+)?$")
_EMAIL = re.compile(r"\S+@\S+\.\w+")


def is_sign_off(line: str) -> bool:
    """True for a reporter's sign-off at the end of a story: a name and an email address."""
    return len(line.split()) <= 5 and bool(_EMAIL.search(line) or _REPORTER_AFTER.match(line))


def _without_place(name: str) -> str:
    """A dated byline's name without the dateline's place after it ("Jane Doe, Tokyo"): one
    word after the last comma is a place, where a co-author would have a name of two."""
    head, comma, place = name.rpartition(",")
    if comma and len(place.split()) == 1 and len(head.split()) >= 2:
        return head.strip(" ,")
    return name


def split_byline(piece: str) -> tuple[str | None, str | None] | None:
    """Split "By NAME [DATE]" into the name (no "By ") and the ISO date; None if no byline.

    A line such as "Posted by admin on 2019-04-02" is a byline whose name is no name: it
    gives `(None, "2019-04-02")`.
    """
    after = _REPORTER_AFTER.match(piece.strip())
    if after:
        return after.group("name"), None
    match = _BYLINE.match(piece.strip())
    if not match:
        return None
    rest = match.group("rest")
    found = find_date(rest)
    iso = None
    if found:
        iso = found.iso
        rest = rest[: found.start]
    # Whatever follows the name on the same line ("| Published", "- Updated") is not the name.
    rest = _SEPARATORS.split(rest)[0]
    rest = re.sub(
        r"(?:[\s,|•·–—-]|\b(?:on|at|published|posted|updated|last|and)\b)*$", "", rest, flags=re.I
    )
    name = clean_line(rest).strip(" ,;:")
    if iso:
        name = _without_place(name)
    if name and looks_like_names(name):
        return name, iso
    # "By the end of the year" is a sentence; with a date after it, it is a byline line.
    return (None, iso) if iso and len(name.split()) <= 3 else None


@dataclass(slots=True)
class _LineMeta:
    """What a header line turned out to be, piece by piece."""

    byline: str | None = None
    date: str | None = None


def _read_meta_line(line: str) -> _LineMeta | None:
    """Read a header line made only of furniture, dates and a byline; None for anything else.

    Lines are read piece by piece, split at " | " and the like, so that
    "By Jane Doe | March 26, 2024 | 4 min read" yields a byline and a date.
    """
    if is_stray_value(line) or _is_menu(line):
        return _LineMeta()
    meta = _LineMeta()
    for piece in _SEPARATORS.split(_BEFORE_UPDATE.sub(" | ", line.strip())):
        piece = piece.strip(" ,;")
        if not piece or is_stray_value(piece) or _is_interface(piece) or _is_label(piece):
            continue
        if _is_site_notice(piece):
            continue
        updated = _UPDATED.match(piece)
        rest = piece[updated.end() :].strip() if updated else ""
        if updated and (find_date(piece) or _RELATIVE_TIME.match(rest) or _CLOCK.match(rest)):
            continue  # a modification date or time is not the publication date
        if _CLOCK.match(piece):
            continue
        if _OTHER_CALENDAR.search(piece) and count_words(piece) <= 12:
            # The Gregorian date printed beside it, if any, is the date.
            found = find_date(piece)
            meta.date = meta.date or (found.iso if found else None)
            continue
        published = _PUBLISHED.match(piece)
        if published and parse_date(piece[published.end() :]):
            meta.date = meta.date or parse_date(piece[published.end() :])
            continue
        dated = parse_date(piece) or parse_date(_WEEKDAY_BEFORE.sub("", piece))
        if dated:
            meta.date = meta.date or dated
            continue
        byline = split_byline(piece)
        if byline and meta.byline is None:
            meta.byline = byline[0]
            meta.date = meta.date or byline[1]
            continue
        if meta.byline and len(piece.split()) <= 4 and looks_like_names(piece):
            continue  # the byline's newsroom or role: "By Jane Doe | Reuters"
        dateline = _NAME_PLACE.match(piece)
        if dateline and meta.byline is None and _dated_line(line):
            name = dateline.group("name").strip()
            if 2 <= len(name.split()) <= 4 and looks_like_names(name) and looks_like_names(dateline.group("place")):
                meta.byline = name
                continue
        return None
    if meta.byline and meta.date:
        meta.byline = _without_place(meta.byline)
    return meta


def _dated_line(line: str) -> bool:
    """True when a line's last piece is a date: "..., Tokyo — 3 April 2025"."""
    pieces = [p for p in _SEPARATORS.split(line.strip()) if p.strip()]
    return len(pieces) >= 2 and parse_date(pieces[-1].strip(" ,;")) is not None


def _is_label(piece: str) -> bool:
    """True for a label a page prints before a value: "Published", "Image caption,"."""
    return bool(_LABEL.match(piece.strip(" ,:;")))


def _is_caption(line: str) -> bool:
    """True for a photo caption: a sentence or so ending in a credit, or "Photo: ..."."""
    return len(line.split()) >= 6 and bool(_CAPTION.search(line))


def _is_title_like(line: str) -> bool:
    """True for a line that could be a headline: short, no closing full stop, capitalised."""
    if len(line) > 200 or not line[:1] or line[0].islower():
        return False
    if re.search(r"[.,;:]$", line) and not line.endswith("..."):
        return False
    return bool(re.search(r"\w", line))


def _is_substantial_title(line: str) -> bool:
    """True for a headline rather than a site name or a section label (words counted as
    `count_words` does, so a Chinese or Japanese headline without spaces counts its characters)."""
    words = count_words(line)
    return words >= 4 and (len(line) >= 20 or words >= 8)


def strip_leading_meta(paragraphs: list[str]) -> Header:
    """Bylines, dates and furniture at the very top of an extracted body, taken off it.

    For bodies that an HTML extractor already separated from the title: only the opening
    run of such lines is looked at, and the title is not searched for.
    """
    header = Header()
    start = 0
    while start < min(len(paragraphs), HEADER_ZONE):
        meta = _read_meta_line(paragraphs[start])
        if meta is None:
            break
        header.byline = header.byline or meta.byline
        header.date = header.date or meta.date
        start += 1
    header.body = paragraphs[start:]
    header.kept = list(range(start, len(paragraphs)))
    return header


def _byline_follows(paragraphs: list[str], start: int) -> bool:
    """True when one of the three paragraphs from `start` is a byline line."""
    for paragraph in paragraphs[start : start + 3]:
        meta = _read_meta_line(paragraph)
        if meta is not None and meta.byline:
            return True
    return False


@dataclass(slots=True)
class _Scan:
    """What a pass over the header zone found, line by line."""

    metas: dict[int, _LineMeta] = field(default_factory=dict)
    body_start: int = 0  # the first line of the body proper
    prose_at: int | None = None  # the first line of prose, if the zone held one

    @property
    def byline_at(self) -> int | None:
        """The line the byline was read from."""
        return next((i for i, m in self.metas.items() if m.byline), None)


def _scan_header(paragraphs: list[str], title_known: bool) -> _Scan:
    """Classify the lines of the header zone until the prose starts."""
    zone = min(HEADER_LIMIT, len(paragraphs))
    scan = _Scan(body_start=zone)
    caption_next = False
    headline_seen = title_known
    for i, paragraph in enumerate(paragraphs[:zone]):
        if i - len(scan.metas) >= HEADER_ZONE:
            scan.body_start = i  # a dozen short lines that are not furniture: a list, a poem
            break
        meta = _header_meta(paragraph, scan.metas.get(i - 1), caption_next, headline_seen)
        caption_next = bool(_CAPTION_LABEL.match(paragraph))
        if meta is not None:
            scan.metas[i] = meta
        elif _is_prose(paragraph, i):
            if not any(m.byline for m in scan.metas.values()) and _byline_follows(paragraphs, i + 1):
                continue  # a standfirst between the headline and the byline
            scan.body_start = scan.prose_at = i  # the article has begun
            break
        elif _is_substantial_title(paragraph):
            headline_seen = True
    return scan


def _header_meta(
    line: str, previous: _LineMeta | None, caption_next: bool, headline_seen: bool
) -> _LineMeta | None:
    """What a header line is when it is furniture or metadata; None for a title or prose."""
    meta = _read_meta_line(line)
    if meta is not None:
        return meta
    if caption_next:
        return _LineMeta()  # the text after an "Image caption" label
    after_byline = previous is not None and previous.byline is not None
    if after_byline and headline_seen and _is_title_like(line) and len(line.split()) <= 4:
        return _LineMeta()  # the byline's newsroom or role: "BBC News", "Staff Writer"
    return None


def _is_prose(line: str, index: int) -> bool:
    """True for a line that starts the article: not a headline, not a photo caption."""
    return not _is_title_like(line) and not (index > 0 and _is_caption(line))


def _choose_title(paragraphs: list[str], scan: _Scan) -> int | None:
    """The index of the headline among the header lines, or None when none reads as one."""
    byline_at = scan.byline_at
    candidates = [
        i
        for i in range(scan.body_start)
        if i not in scan.metas and _is_title_like(paragraphs[i])
    ]
    before = [i for i in candidates if byline_at is None or i < byline_at]
    pool = before or candidates
    if byline_at is None and scan.prose_at is None:
        # Nothing but short lines: only a first line followed by others can be a title.
        first = next((i for i in range(len(paragraphs)) if i not in scan.metas), None)
        pool = [first] if first in pool and first < len(paragraphs) - 1 else []
    title_at = next((i for i in pool if _is_substantial_title(paragraphs[i])), None)
    if title_at is None and pool:
        longest = max(pool, key=lambda i: len(paragraphs[i]))
        title_at = longest if count_words(paragraphs[longest]) >= 2 else None
    return title_at


def _keeps_header_line(paragraphs: list[str], i: int, scan: _Scan, title_at: int | None) -> bool:
    """Whether header line `i` belongs to the body: above the title sit site names and section
    labels, below it a caption with a credit is the lead photo's; anything else (a
    standfirst) is the article's."""
    if i in scan.metas or i == title_at or (title_at is not None and i < title_at):
        return False
    return not _is_caption(paragraphs[i])


def read_header(paragraphs: list[str], title: str | None = None) -> Header:
    """Find the title, byline and date at the top of `paragraphs` and drop the furniture.

    `title` is one already known (from a Markdown heading): then no line is taken for it.
    """
    scan = _scan_header(paragraphs, title_known=title is not None)
    header = Header(title=title)
    for meta in scan.metas.values():
        header.byline = header.byline or meta.byline
        header.date = header.date or meta.date
    title_at = _choose_title(paragraphs, scan) if title is None else None
    if title_at is not None:
        header.title = clean_line(paragraphs[title_at])
    kept = [
        i
        for i, paragraph in enumerate(paragraphs)
        if (
            _keeps_header_line(paragraphs, i, scan, title_at)
            if i < scan.body_start
            else not (is_stray_value(paragraph) or is_advert_marker(paragraph))
        )
    ]
    header.kept = kept[: footer_start([paragraphs[i] for i in kept])]
    header.body = [paragraphs[i] for i in header.kept]
    return header


def _is_site_notice(line: str) -> bool:
    """True for a short closing notice about the publisher: standards, terms, rights, tags."""
    return len(line.split()) <= 14 and bool(_SITE_NOTICE.search(line))


def footer_start(body: list[str]) -> int:
    """Where the sharing buttons, notices and copyright lines that `body` ends with begin."""
    end = len(body)
    while end > 1 and len(body) - end < FOOTER_ZONE:
        last = body[end - 1]
        if not (
            is_stray_value(last)
            or _is_menu(last)
            or _is_interface(last)
            or _is_site_notice(last)
            or is_sign_off(last)
        ):
            break
        end -= 1
    return end


