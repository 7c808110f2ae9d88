"""Synthetic but realistic articles: real news paragraphs, shuffled, with names and numbers swapped.

The paragraph pool comes from the seed articles in `seeds/` and, when it is there, from the
article bodies of `../shared/corpus`. The real model runs once over the pool (the result is
cached in `bench/data/`, which git ignores); every synthetic article is then assembled from
pool paragraphs with their entity, number and token offsets shifted into place. Names are
swapped only for names of the same length and digits are rotated, so the offsets stay true
while every article gets a different text and id.

A pool of a few hundred paragraphs has a few thousand distinct words, where a year of news has
hundreds of thousands; a full-text index of such a library would have no rare word and
unrealistically long lists of articles per word. A maker given a `vocabulary` share therefore
also replaces that share of ordinary words (lower-case, four letters or more, outside every
span) with made-up words of the same length, drawn from a Zipf-like distribution over a large
lexicon: a few are common, most are rare, as in real text. Lengths and token boundaries do not
change, so the analysis stays true of the text.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import random
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from reader.article import Analysis, Article, Span
from reader.text import article_id, tidy_paragraph

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus"
CACHE = Path(__file__).resolve().parent / "data"

# Shorter paragraphs are mostly captions and page furniture.
MIN_WORDS = 6
SITES = ["apnews.com", "bbc.co.uk", "reuters.com", "theguardian.com", None, None]
_DIGIT = re.compile(r"\d")


@dataclass(slots=True)
class Paragraph:
    """A pool paragraph with the model's spans and tokens, offsets relative to the paragraph."""

    text: str
    entities: list[tuple[int, int, str]]
    numbers: list[tuple[int, int, str]]
    tokens: list[int]

    @property
    def words(self) -> int:
        """Whitespace-separated words."""
        return len(self.text.split())


@dataclass(slots=True)
class Pool:
    """Every pool paragraph, analysed once, and which model analysed it."""

    paragraphs: list[Paragraph]
    model: str
    version: str
    key: str = ""  # a digest of the texts, model and versions: what caches of generated data depend on

    @property
    def words(self) -> int:
        """Words in the whole pool."""
        return sum(p.words for p in self.paragraphs)


class _Paragraphs(HTMLParser):
    """The text of every `<p>` of an HTML document (the corpus's expected article bodies)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._depth = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._depth:
            self._depth -= 1
            if not self._depth:
                self.found.append("".join(self._parts))
                self._parts = []

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._parts.append(data)


def source_paragraphs() -> list[str]:
    """The raw pool: seed paragraphs as reader's own text rules read them, then corpus bodies."""
    from reader.ingest.plaintext import parse_plaintext

    # Seed paragraphs are all kept, short ones too, so the seed article can be rebuilt whole.
    kept: list[str] = []
    for seed in sorted(SEEDS.glob("*.txt")):
        kept += parse_plaintext(seed.read_text(encoding="utf-8"), str(seed)).paragraphs
    raw: list[str] = []
    index = CORPUS / "index.json"
    if index.is_file():
        for case in json.loads(index.read_text(encoding="utf-8")):
            body = case.get("expected_body_html")
            if body and (CORPUS / body).is_file():
                parser = _Paragraphs()
                parser.feed((CORPUS / body).read_text(encoding="utf-8", errors="replace"))
                raw += parser.found
        truth = CORPUS / "scrapinghub-article-extraction-benchmark" / "ground-truth.json"
        if truth.is_file():
            for item in json.loads(truth.read_text(encoding="utf-8")).values():
                raw += str(item.get("articleBody", "")).split("\n")
    seen = set(kept)
    for text in raw:
        text = tidy_paragraph(text)
        if len(text.split()) >= MIN_WORDS and text not in seen:
            seen.add(text)
            kept.append(text)
    return kept


def _model_version(model: str) -> str:
    try:
        return importlib.metadata.version(model.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def load_pool(model: str | None = None) -> Pool:
    """The analysed paragraph pool: from the cache when the texts and model are unchanged."""
    from reader import nlp

    name = nlp.resolve_model(model)
    texts = source_paragraphs()
    # Keyed by spaCy's version too, read from its metadata: importing spaCy costs a second.
    key = hashlib.sha256(
        json.dumps([name, _model_version(name), _model_version("spacy"), texts]).encode()
    ).hexdigest()[:16]
    cached = CACHE / f"pool-{key}.json"
    if cached.is_file():
        data = json.loads(cached.read_text(encoding="utf-8"))
        paragraphs = [Paragraph(**p) for p in data["paragraphs"]]
        return Pool(paragraphs, data["model"], data["version"], key)
    paragraphs = []
    model_label, version = name, ""
    # Each paragraph is its own "article" here, so its offsets start at 0.
    for text, analysis in zip(texts, nlp.analyse_texts(texts, name), strict=True):
        model_label, version = analysis.model, analysis.version
        paragraphs.append(
            Paragraph(
                text=text,
                entities=[(s.start, s.end, s.label) for s in analysis.entities],
                numbers=[(s.start, s.end, s.label) for s in analysis.numbers],
                tokens=list(analysis.tokens),
            )
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(
        json.dumps(
            {
                "model": model_label,
                "version": version,
                "paragraphs": [
                    {"text": p.text, "entities": p.entities, "numbers": p.numbers, "tokens": p.tokens}
                    for p in paragraphs
                ],
            }
        ),
        encoding="utf-8",
    )
    return Pool(paragraphs, model_label, version, key)


def _shape(name: str) -> tuple[int, ...]:
    """The lengths of a name's words, and so where its spaces are."""
    return tuple(len(word) for word in name.split(" "))


_ORDINARY = re.compile(r"\b[a-z]{4,}\b")
# Made-up words alternate these, so every one is pronounceable, lower-case and one token.
_CONSONANTS = "bcdfghjklmnprstvz"
_VOWELS = "aeiou"
# Ranks are drawn log-uniformly from 1 to this: the frequency of the word of rank r goes as 1/r.
LEXICON = 1_000_000


def made_up_word(rank: int, length: int) -> str:
    """The lexicon's word of this rank and length (distinct ranks give distinct words while
    the length allows as many)."""
    letters = []
    for i in range(length):
        alphabet = _CONSONANTS if i % 2 == 0 else _VOWELS
        rank, digit = divmod(rank, len(alphabet))
        letters.append(alphabet[digit])
    return "".join(letters)


def _ordinary_words(paragraph: Paragraph) -> list[tuple[int, int]]:
    """Where a paragraph's ordinary words are: lower-case, four letters or more, in no span."""
    covered = [(s, e) for s, e, _ in paragraph.entities + paragraph.numbers]
    return [
        (m.start(), m.end())
        for m in _ORDINARY.finditer(paragraph.text)
        if not any(s < m.end() and m.start() < e for s, e in covered)
    ]


def _title(first: str) -> str:
    """A headline from an article's first paragraph: its first sentence (one long enough not to
    be an abbreviation such as "Mr"), cut to 90 characters."""
    title = ""
    for sentence in first.split(". "):
        title = f"{title}. {sentence}" if title else sentence
        if len(title) >= 20:
            break
    return title[:90].rstrip(" ,;:")


class ArticleMaker:
    """Makes distinct articles of a chosen length from the pool, reproducibly from a seed.

    With a `vocabulary` share, that share of ordinary words is replaced by made-up words
    (see the module's docstring); with none, texts hold only the pool's words.
    """

    def __init__(self, pool: Pool, seed: int = 0, *, vocabulary: float = 0.0) -> None:
        self.pool = pool
        self.rng = random.Random(seed)
        self.vocabulary = vocabulary
        self._ordinary = {id(p): _ordinary_words(p) for p in pool.paragraphs} if vocabulary else {}
        self._ids: set[str] = set()
        # Names of the same shape only (the same word lengths): a swap must move no offset and
        # no token boundary, so the pool's tokens stay true of the new text.
        self._names: dict[tuple[int, ...], list[str]] = {}
        for p in pool.paragraphs:
            for start, end, label in p.entities:
                if label == "PERSON":
                    name = p.text[start:end]
                    self._names.setdefault(_shape(name), []).append(name)

    def _vary(self, paragraph: Paragraph) -> str:
        text = paragraph.text
        chars = list(text)
        for start, end, label in paragraph.entities:
            if label == "PERSON" and (names := self._names.get(_shape(text[start:end]))):
                chars[start:end] = self.rng.choice(names)
        if self.vocabulary:
            rng, share = self.rng, self.vocabulary
            for start, end in self._ordinary[id(paragraph)]:
                if rng.random() < share:
                    chars[start:end] = made_up_word(int(LEXICON ** rng.random()), end - start)
        text = "".join(chars)
        shift = self.rng.randrange(1, 10)
        return _DIGIT.sub(lambda m: str((int(m.group()) + shift) % 10), text)

    def seed_article(self) -> Article:
        """The first seed article exactly as reader ingests it, with the pool's analysis."""
        from reader.ingest.plaintext import parse_plaintext

        seed = sorted(SEEDS.glob("*.txt"))[0]
        draft = parse_plaintext(seed.read_text(encoding="utf-8"), str(seed))
        by_text = {p.text: p for p in self.pool.paragraphs}
        article = self.assemble([by_text[t] for t in draft.paragraphs], vary=False)
        article.title, article.byline, article.date = draft.title, draft.byline, draft.date
        article.source, article.site = str(seed), None
        return article

    def paragraphs(self, words: int) -> list[Paragraph]:
        """Pool paragraphs in a random order, repeating the pool if needed, to reach `words` words."""
        chosen: list[Paragraph] = []
        total = 0
        order: list[Paragraph] = []
        while total < words:
            if not order:
                order = self.pool.paragraphs[:]
                self.rng.shuffle(order)
            paragraph = order.pop()
            chosen.append(paragraph)
            total += paragraph.words
        return chosen

    def article(self, words: int, index: int = 0) -> Article:
        """A new article of about `words` words whose id no earlier article of this maker has."""
        while True:
            article = self.assemble(self.paragraphs(words), index)
            if article.id not in self._ids:
                self._ids.add(article.id)
                return article

    def assemble(self, paragraphs: list[Paragraph], index: int = 0, *, vary: bool = True) -> Article:
        """An article made of these paragraphs (varied unless told), with their analysis shifted into place."""
        texts: list[str] = []
        entities: list[Span] = []
        numbers: list[Span] = []
        tokens: list[int] = []
        offset = 0
        for paragraph in paragraphs:
            text = self._vary(paragraph) if vary else paragraph.text
            texts.append(text)
            entities += [Span(s + offset, e + offset, lab, "entity") for s, e, lab in paragraph.entities]
            numbers += [Span(s + offset, e + offset, lab, "number") for s, e, lab in paragraph.numbers]
            tokens += [t + offset for t in paragraph.tokens]
            offset += len(text) + 2
        text = "\n\n".join(texts)
        title = _title(texts[0])
        year = self.rng.randrange(2015, 2025)
        return Article(
            id=article_id(text),
            text=text,
            source=f"/bench/articles/{index:05}.txt",
            title=title,
            byline=None,
            date=f"{year}-{self.rng.randrange(1, 13):02}-{self.rng.randrange(1, 29):02}",
            site=self.rng.choice(SITES),
            ingested_at=f"2025-01-01T00:{index // 60 % 60:02}:{index % 60:02}+00:00",
            analysis=Analysis(
                model=self.pool.model,
                version=self.pool.version,
                entities=entities,
                numbers=numbers,
                tokens=tokens,
                analysed_at="2025-01-01T00:00:00+00:00",
            ),
        )

    def annotation_items(self, article: Article, count: int) -> list[tuple[int, int, str, str]]:
        """`count` annotations `(start, end, label, source)` on whole tokens, spread over the text."""
        pairs = article.token_bounds()
        labels = ["PERSON", "ORG", "GPE", "DATE", "EVENT", "MONEY"]
        items = []
        for _ in range(count):
            first = self.rng.randrange(len(pairs))
            last = min(len(pairs) - 1, first + self.rng.randrange(3))
            if "\n" in article.text[pairs[first][0] : pairs[last][1]]:
                last = first  # an annotation never crosses a paragraph break
            items.append((pairs[first][0], pairs[last][1], self.rng.choice(labels), "manual"))
        return items
