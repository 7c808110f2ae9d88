"""One article made ready for export: the spans to write, and tokens every span sits on.

Every format reads an `ExportDocument`; the choices that are the same for all of them live
here: which spans are exported (reviewed ones, plus the model's unreviewed ones when asked,
never rejected ones), how tokens are cut so that each span starts and ends on a token
boundary, and which spans a format that cannot hold overlaps keeps.

Tokens are cut once per article, and only for the formats that use them: in the usual case
(`whole_tokens`) in passes that run in C, without an object per token, since an export of a
large library writes millions of them; otherwise by `export_tokens`, which handles any case.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from typing import Any, NamedTuple

from reader.article import Annotation, Article, Rejection

# How a span came to be: tagged by hand, accepted from the model, or the model's
# unreviewed guess (exported only with --include-predictions).
SOURCES = ("manual", "model", "prediction")
# When spans overlap and a format holds only one of them, this source wins first.
_SOURCE_RANK = {source: rank for rank, source in enumerate(SOURCES)}

_WHITESPACE = re.compile(r"\s+")
# White space that is a token of its own (when it is all of a gap between two tokens): a run
# of two or more white space characters, or one that is not a space.
_OWN_TOKEN_SPACE = re.compile(r"\s\s+|[^\S ]")
# White space beyond latin-1 (which encoding to latin-1 with "replace" would turn into "?").
_WIDE_SPACE = re.compile("[\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
# The class of a character by its latin-1 code: 0 a space, 1 other white space, 2 the rest.
_CLASS = bytes(0 if b == 0x20 else 1 if chr(b).isspace() else 2 for b in range(256))
# At a token's edge, 3 * (class of the character before) + (class of the character at):
# a start needs white space (2, 5) or the end of the previous token (8) before a character
# that is not; an end needs a character that is not before a space (6), other white space or
# the end of the text (7), or the start of the next token (8).
_START_CODES = b"\x02\x05\x08"
_END_CODES = b"\x06\x07\x08"
_JOINED = bytes(1 if b == 8 else 0 for b in range(256))
_ONE_SPACE = 6
_NOTHING_AFTER = b"\x07"
_OTHER_SPACE_AFTER = bytes(1 if b == 7 else 0 for b in range(256))


@dataclass(frozen=True, slots=True)
class ExportSpan:
    """A labelled character range `[start, end)` to export, with where it came from."""

    start: int
    end: int
    label: str
    source: str = "manual"

    @property
    def key(self) -> tuple[int, int, str]:
        """What makes two spans the same annotation: offsets and label."""
        return (self.start, self.end, self.label)


class Token(NamedTuple):
    """A token of the exported text: `[start, end)` and whether one space follows it."""

    start: int
    end: int
    ws: bool


def select_spans(
    article: Article,
    annotations: Iterable[Annotation],
    rejections: Iterable[Rejection] = (),
    *,
    include_predictions: bool = False,
) -> list[ExportSpan]:
    """The spans to export for an article, in text order, each once.

    Annotations are always exported. With `include_predictions`, the model's entities and
    numbers are added as `prediction` spans, unless an annotation already sits at the same
    offsets (whatever its label) or the reader rejected that exact span.
    """
    length = len(article.text)
    best: dict[tuple[int, int, str], ExportSpan] = {}
    for a in annotations:
        if not (0 <= a.start < a.end <= length):
            continue  # the store refuses these; an old or hand-edited file could still hold one
        span = ExportSpan(a.start, a.end, a.label, "model" if a.source == "model" else "manual")
        held = best.get(span.key)
        # The same span tagged by hand and accepted from the model is one span, by hand.
        if held is None or _SOURCE_RANK[span.source] < _SOURCE_RANK[held.source]:
            best[span.key] = span
    if include_predictions and article.analysis:
        annotated = {(s.start, s.end) for s in best.values()}
        rejected = {(r.start, r.end, r.label) for r in rejections}
        for found in article.analysis.spans():
            offsets = (found.start, found.end)
            if offsets in annotated or (*offsets, found.label) in rejected:
                continue
            if not (0 <= found.start < found.end <= length):
                continue
            annotated.add(offsets)  # an entity and a number at the same offsets: the entity
            best[(*offsets, found.label)] = ExportSpan(*offsets, found.label, "prediction")
    return sorted(best.values(), key=lambda s: (s.start, s.end, s.label))


class TokenColumns(NamedTuple):
    """The exported tokens as four parallel lists: what `export_tokens` gives, without an
    object per token (spaCy's and CoNLL's writers read these)."""

    texts: list[str]
    starts: list[int]
    ends: list[int]
    ws: list[bool]

    @classmethod
    def of(cls, text: str, tokens: Sequence[Token]) -> TokenColumns:
        """The columns of a list of tokens."""
        return cls(
            [text[t.start : t.end] for t in tokens],
            [t.start for t in tokens],
            [t.end for t in tokens],
            [t.ws for t in tokens],
        )

    def tokens(self) -> list[Token]:
        """One `Token` per token."""
        return list(map(Token, self.starts, self.ends, self.ws))


def export_tokens(
    text: str, bounds: Iterable[tuple[int, int]], spans: Iterable[ExportSpan] = ()
) -> list[Token]:
    """Tokens that cover the whole text, so that joining them (with `ws`) gives it back exactly.

    Starts from the analysis's tokens (`bounds`), cut further wherever a span starts or ends
    inside one, so every span is a whole number of tokens (spaCy's `Doc.char_span` in strict
    mode, IOB tags and Prodigy's `token_start`/`token_end` all need that). White space
    follows spaCy's convention: one space after a token is its `ws`; any other run of white
    space is a token of its own. A space that a span starts or ends on stays a token of its
    own, so that span still aligns.
    """
    bounds = sorted(b for b in bounds if b[0] < b[1])
    starts = {s.start for s in spans}
    ends = {s.end for s in spans}
    if starts <= {b[0] for b in bounds} and ends <= {b[1] for b in bounds}:
        tokens = _whole_tokens(text, bounds)
        if tokens is not None:
            return tokens
    return _cut_tokens(text, bounds, starts, ends)


def _whole_tokens(text: str, bounds: list[tuple[int, int]]) -> list[Token] | None:
    """The usual case, in one pass: every span sits on the analysis's tokens, and only white
    space lies between them. None when that is not so."""
    n = len(text)
    ends = [0, *(end for _, end in bounds)]
    starts = [*(start for start, _ in bounds), n]
    if any(end > start for end, start in zip(ends, starts, strict=True)):
        return None  # overlapping tokens, or one past the end of the text
    gaps = [text[end:start] for end, start in zip(ends, starts, strict=True)]
    in_gaps = sum(map(len, gaps))
    # White space (as str.isspace, str.split and re's \s count it) only in the gaps, all of it.
    if n - sum(map(len, text.split())) != in_gaps or any(g and not g.isspace() for g in gaps):
        return None
    tokens: list[Token] = []
    append = tokens.append
    if gaps[0]:
        append(Token(0, len(gaps[0]), False))
    for (start, end), gap in zip(bounds, gaps[1:], strict=True):
        if gap[:1] == " ":
            append(Token(start, end, True))
            if len(gap) > 1:
                append(Token(end + 1, end + len(gap), False))
        else:
            append(Token(start, end, False))
            if gap:
                append(Token(end, end + len(gap), False))
    return tokens


class WholeTokens(NamedTuple):
    """The tokens of the usual case, as `whole_tokens` finds them: offsets, and what a
    format needs to make each token's text (no object made per token yet)."""

    starts: list[int]  # of every token, the white space tokens of their own included
    ends: list[int]
    # What follows each token: 6 one space (its `ws`), 7 other white space or the end of
    # the text, 8 the next token.
    after: bytes
    # The text with a space put wherever two tokens meet: split, it gives the texts of all
    # the tokens but the white space ones.
    marked: str
    # The white space tokens, (index among all tokens, start, end), in order.
    spaces: list[tuple[int, int, int]]
    # Whether all the white space in the text is spaces and newlines.
    plain: bool

    def columns(self, text: str) -> TokenColumns:
        """The columns of these tokens."""
        texts = self.marked.split()
        for at, start, end in self.spaces:
            texts.insert(at, text[start:end])
        return TokenColumns(texts, self.starts, self.ends, list(map(_ONE_SPACE.__eq__, self.after)))


def whole_tokens(
    text: str, flat: list[int], spans: Iterable[ExportSpan] = ()
) -> WholeTokens | None:
    """`_whole_tokens` for the analysis's flat token list `[start0, end0, start1, ...]`, in
    passes that run in C: no Python object is made per token.

    None unless every condition of the usual case holds: at least two tokens, in order, none
    empty, none overlapping; every span starts and ends on one of them; there is no white
    space in a token and nothing else between them. `export_tokens` then gives the same
    tokens (tests check it, and the same JSONL from both ways).
    """
    n = len(text)
    starts = flat[0::2]
    ends = flat[1::2]
    k = len(ends)
    if k < 2 or len(starts) != k or flat[0] < 0 or flat[-1] > n:
        return None
    if flat != sorted(flat) or not all(map(operator.lt, starts, ends)):
        return None
    for span in spans:
        first = bisect_left(starts, span.start)
        last = bisect_left(ends, span.end)
        if first == k or starts[first] != span.start or last == k or ends[last] != span.end:
            return None
    if not text.isascii() and _WIDE_SPACE.search(text):
        return None
    # Each position's code (3 * class before + class at) in one big-integer sum: a byte per
    # position, each at most 8, so no byte carries into the next. Past the end counts as
    # white space other than a space (no `ws` after the last character).
    classes = text.encode("latin-1", "replace").translate(_CLASS) + b"\x01"
    as_int = int.from_bytes(classes, "little")
    codes = (as_int + 3 * (as_int << 8)).to_bytes(n + 2, "little")
    at_starts = bytes(itemgetter(*starts)(codes))
    at_ends = bytes(itemgetter(*ends)(codes))
    if at_starts.translate(None, _START_CODES) or at_ends.translate(None, _END_CODES):
        return None
    # Where a token ends on the next one's start. Any other start with no white space before
    # it would be a gap ending in something else than white space.
    joined = at_ends.translate(_JOINED)
    joints = list(compress(ends, joined))
    if at_starts.count(8) != len(joints) or joints != list(compress(starts[1:], joined)):
        return None
    # Every token now starts after white space or a joint, and ends before white space, a
    # joint or the end. With a space put at each joint, the text has exactly one run of
    # characters that are not white space per token when no token holds white space and no
    # gap anything else. A run starts at each code 2 or 5, and after each joint.
    if codes.count(2) + codes.count(5) + len(joints) != k:
        return None
    if joints:
        cuts = [0, *joints, n]
        marked = " ".join(map(text.__getitem__, map(slice, cuts, cuts[1:])))
    else:
        marked = text
    # White space tokens of their own: what comes before the first token, every gap that
    # starts with white space other than a space, and, after its first character (the `ws`),
    # every gap that starts with a space and is longer than that.
    spaces = [(0, 0, starts[0])] if starts[0] else []
    after_other = list(compress(range(k), at_ends.translate(_OTHER_SPACE_AFTER)))
    if after_other and ends[-1] == n:
        after_other.pop()  # the last token, with nothing after it
    for i in after_other:
        spaces.append((i + 1, ends[i], starts[i + 1] if i + 1 < k else n))
    # All the white space is in the gaps now: if it is as much as the gaps found so far and
    # one character for every other gap (those that start with a space), that is all of them.
    in_gaps = n - classes.count(2)
    if in_gaps != at_ends.count(6) + sum(end - start for _, start, end in spaces):
        # Some gap is more than one space: find them all in the text.
        spaces = spaces[:1] if starts[0] else []
        for match in _OWN_TOKEN_SPACE.finditer(text, ends[0]):
            gap, gap_end = match.span()
            spaces.append((bisect_left(ends, gap) + 1, gap + (text[gap] == " "), gap_end))
    if not spaces:
        return WholeTokens(starts, ends, at_ends, marked, [], _plain(text, in_gaps))
    after = []
    taken = 0
    for i, (at, start, end) in enumerate(spaces):
        after += (at_ends[taken:at], _NOTHING_AFTER)
        taken = at
        at += i  # among all tokens, those inserted before it included
        starts.insert(at, start)
        ends.insert(at, end)
        spaces[i] = (at, start, end)
    after.append(at_ends[taken:])
    return WholeTokens(starts, ends, b"".join(after), marked, spaces, _plain(text, in_gaps))


def _plain(text: str, white_space: int) -> bool:
    """Whether all the white space of a text (`white_space` characters) is spaces and newlines."""
    return text.count(" ") + text.count("\n") == white_space


def _cut_tokens(
    text: str, bounds: list[tuple[int, int]], starts: set[int], ends: set[int]
) -> list[Token]:
    """Any case: cut the text at every token, span and white space boundary."""
    n = len(text)
    cuts = {0, n} | starts | ends
    for start, end in bounds:
        if 0 <= start < end <= n:
            cuts.add(start)
            cuts.add(end)
    for match in _WHITESPACE.finditer(text):
        cuts.add(match.start())
        cuts.add(match.end())
    points = sorted(c for c in cuts if 0 <= c <= n)
    tokens: list[Token] = []
    for start, end in zip(points, points[1:], strict=False):
        if start >= end:
            continue
        if text[start].isspace():
            previous = tokens[-1] if tokens else None
            absorb = (
                previous is not None
                and not previous.ws
                and not text[previous.start].isspace()
                and text[start] == " "
                and start not in starts
                and start + 1 not in ends
            )
            if absorb:
                tokens[-1] = Token(previous.start, previous.end, True)
                start += 1
                if start == end:
                    continue
        tokens.append(Token(start, end, False))
    return tokens


class ExportDocument:
    """An article with the spans to export and tokens that every one of those spans fits."""

    def __init__(self, article: Article, spans: list[ExportSpan]) -> None:
        self.article = article
        self.text = article.text
        self.spans = spans
        # Tokens are worked out only for the formats that use them (not doccano nor brat).
        self._looked_for_whole = False
        self._whole: WholeTokens | None = None
        self._columns: TokenColumns | None = None
        self._tokens: list[Token] | None = None

    @property
    def whole(self) -> WholeTokens | None:
        """The tokens of the usual case (see `whole_tokens`), or None when it does not hold."""
        if not self._looked_for_whole:
            self._looked_for_whole = True
            analysis = self.article.analysis
            if analysis and analysis.tokens:
                self._whole = whole_tokens(self.text, analysis.tokens, self.spans)
        return self._whole

    @property
    def columns(self) -> TokenColumns:
        """The tokens as columns: texts, starts, ends and ws, one item per token."""
        if self._columns is None:
            whole = self.whole
            if whole is not None:
                self._columns = whole.columns(self.text)
            else:
                self._columns = TokenColumns.of(self.text, self.tokens)
        return self._columns

    @property
    def tokens(self) -> list[Token]:
        """Tokens covering the whole text, every exported span a whole number of them."""
        if self._tokens is None:
            if self._columns is not None:
                self._tokens = self._columns.tokens()
            else:
                self._tokens = export_tokens(self.text, self.article.token_bounds(), self.spans)
        return self._tokens

    @property
    def id(self) -> str:
        """The article id."""
        return self.article.id

    @property
    def token_edges(self) -> tuple[list[int], list[int]]:
        """Every token's start, and every token's end."""
        edges = self.whole if self.whole is not None else self.columns
        return edges.starts, edges.ends

    def token_range(self, span: ExportSpan) -> tuple[int, int]:
        """The first and last token (inclusive, as Prodigy counts) that `span` covers."""
        starts, ends = self.token_edges
        return bisect_left(starts, span.start), bisect_left(ends, span.end)

    def span_text(self, span: ExportSpan) -> str:
        """The text a span covers."""
        return self.text[span.start : span.end]

    def entities(self) -> tuple[list[ExportSpan], list[ExportSpan]]:
        """Non-overlapping spans for formats that hold only those, and the ones left out.

        Tagged by hand wins over accepted from the model, which wins over a prediction; then
        the longest; then the earliest (spaCy's `filter_spans` rule, after the source).
        """
        ranked = sorted(
            self.spans, key=lambda s: (_SOURCE_RANK[s.source], s.start - s.end, s.start, s.label)
        )
        kept: list[ExportSpan] = []
        left_out: list[ExportSpan] = []
        # One byte per character, set where a kept span lies: an overlap test is one find().
        taken = bytearray(len(self.text))
        for span in ranked:
            if taken.find(1, span.start, span.end) != -1:
                left_out.append(span)
            else:
                kept.append(span)
                taken[span.start : span.end] = b"\x01" * (span.end - span.start)
        kept.sort(key=lambda s: (s.start, s.end))
        return kept, left_out

    def meta(self) -> dict[str, Any]:
        """The article's metadata as the line formats carry it."""
        a = self.article
        return {
            "id": a.id,
            "title": a.title,
            "byline": a.byline,
            "date": a.date,
            "source": a.source,
            "site": a.site,
            "url": a.url,
        }
