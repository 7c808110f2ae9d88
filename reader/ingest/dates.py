"""Publication dates written the ways news pages write them, turned into ISO 8601.

A small parser of our own rather than dateparser: importing dateparser costs most of a second,
and plain-text ingestion must stay fast. It knows ISO timestamps, "March 26, 2024",
"26 March 2024", "Tue, Mar 26 2024 8:38 PM", "2024/03/26", the Unix `date` form, months named in French, Spanish, German, Italian, Portuguese and
Arabic ("26 de marzo de 2024"), "2024年3月26日",
"26.03.2024", and "21/12/2024" when the order of day and month cannot be mistaken, in any
script's digits, Thai dates in the Buddhist era ("14 ก.ย. 2568" is 2025-09-14); never a
year of another calendar read as Gregorian (Buddhist 2568 in numbers, Hijri 1446); a date
without a time gives a day (`2024-03-26`), a date with a time gives a timestamp.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# Month names of the other languages reader meets most, for "29 octobre 2012", "4. August
# 2013", "4 de agosto de 2013", "04 آب/اغسطس 2013".
_OTHER_MONTHS = {
    1: "janvier janv enero januar jänner gennaio janeiro يناير كانون_الثاني",
    2: "février févr fevrier febrero februar febbraio fevereiro فبراير شباط",
    3: "mars marzo märz marz março مارس آذار",
    4: "avril avr abril aprile أبريل ابريل نيسان",
    5: "mai mayo maggio maio مايو أيار ايار",
    6: "juin junio juni giugno junho يونيو يونيه حزيران",
    7: "juillet juil julio juli luglio julho يوليو يوليه تموز",
    8: "août aout agosto أغسطس اغسطس آب",
    9: "septembre septiembre setiembre settembre setembro سبتمبر أيلول ايلول",
    10: "octobre octubre oktober ottobre outubro أكتوبر اكتوبر تشرين_الأول",
    11: "novembre noviembre novembro نوفمبر تشرين_الثاني",
    12: "décembre déc decembre diciembre dezember dicembre dezembro ديسمبر كانون_الأول",
}
# And of the Gregorian calendar in Russian, Ukrainian, Greek (all in the genitive, as a date
# writes them: "3 марта 2025", "4 Μαρτίου 2025"), Turkish, Indonesian, Swahili, Hindi,
# Bengali, Hebrew (after its "in": "4 במרץ 2025") and Persian. A month of another calendar
# (Hijri, Solar Hijri, Hebrew, Buddhist) is never among them: its year is not a Gregorian year.
_MORE_MONTHS = {
    1: "января січня ιανουαρίου ιανουαριου ocak januari जनवरी জানুয়ারি בינואר ינואר ژانویه",
    2: "февраля лютого φεβρουαρίου φεβρουαριου şubat subat februari फ़रवरी फरवरी ফেব্রুয়ারি בפברואר פברואר فوریه",
    3: "марта березня μαρτίου μαρτιου mart maret machi मार्च মার্চ במרץ מרץ مارس",
    4: "апреля квітня απριλίου απριλιου nisan aprili अप्रैल এপ্রিল באפריל אפריל آوریل",
    5: "мая травня μαΐου μαιου mayıs mayis mei मई মে במאי מאי مه",
    6: "июня червня ιουνίου ιουνιου haziran juni जून জুন ביוני יוני ژوئن",
    7: "июля липня ιουλίου ιουλιου temmuz juli julai जुलाई জুলাই ביולי יולי ژوئیه",
    8: "августа серпня αυγούστου αυγουστου ağustos agustus agosti अगस्त আগস্ট באוגוסט אוגוסט اوت",
    9: "сентября вересня σεπτεμβρίου σεπτεμβριου eylül eylul september septemba सितंबर सितम्बर সেপ্টেম্বর בספטמבר ספטמבר سپتامبر",
    10: "октября жовтня οκτωβρίου οκτωβριου ekim oktober oktoba अक्टूबर অক্টোবর באוקטובר אוקטובר اکتبر",
    11: "ноября листопада νοεμβρίου νοεμβριου kasım kasim november novemba नवंबर नवम्बर নভেম্বর בנובמבר נובמבר نوامبر",
    12: "декабря грудня δεκεμβρίου δεκεμβριου aralık aralik desember desemba दिसंबर दिसम्बर ডিসেম্বর בדצמבר דצמבר دسامبر",
}  # fmt: skip
_MONTHS |= {
    name.replace("_", " "): number
    for table in (_OTHER_MONTHS, _MORE_MONTHS)
    for number, names in table.items()
    for name in names.split()
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+)?"
# A clock time, optionally with seconds, am/pm and a zone; a bare abbreviation such as "ET"
# is read and ignored because it does not say which offset it means on that day.
_TIME = (
    r"(?:,?\s*(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?)?"
    r"(?:\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2})|\s*(?-i:[A-Z]{2,4})\b)?)?"
)
# No news page is older; a larger year than next year's is another calendar's.
FIRST_YEAR = 1900
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"

# Thai months, full and abbreviated ("25 มีนาคม 2568", "14 ก.ย. 2568"); Thai pages count years
# in the Buddhist era, 543 ahead of the Gregorian.
_THAI_MONTHS = {
    name: number
    for number, names in enumerate(
        ("มกราคม ม.ค.", "กุมภาพันธ์ ก.พ.", "มีนาคม มี.ค.", "เมษายน เม.ย.", "พฤษภาคม พ.ค.", "มิถุนายน มิ.ย.",
         "กรกฎาคม ก.ค.", "สิงหาคม ส.ค.", "กันยายน ก.ย.", "ตุลาคม ต.ค.", "พฤศจิกายน พ.ย.", "ธันวาคม ธ.ค."),
        start=1,
    )
    for name in names.split()
}  # fmt: skip
BUDDHIST_ERA_OFFSET = 543
_THAI_MONTH = "(?P<thai_month>" + "|".join(re.escape(m) for m in sorted(_THAI_MONTHS, key=len, reverse=True)) + ")"

_PATTERNS = [
    # 2024-03-26, 2024-03-26T20:38:00.000+01:00, 2024-03-26 20:38
    re.compile(
        r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
        r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
        r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
    ),
    # Tuesday, March 26, 2024 8:38 PM
    re.compile(r"\b" + _WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"\b" + _TIME, re.I),
    # 26 March 2024, 26th of March, 2024, 26. März 2024, 26 de marzo de 2024, 1er mai 2024,
    # 04 آب/اغسطس 2013 (a month's two names, Levantine and Egyptian)
    re.compile(
        r"\b" + _WEEKDAY + _DAY + r"\.?\s+(?:of\s+|de\s+)?" + _MONTH + r"(?:/\w+)?,?\s+(?:de\s+)?"
        + _YEAR + r"\b" + _TIME,
        re.I,
    ),
    # Fri Mar 13 21:30:09 EST 2015 (the Unix `date` form some sites put in metadata)
    re.compile(
        r"\b" + _WEEKDAY + _MONTH + r"\s+" + _DAY
        + r"\s+(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})\s+[A-Z]{2,5}\s+" + _YEAR + r"\b",
        re.I,
    ),
    # 2024/03/26 and 2024.03.26: year first is never ambiguous
    re.compile(
        r"(?<![\d/.])(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})(?![\d/.])"
        r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?![\d:]))?"
    ),
    # 2024年3月26日 (Chinese, Japanese) and 2024년 3월 26일 (Korean), with an optional time
    # (18:05, 18時05分, 18시 05분)
    re.compile(
        r"(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]"
        r"(?:\s*(?P<hour>\d{1,2})[:時时시]\s*(?P<minute>\d{2})[分분]?)?"
    ),
    # 25 มีนาคม 2568, 14 ก.ย. 2568 16:45 น., 25 มี.ค. พ.ศ. 2568 (a Buddhist-era year, or now
    # and then a Gregorian one)
    re.compile(
        r"(?P<day>\d{1,2})\s*" + _THAI_MONTH + r"\s*(?:พ\.ศ\.\s*)?(?P<thai_year>(?:19|20|24|25)\d\d)(?!\d)"
        r"(?:,?\s+(?:เวลา\s*)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?!\d))?"
    ),
    # 26.03.2024 12:46: with dots, day first, as German, Czech or Russian pages write it
    re.compile(
        r"(?<![\w.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?![\d.])"
        r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?![\d:]))?"
    ),
    # 21/12/2018 or 12/21/2018: only when one of the two numbers cannot be a month
    re.compile(r"(?<![\d/.])(?P<first>\d{1,2})/(?P<second>\d{1,2})/(?P<year>\d{4})(?![\d/.])"),
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in a string: its ISO form and where it was."""

    iso: str
    start: int
    end: int


def _iso(groups: dict[str, str | None]) -> str | None:
    """The ISO form of matched parts, or None when they are no real date."""
    if groups.get("first"):
        first, second = int(groups["first"] or 0), int(groups["second"] or 0)
        if (first > 12) == (second > 12):
            return None  # 03/04/2024 is March or April depending on the country
        day, month = (first, second) if first > 12 else (second, first)
        groups = {"year": groups["year"], "month": str(month), "day": str(day)}
    if groups.get("thai_month"):
        year = int(groups["thai_year"] or 0)
        year -= BUDDHIST_ERA_OFFSET if year > 2400 else 0
        month = _THAI_MONTHS[groups["thai_month"] or ""]
        groups = groups | {"year": str(year), "month": str(month)}
    month_text = groups["month"] or ""
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower().rstrip("."))
    year = int(groups["year"] or 0)
    if not FIRST_YEAR <= year <= date.today().year + 1:
        return None  # a year of another calendar (Buddhist 2568, Hijri 1446, Solar Hijri 1403)
    try:
        day = date(year, month or 0, int(groups["day"] or 0))
    except ValueError:
        return None
    if groups.get("hour") is None:
        return day.isoformat()
    hour, minute = int(groups["hour"] or 0), int(groups["minute"] or 0)
    ampm = (groups.get("ampm") or "").replace(".", "").replace(" ", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    second = groups.get("second")
    try:
        moment = datetime(day.year, day.month, day.day, hour, minute, int(second or 0))
    except ValueError:
        return None
    text = moment.isoformat(timespec="seconds" if second else "minutes")
    zone = groups.get("zone")
    if zone:
        if zone.upper() in ("Z", "UTC", "GMT"):
            text += "Z"
        else:
            digits = zone[1:].replace(":", "")
            text += f"{zone[0]}{digits[:2]}:{digits[2:]}"
    return text


_DIGITS = re.compile(r"\d\d")
# Every script's decimal digits read as ASCII ones ("١٢ مارس ٢٠٢٥", "১২ জানুয়ারি ২০২৫"), one
# character for one, so that positions in the text stay where they were.
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _ascii_digits(text: str) -> str:
    """`text` with every script's decimal digits written as ASCII ones."""
    if text.isascii():
        return text
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), text)


def find_date(text: str) -> DateMatch | None:
    """The first date written in `text`, with its position, or None."""
    if not _DIGITS.search(text):
        return None  # every date has a year: most lines of text need no further look
    text = _ascii_digits(text)
    best: DateMatch | None = None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            iso = _iso(match.groupdict())
            if iso is None:
                continue
            # A time pattern may swallow trailing spaces; positions exclude them.
            end = match.start() + len(match.group(0).rstrip(" ,"))
            if best is None or match.start() < best.start:
                best = DateMatch(iso, match.start(), end)
            break
    return best


_NUMERIC = re.compile(
    r"(?<![\d/.])(?P<a>\d{1,2})/\s?(?P<b>\d{1,2})/(?P<year>\d{4}|\d{2})(?![\d/.])" + _TIME, re.I
)


def find_numeric_date(text: str, *, month_first: bool) -> DateMatch | None:
    """The first all-numeric date in `text` ("3/09/15 8:00am", "29/10/2012"), read month first
    or day first as the page's country writes it."""
    text = _ascii_digits(text)
    for match in _NUMERIC.finditer(text):
        groups = match.groupdict()
        year = groups["year"] or ""
        if len(year) == 2:
            year = f"20{year}" if int(year) <= date.today().year % 100 else f"19{year}"
        month, day = (groups["a"], groups["b"]) if month_first else (groups["b"], groups["a"])
        iso = _iso(groups | {"year": year, "month": month, "day": day})
        if iso:
            end = match.start() + len(match.group(0).rstrip(" ,"))
            return DateMatch(iso, match.start(), end)
    return None


def parse_date(text: str) -> str | None:
    """The ISO form of `text` when it is a date and nothing else (bar punctuation), else None."""
    found = find_date(text)
    if found is None:
        return None
    rest = text[: found.start] + text[found.end :]
    return found.iso if not re.search(r"\w", rest) else None
