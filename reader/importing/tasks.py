"""One import line read as a task: a text, its spans, and what reader's export said of it.

A line is reader's own JSONL, a Prodigy task or a doccano example. Everything in it is
untrusted, so a line is refused (`LineError`, with the reason) unless all of it is right:

- the text is a string with something visible in it, holds no control character (cleaning
  one out would shift every offset after it), and no paragraph longer than ingest allows;
- every span is whole: integer offsets inside the text (characters, or UTF-16 code units
  when the file counts in those), not empty, not only white space or invisible characters,
  and its `text`, when given, is the text at those offsets;
- every label is a name as the config takes one (`span_label`): at most `MAX_LABEL_LENGTH`
  characters, none of them white space, control or invisible (format) characters. Labels
  are taken in upper case, as the config takes them.

A line without spans that carries a text category (Prodigy's `label` as a string, or
`options`/`accept`) is not a span task: it is skipped and counted, not refused.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from reader.article import REVIEW_STATUSES, ReviewStatus
from reader.config import MAX_LABEL_LENGTH, label_name
from reader.ingest import MAX_PARAGRAPH_CHARS
from reader.offsets import OFFSET_UNITS, UTF16Offsets
from reader.text import article_id, escaped, is_safe, shortened

# Why a good line is not imported.
NOT_ACCEPTED = "not accepted"  # a Prodigy answer other than "accept"
NOT_SPANS = "not spans"  # a text classification task

# Characters that show nothing: white space, and the invisible ones Unicode says to ignore
# (soft hyphen, zero-width spaces and joiners, bidirectional marks, variation selectors...).
_INVISIBLE = (
    "\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
)
_VISIBLE = re.compile(f"[^{_INVISIBLE}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_LONG_PARAGRAPH = re.compile(f"[^\\n]{{{MAX_PARAGRAPH_CHARS + 1}}}")


class LineError(ValueError):
    """A line that cannot be imported; the message says why, without the file and line."""


@dataclass(slots=True)
class ImportedText:
    """One good line: a text, its metadata, and the spans to store on it."""

    line: int
    text: str
    meta: dict[str, Any]
    # (start, end, label, source) with source "manual" or "model"
    spans: list[tuple[int, int, str, str]]
    predictions: int = 0  # unreviewed model spans on the line, which are not imported
    status: ReviewStatus | None = None  # reader's review status, when the line is reader's

    @property
    def article_id(self) -> str:
        """The id the text has (or will have) in the library."""
        return article_id(self.text)

    @property
    def labels(self) -> set[str]:
        """The labels of its spans."""
        return {label for _, _, label, _ in self.spans}


def has_visible(text: str) -> bool:
    """Whether a text shows anything: a character that is not white space nor invisible."""
    return _VISIBLE.search(text) is not None


def span_label(value: Any, where: str) -> str:
    """A span's label as the config keeps it (`config.label_name`: upper case, at most
    `MAX_LABEL_LENGTH` characters); LineError unless the file gives it as a name already.

    What cleaning would change is refused rather than cleaned, since a label that is changed
    on the quiet is another label: white space (CoNLL and brat separate fields by it),
    control and invisible characters (they make two labels that look the same), lone
    surrogates.
    """
    if not isinstance(value, str) or not value:
        raise LineError(f"{where}: the label is not a non-empty string")
    if len(value) > MAX_LABEL_LENGTH:
        raise LineError(
            f"{where}: the label is {len(value):,} characters long (at most {MAX_LABEL_LENGTH})"
        )
    if any(unicodedata.category(c)[0] in "CZ" for c in value):
        raise LineError(
            f"{where}: label {escaped(value)} has white space, control or invisible characters in it"
        )
    try:
        return label_name(value)
    except ValueError as exc:
        raise LineError(f"{where}: {exc}") from None


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _span(item: Any, index: int, text: str, units: UTF16Offsets | None) -> tuple[int, int, str, str]:
    """One span as `(start, end, label, source)`, from any of the shapes the formats use."""
    where = f"span {index + 1}"
    given_text: Any = None
    source: Any = None
    if isinstance(item, list):
        # doccano: [start, end, "LABEL"]
        if len(item) != 3:
            raise LineError(f"{where}: expected [start, end, label], found {len(item)} items")
        start, end, label = item
    elif isinstance(item, dict):
        # Prodigy and reader: start/end/label; doccano's relation export: start_offset/end_offset.
        start = item.get("start", item.get("start_offset"))
        end = item.get("end", item.get("end_offset"))
        label = item.get("label")
        given_text = item.get("text")
        source = item.get("source")
    else:
        raise LineError(f"{where}: not an object nor a [start, end, label] list")
    if not _integer(start) or not _integer(end):
        raise LineError(
            f"{where}: start and end must be integers, found {escaped(repr(start))} and {escaped(repr(end))}"
        )
    length = len(text) if units is None else units.length
    if not (0 <= start < end <= length):
        if 0 <= start <= length and 0 <= end <= length:
            raise LineError(f"span {start}-{end} is {'empty' if start == end else 'reversed'}")
        raise LineError(f"span {shortened(start)}-{shortened(end)} is outside the text (0-{length})")
    if units is not None:
        try:
            start, end = units.to_chars(start), units.to_chars(end)
        except ValueError as exc:
            raise LineError(f"span {index + 1}: {exc}") from None
    where = f"span {start}-{end}"
    label = span_label(label, where)
    covered = text[start:end]
    if not has_visible(covered):
        raise LineError(f"{where} holds only white space or invisible characters")
    if given_text is not None and given_text != covered:
        raise LineError(
            f"{where} says {escaped(str(given_text))} but the text there is {escaped(covered)}"
        )
    if source == "prediction":
        return start, end, label, "prediction"
    return start, end, label, "model" if source == "model" else "manual"


def _text(task: dict[str, Any]) -> str:
    text = task.get("text", task.get("data"))
    if text is None:
        raise LineError('no "text"')
    if not isinstance(text, str):
        raise LineError(f'"text" is not a string but {type(text).__name__}')
    if not has_visible(text):
        raise LineError('"text" has nothing to read: only white space or invisible characters')
    if not is_safe(text):
        # Cleaning would remove characters and shift every offset after them.
        raise LineError('"text" holds control characters: cleaning them out would shift the offsets')
    long = _LONG_PARAGRAPH.search(text)
    if long is not None:
        raise LineError(
            f'"text" has a paragraph of more than {MAX_PARAGRAPH_CHARS:,} characters '
            f"(at character {long.start()}): not article text, as with ingest"
        )
    return text


def parse_line(raw: bytes, line: int, *, utf16: bool | None = False) -> ImportedText | str:
    """One JSONL line as an `ImportedText`, or why a good line is skipped (`NOT_ACCEPTED`,
    `NOT_SPANS`); LineError if the line is bad.

    Spans come from "spans" (reader, Prodigy), else "entities" (doccano: lists or objects
    with start_offset/end_offset/label), else "label" (doccano: lists). `utf16`: the offsets
    count UTF-16 code units, as doccano does; False, characters; None, not said: characters,
    except that a doccano line whose offsets would differ in the two is refused.
    """
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LineError("not UTF-8") from None
    if line == 1:
        decoded = decoded.removeprefix("\ufeff")
    try:
        task = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise LineError("not valid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise LineError(f"not valid JSON: {exc}") from None
    if not isinstance(task, dict):
        raise LineError(f"expected a JSON object, found {type(task).__name__}")
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    status = meta.get("status") if meta.get("status") in REVIEW_STATUSES else None
    # Prodigy: rejected or ignored tasks say nothing about the text's spans. But reader writes
    # "ignore" for the articles not reviewed to the end, and says so in meta.status.
    answer = task.get("answer", "accept")
    if answer != "accept" and not (answer == "ignore" and status is not None):
        return NOT_ACCEPTED
    found: Any = None
    found_in = None
    for key in ("spans", "entities", "label"):
        if key in task and not (key == "label" and isinstance(task[key], str)):
            found, found_in = task[key], key
            if not isinstance(found, list):
                raise LineError(f'"{key}" is not a list of spans')
            break
    if not found and (isinstance(task.get("label"), str) or "options" in task or "accept" in task):
        return NOT_SPANS
    text = _text(task)
    if utf16 is None and meta.get("offsets") in OFFSET_UNITS:
        utf16 = meta["offsets"] == "utf16"  # reader's doccano export says what it counts
    units = UTF16Offsets(text) if utf16 else None
    spans = [_span(item, i, text, units) for i, item in enumerate(found or [])]
    kept = [s for s in spans if s[3] != "prediction"]
    if utf16 is None and found_in != "spans" and spans:
        # doccano's shape, and nobody said what its offsets count (reader's and Prodigy's
        # count characters, as Python does; doccano UTF-16 units, as JavaScript does). They
        # differ only after a character beyond the BMP: read wrongly, every span after one is
        # shifted, a wrong example that no check would catch.
        astral = _ASTRAL.search(text)
        if astral is not None and max(end for _, end, _, _ in spans) > astral.start():
            raise LineError(
                f"an emoji (or another character beyond the BMP) at character {astral.start()} comes "
                "before a span, where doccano's UTF-16 offsets and characters differ: say which "
                "the file counts, --offsets utf16 (doccano's own) or --offsets chars"
            )
    return ImportedText(line, text, meta, kept, len(spans) - len(kept), status)
