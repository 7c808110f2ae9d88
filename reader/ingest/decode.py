"""Bytes from a file, a response or stdin turned into text, or refused as binary.

The order is: a byte-order mark, then a charset the source declares (an HTTP header or an
HTML `<meta>`), then UTF-8, then charset-normalizer's guess. Binary data is refused before
any of that, so that a PDF or an image never reaches the text rules as mojibake.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from reader.ingest.errors import IngestError

_BOMS = [  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Magic numbers of formats people are likely to pass by mistake, to name them in the error.
# Only ones that a text cannot start with; other binaries are caught by their NUL bytes.
_MAGIC = [
    (b"%PDF-", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive or office document"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3", "SQLite database"),
]
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""")
# Control characters that never occur in text files (tab, LF, FF, CR and ESC do: ESC
# sequences are removed later by reader.text.clean).
_BINARY_CONTROL = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML or XML document declares in its first 4 KiB, if any."""
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def utf16_codec(data: bytes, declared: str | None = None) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text without a byte-order mark, else None.

    Known by its NUL bytes: text in the Latin, Greek or Cyrillic ranges has one in every
    pair, always on the same side; a declaration (`charset=utf-16`) lowers the bar for
    scripts that have fewer. A BOM is left to `decode_bytes`.
    """
    head = data[:1024]
    if len(head) < 4 or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    pairs = len(head) // 2
    even = head[0 : pairs * 2 : 2].count(0)
    odd = head[1 : pairs * 2 : 2].count(0)
    wide = bool(declared) and declared.lower().replace("_", "-").startswith("utf-16")
    share = 0.2 if wide else 0.6
    if odd >= pairs * share and even <= pairs * 0.02:
        codec = "utf-16-le"
    elif even >= pairs * share and odd <= pairs * 0.02:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data[: len(data) // 2 * 2].decode(codec)
    except UnicodeDecodeError:
        return None
    return codec if _mostly_text(text) else None


def _codec(name: str | None) -> str | None:
    """Python's codec for a declared charset name, or None when Python does not know it."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    if codec.startswith(("utf-16", "utf-32")):
        # Bytes that reach here are not UTF-16 (`utf16_codec` found no NUL pattern): the
        # declaration is wrong, as browsers assume when a page's <meta> says so.
        return None
    # Browsers read latin-1 and ASCII declarations as windows-1252 (the WHATWG encoding
    # standard), and real pages labelled so do use its curly quotes in 0x80-0x9f.
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def _refuse_binary(data: bytes) -> None:
    """Raise when `data` looks like a binary file rather than text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"binary file ({kind})")
    if b"\x00" in data[:65536]:
        raise IngestError("binary file (NUL bytes)")


def _mostly_text(text: str) -> bool:
    """True unless a noticeable share of the characters are controls no text file holds."""
    sample = text[:65536]
    return len(_BINARY_CONTROL.findall(sample)) <= max(2, len(sample) // 100)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode `data` as text, honouring a BOM, then `declared`, then UTF-8, then a guess.

    Raises IngestError for binary data and for bytes that no encoding makes sense of.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            # UTF-16/32 text is full of NUL bytes, so the binary check must come after this.
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise IngestError(f"invalid {codec.upper()} text") from None
    _refuse_binary(data)
    text = None
    codec = _codec(declared)
    if codec:
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            utf8 = None
        # Non-ASCII bytes that form valid UTF-8 almost never come from a single-byte charset,
        # so valid UTF-8 wins over a declaration that pages often copied from a template.
        if utf8 is not None and not utf8.isascii():
            text = utf8
        else:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                text = None
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess(data)
    if not _mostly_text(text):
        raise IngestError("binary file (mostly non-text)")
    return text


# Single-byte charsets to try when bytes are not UTF-8, most used first: ties go to the first.
_SINGLE_BYTE = ["cp1252", "cp1251", "cp1250", "koi8_r", "cp1253", "cp1254", "cp1257", "iso8859_15"]
_WORD = re.compile(r"[^\W\d_]+")


def _script(char: str) -> str:
    """The script a letter belongs to, by the first word of its Unicode name."""
    script = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
    # Japanese mixes kanji and kana inside one word; that is not mojibake.
    return "CJK" if script in ("HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC") else script


def implausibility(text: str) -> float:
    """How much of `text`'s non-ASCII writing looks like mojibake, from 0 (none) upwards.

    A word that mixes scripts, switches from lower to upper case inside itself, or is a long
    run of accented Latin letters with no plain ones (what Cyrillic bytes become in cp1252)
    is counted as wrong; so is a symbol such as a box-drawing character.
    """
    sample = text[:20000]
    words = [w for w in _WORD.findall(sample) if not w.isascii()]
    odd_symbols = sum(
        1
        for c in sample
        if ord(c) > 127 and unicodedata.category(c) in ("Cc", "So", "Sk", "Co", "Cn")
    )
    if not words:
        return float(odd_symbols)
    wrong = 0
    for word in words:
        scripts = {_script(c) for c in word if not c.isascii()}
        foreign = sum(1 for c in word if not c.isascii())
        if len(scripts) > 1 or (scripts != {"LATIN"} and foreign < len(word)):
            wrong += 1
        elif scripts == {"LATIN"} and len(word) >= 4 and foreign * 2 > len(word):
            wrong += 1
        elif any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)):
            wrong += 1
    return (wrong + odd_symbols) / len(words)


def _guess(data: bytes) -> str:
    """Decode bytes that are not UTF-8: the most plausible common single-byte charset, or
    charset-normalizer's guess when that reads better (it knows the multi-byte ones).

    charset-normalizer alone misreads short texts (it took a French line in latin-1 for
    cp1257 and a Russian one in cp1251 for cp1125), hence the plausibility check of our own.
    """
    best_text, best_score = None, float("inf")
    for codec in _SINGLE_BYTE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = implausibility(text)
        if score < best_score:
            best_text, best_score = text, score
    if best_text is not None and best_score == 0:
        return best_text
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is not None and implausibility(str(match)) < best_score:
        return str(match)
    if best_text is None:
        raise IngestError("binary file (not text in any known encoding)")
    return best_text


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip or zlib data, refusing output over `max_bytes` (a zip bomb stops early)."""
    import zlib

    # wbits 47 reads both gzip and zlib headers.
    inflater = zlib.decompressobj(wbits=47)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise IngestError(f"corrupt compressed data ({error})") from None
    if len(out) > max_bytes:
        raise IngestError(f"over the size limit (more than {max_bytes:,} bytes uncompressed)")
    return out
