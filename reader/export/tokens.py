"""The tokens an article is exported with: one reference rule, and one fast way to follow it.

`reference_tokens` says what the tokens are, for any text, tokens and spans: the
analysis's tokens, cut wherever a span starts or ends inside one, with white space as spaCy
keeps it. It makes an object per token, which for a large export is most of the cost, so
the usual article (every span on a token, white space only between tokens) takes
`whole_tokens` instead: the same tokens as columns, found in passes that run in C. It gives
up (None) whenever the usual case does not hold. A property test checks that the two agree
wherever the fast way answers, and that it answers for every usual article.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import compress
from operator import itemgetter
from typing import NamedTuple, Protocol


class Offsets(Protocol):
    """Anything with character offsets `start` and `end` (an exported span)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


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


class Token(NamedTuple):
    """A token of the exported text: `[start, end)` and whether one space follows it."""

    start: int
    end: int
    ws: bool


class TokenColumns(NamedTuple):
    """The exported tokens as four parallel lists: what `reference_tokens` gives, without an
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


def whole_tokens(text: str, flat: list[int], spans: Iterable[Offsets] = ()) -> WholeTokens | None:
    """The fast path: `reference_tokens` for the usual article, from the analysis's flat token
    list `[start0, end0, start1, ...]`, in passes that run in C (no Python object per token).

    None unless every condition of the usual case holds: at least two tokens, in order, none
    empty, none overlapping; every span starts and ends on one of them; there is no white
    space in a token and nothing else between them. Then it gives exactly the tokens
    `reference_tokens` gives (tests/test_export_tokens.py checks it on any input).
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


def reference_tokens(
    text: str, bounds: Iterable[tuple[int, int]], spans: Iterable[Offsets] = ()
) -> list[Token]:
    """The tokens of an exported text, for any input: the rule every other way must follow.

    Tokens cover the whole text, so that joining them (with `ws`) gives it back exactly. They
    are the analysis's tokens (`bounds`), cut further wherever a span starts or ends inside
    one, so every span is a whole number of tokens (spaCy's `Doc.char_span` in strict mode,
    IOB tags and Prodigy's `token_start`/`token_end` all need that). White space follows
    spaCy: one space after a token is its `ws`; any other run of white space is a token of
    its own. A space that a span starts or ends on stays a token of its own, so that span
    still aligns.
    """
    spans = list(spans)
    starts = {s.start for s in spans}
    ends = {s.end for s in spans}
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


