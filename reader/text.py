"""Untrusted article text made safe and regular: control sequences out, NFC, paragraphs."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC (ESC ] ... BEL or ST),
# and two-character escapes (ESC followed by one byte). Removed whole, so that no argument
# of a sequence survives as stray text either.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?             # CSI
    | \x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, SOS, PM, APC up to BEL or ST
    | \x9b[0-?]*[ -/]*[@-~]?             # 8-bit CSI
    | [\x90\x9d\x98\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|$)  # 8-bit OSC/DCS/SOS/PM/APC
    | \x1b[ -/]*[0-~]?                   # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 except tab and newline, DEL, C1, the bidirectional overrides, embeddings and isolates,
# and lone surrogates (JSON can carry them; they cannot be encoded, printed or stored).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\ud800-\udfff]"
)
# The same characters, and ESC, outside a newline: what `blank_controls` turns into spaces.
_CONTROL_OR_ESCAPE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\ud800-\udfff]"
)
_INLINE_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean(text: str) -> str:
    """Strip escape sequences, control and bidi-override characters and lone surrogates;
    normalise to NFC.

    Newlines are kept (CR and CRLF become LF); tabs become spaces.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROL.sub("", text.replace("\t", " "))
    return unicodedata.normalize("NFC", text)


def clean_line(text: str) -> str:
    """`clean`, then fold all white space (newlines included) to single spaces: for titles and names."""
    return " ".join(clean(text).split())


def tidy_paragraph(text: str) -> str:
    """One paragraph as stored: clean, inline white space folded, no line breaks inside."""
    return " ".join(_INLINE_SPACE.sub(" ", clean(text)).split())


def join_paragraphs(paragraphs: list[str]) -> str:
    """The stored article text: tidy, non-empty paragraphs separated by one blank line."""
    kept = [p for p in (tidy_paragraph(p) for p in paragraphs) if p]
    return "\n\n".join(kept)


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """Character bounds `(start, end)` of each paragraph of stored text."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for part in text.split("\n\n"):
        end = start + len(part)
        if part:
            bounds.append((start, end))
        start = end + 2
    return bounds


def article_id(text: str) -> str:
    """The id of an article: a hash of its text with case and white space normalised."""
    normal = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


def blank_controls(text: str) -> str:
    """`text` with every control, bidi-override and lone-surrogate character (newlines aside)
    made a space: safe to show, and the same length, so offsets into it stay true. For text
    that should have been cleaned already but comes from a file someone may have edited."""
    if _CONTROL_OR_ESCAPE.search(text) is None:
        return text
    return _CONTROL_OR_ESCAPE.sub(" ", text)


def is_safe(text: str) -> bool:
    """True when `text` holds no control character other than newline."""
    return _CONTROL.search(text.replace("\n", "")) is None and "\x1b" not in text


_WORD = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Plain word and punctuation boundaries, for text that has no model tokens."""
    return [m.span() for m in _WORD.finditer(text)]


# Scripts written without spaces between words. Han and kana are read (and counted, as word
# processors do) a character at a time; Thai, Lao, Khmer and Myanmar words run to about four
# letters, so a run of them counts as its length over four.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d"
_SOUTHEAST = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
_UNSPACED = re.compile(f"[{_HAN}{_KANA}]|[{_SOUTHEAST}]+")
_HAN_OR_KANA = re.compile(f"[{_HAN}{_KANA}]")
# Ideographic and full-width punctuation: between characters, it is not a word of its own.
_WIDE_PUNCTUATION = re.compile("[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
# Reading speeds: words a minute on a screen for spaced scripts, characters a minute for
# Chinese and Japanese (about 260 for Chinese text, more where kana dominate; 260 is the
# cautious figure).
WORDS_PER_MINUTE = 230
CHARACTERS_PER_MINUTE = 260
SOUTHEAST_LETTERS_PER_WORD = 4


def _unspaced_counts(text: str) -> tuple[int, int, str]:
    """Han/kana characters, words of the other unspaced scripts, and the text without either."""
    if text.isascii():
        return 0, 0, text
    characters = words = 0
    for match in _UNSPACED.finditer(text):
        run = match.group()
        if _HAN_OR_KANA.match(run):
            characters += 1
        else:
            words += math.ceil(len(run) / SOUTHEAST_LETTERS_PER_WORD)
    if not characters and not words:
        return 0, 0, text
    return characters, words, _WIDE_PUNCTUATION.sub(" ", _UNSPACED.sub(" ", text))


def count_words(text: str) -> int:
    """Words in `text`: runs between spaces, each Chinese or Japanese character, and Thai (and
    similar) runs by their length, so that a script without spaces is not one word a line."""
    characters, words, rest = _unspaced_counts(text)
    return characters + words + len(rest.split())


def reading_minutes(text: str) -> int:
    """Minutes a reader needs for `text`, at least one: words at 230 a minute, Chinese and
    Japanese characters at 260."""
    characters, words, rest = _unspaced_counts(text)
    minutes = (words + len(rest.split())) / WORDS_PER_MINUTE + characters / CHARACTERS_PER_MINUTE
    return max(1, math.ceil(minutes))


def quoted(text: str, limit: int = 40) -> str:
    """Text for a message: one line, cut at `limit` characters with an ellipsis, in single
    quotes (`escaped` shows bad input exactly)."""
    words = " ".join(text.split())
    return f"'{words[:limit]}…'" if len(words) > limit else f"'{words}'"


def escaped(text: str, limit: int = 40) -> str:
    """Text for a message about bad input, exactly as it is: shortened, in double quotes,
    every character that does not print (controls, invisible ones, lone surrogates) written
    as an escape, so the user sees what is wrong with it (`quoted` is for prose)."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + '"'


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 span`, `3 spans`, `1,204 entities` (give `many` where adding an s is wrong)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


# What ends a sentence in the scripts news is written in (the common Sentence_Terminal
# characters): Latin and Greek full stops, the ideographic and full-width stops of Chinese and
# Japanese, the Arabic question mark and Urdu full stop, the Devanagari and Bengali danda, the
# Armenian, Ethiopic, Myanmar and Khmer stops.
SENTENCE_TERMINALS = ".!?…。．！？｡؟۔।॥։።፧။៕។"
# What may follow the stop: closing quotes and brackets of any script.
SENTENCE_CLOSERS = "\"'”’»)]」』》】"
SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_TERMINALS)}][{re.escape(SENTENCE_CLOSERS)}]*$")
# Thai and Lao end a sentence with a space and no mark: a line of their letters is prose when
# it is long, whatever its last character.
_UNMARKED_SCRIPT = re.compile("[\u0e01-\u0e2e\u0e81-\u0eae]")
_UNMARKED_PROSE_LETTERS = 40


def ends_sentence(text: str) -> bool:
    """True when `text` ends as a sentence does in its script: a stop (`.`, `。`, `।`, `؟`,
    ...), maybe closed by quotes, or a long run of Thai or Lao, which mark no sentence end."""
    text = text.rstrip()
    return bool(SENTENCE_END.search(text)) or len(_UNMARKED_SCRIPT.findall(text)) >= _UNMARKED_PROSE_LETTERS
