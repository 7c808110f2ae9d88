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


def strip_controls(text: str) -> str:
    """Strip escape sequences, control and bidi-override characters and lone surrogates, and
    nothing else (newlines and tabs aside: CR and CRLF become LF, tabs spaces)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL.sub("", text.replace("\t", " "))


def clean(text: str) -> str:
    """`strip_controls`, then normalise to NFC."""
    return unicodedata.normalize("NFC", strip_controls(text))


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


# What JSON leaves as it is and a terminal does not: DEL and C1 (U+009B is a CSI), the bidi
# overrides, the line and paragraph separators, and lone surrogates (which cannot be printed).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\u061c\ufeff\ud800-\udfff]")


def json_for_terminal(encoded: str) -> str:
    """JSON text (as `json.dumps(..., ensure_ascii=False)` writes it) with every character a
    terminal would act on written as a \\u escape: the same JSON, safe to print."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def is_safe(text: str) -> bool:
    """True when `text` holds no control character other than newline."""
    return _CONTROL.search(text.replace("\n", "")) is None and "\x1b" not in text


# Combining marks that are part of a word: Hebrew points, Arabic vowel marks, the vowel signs
# and viramas of the Indic scripts, Thai, Lao, Myanmar and Khmer. Python's `\w` leaves them
# out, and a token that stops before one cuts a letter from its vowel.
WORD_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u0981-\u0983\u09bc-\u09d7"
    "\u09e2\u09e3\u0a01-\u0a03\u0a3c-\u0a51\u0a70\u0a71\u0a75\u0a81-\u0a83\u0abc-\u0acd"
    "\u0ae2\u0ae3\u0b01-\u0b03\u0b3c-\u0b57\u0b62\u0b63\u0b82\u0bbe-\u0bd7\u0c00-\u0c04"
    "\u0c3c-\u0c56\u0c62\u0c63\u0c81-\u0c83\u0cbc-\u0cd6\u0ce2\u0ce3\u0d00-\u0d03"
    "\u0d3b-\u0d57\u0d62\u0d63\u0d81-\u0d83\u0dca-\u0df3"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd"
    "\u102b-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d\u1071-\u1074"
    "\u1082-\u108d\u108f\u109a-\u109d\u17b4-\u17d3\u17dd"
)
# Thai, Lao, Myanmar and Khmer letters: written without spaces, so without a model each
# letter with its marks is a token of its own, and a name inside a run can be tagged.
SOUTHEAST_LETTERS = "\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46\u0e81-\u0eb0\u0eb2\u0eb3\u0ebd-\u0ec6\u1000-\u102a\u1780-\u17b3"
def word_spans(text: str) -> list[tuple[int, int]]:
    """Plain word and punctuation boundaries, for text that has no model tokens: a word keeps
    its marks; a Chinese or Japanese character, or a letter of Thai, Lao, Myanmar or Khmer,
    is a token."""
    return [m.span() for m in _WORD.finditer(text)]


# Scripts written without spaces between words. Han and kana are read (and counted, as word
# processors do) a character at a time; Thai, Lao, Khmer and Myanmar words run to about four
# letters, so a run of them counts as its length over four.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d"
_SOUTHEAST = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
_UNSPACED = re.compile(f"[{_HAN}{_KANA}]|[{_SOUTHEAST}]+")
_HAN_OR_KANA = re.compile(f"[{_HAN}{_KANA}]")
# A plain token: a Chinese or Japanese character, a Southeast Asian letter with its marks, a
# word with its marks, or one other visible character.
_WORD = re.compile(
    f"[{_HAN}{_KANA}]|[{SOUTHEAST_LETTERS}][{WORD_MARKS}]*"
    f"|(?:\\w|[{WORD_MARKS}])+(?:[-'’.](?:\\w|[{WORD_MARKS}])+)*|[^\\w\\s{WORD_MARKS}]"
)
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


def _characters_and_words(text: str) -> tuple[int, int]:
    """Chinese and Japanese characters, and the words of every other script."""
    characters, words, rest = _unspaced_counts(text)
    return characters, words + len(rest.split())


def _minutes(characters: int, words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE + characters / CHARACTERS_PER_MINUTE))


def count_words(text: str) -> int:
    """Words in `text`: runs between spaces, each Chinese or Japanese character, and Thai (and
    similar) runs by their length, so that a script without spaces is not one word a line."""
    return sum(_characters_and_words(text))


def reading_minutes(text: str) -> int:
    """Minutes a reader needs for `text`, at least one: words at 230 a minute, Chinese and
    Japanese characters at 260."""
    return _minutes(*_characters_and_words(text))


def words_and_minutes(text: str) -> tuple[int, int]:
    """`count_words` and `reading_minutes` of `text` from one pass over it."""
    characters, words = _characters_and_words(text)
    return characters + words, _minutes(characters, words)


def quoted(text: str, limit: int = 40) -> str:
    """Text for a message: one line, cut at `limit` characters with an ellipsis, in single
    quotes (`escaped` shows bad input exactly)."""
    words = " ".join(text.split())
    return f"'{words[:limit]}…'" if len(words) > limit else f"'{words}'"


def shortened(value: object, limit: int = 20) -> str:
    """`str(value)` cut at `limit` characters with an ellipsis: for a number from a file, which
    can run to thousands of digits, in a one-line message."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
