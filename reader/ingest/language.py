"""Which language an article is written in, from its text: py3langid, as trafilatura uses.

The detector's model loads on the first call (about half a second), only when an article is
ingested. Too little text to tell gives None rather than a guess: an unknown language is
analysed with the default pipeline, a wrong one could pick a pipeline for the wrong language.
"""

from __future__ import annotations

import re
import threading

# Letters needed before the detector is trusted; below this it guesses among near-equals.
MIN_LETTERS = 20
# How much text is enough: the detector's answer no longer changes past a few paragraphs.
SAMPLE_CHARS = 3000
# Below this share of the probability the detector is unsure, and the answer is None.
MIN_CONFIDENCE = 0.5

_LETTER = re.compile(r"[^\W\d_]")
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


def detect_language(paragraphs: list[str], title: str | None = None) -> str | None:
    """The ISO 639-1 code of the language of an article's text, or None when unsure."""
    sample: list[str] = []
    size = 0
    for part in ([title] if title else []) + paragraphs:
        sample.append(part)
        size += len(part)
        if size >= SAMPLE_CHARS:
            break
    text = "\n".join(sample)[:SAMPLE_CHARS]
    if len(_LETTER.findall(text)) + len(_CJK.findall(text)) < MIN_LETTERS:
        return None
    language, confidence = _classifier().classify(text)
    return language if confidence >= MIN_CONFIDENCE else None
