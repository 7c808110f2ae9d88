"""Which language an article is written in, from its text: py3langid, as trafilatura uses.

The detector's model loads on the first call (about half a second), only when an article is
ingested and only if an article needs it. Too little Latin text to tell gives None rather than a
guess: an unknown language is analysed with the default pipeline, a wrong one could pick a
pipeline for the wrong language. Text in another script always gets the detector's best
answer: the default (English) pipeline is wrong for it whatever it is.

Detection must cost next to nothing beside the analysis (ingest runs at the speed of bare
`nlp.pipe`): it reads a bounded sample (the detector's answer no longer changes past a few
hundred characters: on 486 real pages in a dozen languages, 600 characters and 3,000 gave the
same answers), and prose that is plainly English by its function words ("the", "of",
"which") is English without asking the detector, at a twentieth of its cost. That test
answered for 132 of 142 English pages and for none of 344 in other languages.
"""

from __future__ import annotations

import re
import threading

# Letters needed before the detector is trusted; below this it guesses among near-equals.
MIN_LETTERS = 20
# How much text is enough: the detector's answer no longer changes past a few hundred
# characters.
SAMPLE_CHARS = 600
# Below this share of the probability the detector is unsure, and the answer is None.
MIN_CONFIDENCE = 0.5

_LETTER = re.compile(r"[^\W\d_]")


def _not_latin(letter: str) -> bool:
    """True for a letter of another script than Latin (Vietnamese's are Latin)."""
    return letter > "\u024f" and not "\u1e00" <= letter <= "\u1eff"

# A Chinese, Japanese or Korean character carries about as much as a short word.
_CJK = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_lock = threading.Lock()
_identifier = None


def _classifier():  # noqa: ANN202 (py3langid has no types)
    """py3langid's identifier with probabilities normalised, loaded once per process."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            # Languages with an ISO 639-1 code only: spaCy's pipelines are named by them, and
            # the model's regional varieties (Wu and Cantonese beside Chinese) would split
            # the probability of one language between near-twins.
            identifier.set_languages([code for code in identifier.nb_classes if len(code) == 2])
            _identifier = identifier
        return _identifier


# Words that only English prose uses this often; other languages written in Latin letters
# share none of them ("in", "to", "was", "will" and "a" are words elsewhere too).
_ENGLISH_WORDS = frozenset(
    "the and of that with this from which were would their have been said for they there "
    "about after than these when what also more into its who".split()
)
# Words needed before the English test answers, and the share of them it wants.
_ENGLISH_MIN_WORDS = 40
_ENGLISH_SHARE = 0.12
_STRIP = ".,;:!?\"'()[]{}“”‘’«»—–-"


def _plainly_english(text: str) -> bool:
    """True for prose whose function words leave no doubt that it is English."""
    words = text.split()
    if len(words) < _ENGLISH_MIN_WORDS:
        return False
    hits = sum(1 for word in words if word.strip(_STRIP).lower() in _ENGLISH_WORDS)
    return hits >= _ENGLISH_SHARE * len(words)


def detect_language(paragraphs: list[str], title: str | None = None) -> str | None:
    """The ISO 639-1 code of the language of an article's text, or None when unsure."""
    body = " ".join(paragraphs[:8])[:SAMPLE_CHARS]
    if _plainly_english(body):
        return "en"
    sample: list[str] = []
    size = 0
    for part in ([title] if title else []) + paragraphs:
        sample.append(part)
        size += len(part)
        if size >= SAMPLE_CHARS:
            break
    text = "\n".join(sample)[:SAMPLE_CHARS]
    letters = _LETTER.findall(text)
    if not letters:
        return None
    if sum(1 for letter in letters if _not_latin(letter)) * 2 > len(letters):
        # Not in Latin letters: whatever the detector's best answer, it is a better guess
        # than the default (English) pipeline, which would read names into any script.
        return _classifier().classify(text)[0]
    if len(letters) + len(_CJK.findall(text)) < MIN_LETTERS:
        return None
    language, confidence = _classifier().classify(text)
    return language if confidence >= MIN_CONFIDENCE else None
