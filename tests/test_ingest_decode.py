"""Decoding: real encoded bytes of several charsets come back as the text they were."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from reader.ingest import IngestError, ingest_inputs
from reader.ingest.decode import declared_charset, decode_bytes, gunzip, implausibility

RUSSIAN = (
    "Президент Таджикистана Эмомали Рахмон заявил о готовности его страны бороться с "
    "терроризмом вместе с Россией после теракта в «Крокус Сити Холле»."
)
FRENCH = (
    "Le président a déclaré que la coopération entre les deux pays serait renforcée. "
    "Élève, garçon, façade, où, déjà, naïve : l'été sera chaud."
)
GERMAN = "Die Straße vor dem Rathaus bleibt wegen Bauarbeiten für Fußgänger gesperrt."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (FRENCH.encode("utf-8"), FRENCH),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), FRENCH),
        (RUSSIAN.encode("utf-16"), RUSSIAN),  # Python writes the BOM
        (codecs.BOM_UTF16_BE + RUSSIAN.encode("utf-16-be"), RUSSIAN),
        (RUSSIAN.encode("cp1251"), RUSSIAN),
        (RUSSIAN[:100].encode("koi8_r"), RUSSIAN[:100]),
        (FRENCH.encode("latin-1"), FRENCH),
        (GERMAN.encode("latin-1"), GERMAN),
        ("Café crème".encode("latin-1"), "Café crème"),
        ("Le « chef » a dit — c’est tout.".encode("cp1252"), "Le « chef » a dit — c’est tout."),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16-le-bom",
        "utf16-be-bom",
        "cp1251",
        "koi8-r",
        "latin1-fr",
        "latin1-de",
        "latin1-short",
        "cp1252-quotes",
    ],
)
def test_decodes_real_encoded_bytes(data: bytes, expected: str) -> None:
    """Each encoding is read back exactly, without a declaration to help."""
    assert decode_bytes(data).lstrip("\ufeff") == expected


def test_declared_charset_is_honoured() -> None:
    """An HTML declaration decides between charsets that bytes alone cannot tell apart."""
    data = "Ура".encode("cp1251")
    assert decode_bytes(data, "windows-1251") == "Ура"
    assert decode_bytes(data, "koi8-r") != "Ура"


def test_latin1_declaration_reads_as_windows_1252() -> None:
    """Pages labelled ISO-8859-1 use cp1252's curly quotes, as browsers assume."""
    assert decode_bytes("“quoted”".encode("cp1252"), "iso-8859-1") == "“quoted”"


def test_valid_utf8_beats_a_wrong_single_byte_declaration() -> None:
    """A template's stale latin-1 declaration does not garble a page that is UTF-8."""
    assert decode_bytes(FRENCH.encode("utf-8"), "iso-8859-1") == FRENCH


def test_declared_charset_found_in_meta_and_xml() -> None:
    """The charset is read from <meta charset>, http-equiv and the XML declaration."""
    assert declared_charset(b'<html><head><meta charset="windows-1251">') == "windows-1251"
    assert (
        declared_charset(
            b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
        )
        == "iso-8859-1"
    )
    assert declared_charset(b'<?xml version="1.0" encoding="koi8-r"?><html>') == "koi8-r"
    assert declared_charset(b"<html><body>no declaration</body></html>") is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (PDF document)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (PNG image)"),
        (b"some text\x00\x00\x00with NUL bytes", "binary file (NUL bytes)"),
        (bytes(range(1, 9)) * 50 + b"a few letters", "binary file (mostly non-text)"),
    ],
)
def test_binary_data_is_refused(data: bytes, reason: str) -> None:
    """Binary input gets one clear reason instead of mojibake."""
    with pytest.raises(IngestError) as caught:
        decode_bytes(data)
    assert caught.value.reason == reason


def test_implausibility_tells_mojibake_from_text() -> None:
    """Cyrillic read as cp1252 scores as wrong; the real text scores zero."""
    assert implausibility(RUSSIAN) == 0
    assert implausibility(RUSSIAN.encode("cp1251").decode("cp1252")) > 0.5


def test_gunzip_caps_the_output() -> None:
    """A small gzip that inflates past the limit is refused before it fills memory."""
    import gzip

    bomb = gzip.compress(b"a" * 100_000)
    assert gunzip(bomb, 200_000) == b"a" * 100_000
    with pytest.raises(IngestError, match="over the size limit"):
        gunzip(bomb, 1000)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("ru.txt", ("Новости\n\n" + RUSSIAN).encode("cp1251"), RUSSIAN),
        ("fr.txt", FRENCH.encode("latin-1"), FRENCH),
        ("bom.md", codecs.BOM_UTF8 + FRENCH.encode("utf-8"), FRENCH),
        ("u16.txt", RUSSIAN.encode("utf-16"), RUSSIAN),
        (
            "ru.html",
            (
                '<html><head><meta charset="windows-1251"><title>Новости</title></head><body>'
                f"<article><p>{RUSSIAN}</p><p>{RUSSIAN}</p></article></body></html>"
            ).encode("cp1251"),
            RUSSIAN,
        ),
    ],
)
def test_files_in_each_encoding_ingest(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    """Whole files in each encoding become drafts holding the right text."""
    path = tmp_path / name
    path.write_bytes(data)
    (result,) = list(ingest_inputs([str(path)]))
    assert result.error is None, result.error
    assert result.draft is not None
    assert expected in result.draft.paragraphs
