"""The out-of-box sentiment model: lexicons and rules per language, no training, no downloads.

For each sentiment word (or phrase, or emoji) in the text, its valence is
- scaled by an intensifier or diminisher just before it ("خیلی بد", "nagyon jó", "جدا"),
- flipped and damped when a negator governs it: before it in all four languages ("not good",
  "nem jó", "ما عجبني", "نه خوب"), or after it where the language puts negation on the verb
  that follows (Persian "خوب نبود", Hungarian "hiba nélkül"); a Persian verb with the
  negative prefix ن/نمی is the negated verb ("نپسندیدم"),
- weighed by position around a contrast word: the clause after "but / ولی / لكن / de" counts
  1.5 times, the one before half ("the food was good but the delivery was terrible").
The sum is squashed into −1…1 (x / √(x² + α), as VADER does) and "!" adds emphasis.

Confidence grows with the size of the score and with the evidence found; a text with no
letters (empty, emoji only, numbers) gets NEUTRAL_UNKNOWN (confidence 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from cxm.core.nlp.base import NEUTRAL_UNKNOWN, OTHER_LANGUAGE, Sentiment
from cxm.core.nlp.lexicon import Lexicon, emoji_valence, lexicon
from cxm.core.nlp.normalize import has_letters, normalize, tokenize, variants

VERSION = "default-1"
_ALPHA = 4.0
_NEUTRAL_BAND = 0.05
_NEGATION = -0.7  # a negated word keeps part of its strength, flipped ("not bad" is mild)
_WINDOW_BEFORE = 3
_WINDOW_AFTER = 2
_CONTRAST_BEFORE, _CONTRAST_AFTER = 0.5, 1.5
_FA_NEGATIVE_PREFIXES = ("نمی", "ن")
_STOP = frozenset("!?؟")


class DefaultSentimentModel:
    """Lexicon-and-rules sentiment for fa, ar, hu and en (emoji only for other languages)."""

    version = VERSION

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[Sentiment]:
        if len(texts) != len(languages):
            raise ValueError("texts and languages must have the same length")
        return [
            self.predict_tokens(tokenize(normalize(text)), language)
            for text, language in zip(texts, languages, strict=True)
        ]

    def predict_tokens(self, tokens: Sequence[str], language: str) -> Sentiment:
        """Sentiment of already normalised tokens (the pipeline's fast path)."""
        if not any(has_letters(t) for t in tokens):
            return NEUTRAL_UNKNOWN  # empty, emoji only, numbers: no text to judge
        return score_tokens(tokens, lexicon(language if language else OTHER_LANGUAGE))


_memo: dict[tuple[str, str], tuple[float, bool]] = {}


def _word_valence(token: str, lex: Lexicon) -> tuple[float, bool]:
    """(valence, negated_by_prefix) of one token; memoised, tokens repeat a lot."""
    key = (lex.language, token)
    found = _memo.get(key)
    if found is not None:
        return found
    result = (0.0, False)
    for variant in variants(token, lex.language):
        if variant in lex.words:
            result = (lex.words[variant], False)
            break
    else:
        if lex.language == "fa":
            for prefix in _FA_NEGATIVE_PREFIXES:
                rest = token[len(prefix) :]
                if token.startswith(prefix) and len(rest) >= 3:
                    hit = next((lex.words[v] for v in variants(rest, "fa") if v in lex.words), 0.0)
                    hit = hit or next(
                        (lex.words[v] for v in variants("می" + rest, "fa") if v in lex.words), 0.0
                    )
                    if hit:
                        result = (hit, True)
                        break
    if len(_memo) > 500_000:
        _memo.clear()
    _memo[key] = result
    return result


def score_tokens(tokens: Sequence[str], lex: Lexicon) -> Sentiment:
    emoji = emoji_valence()
    hits: list[tuple[int, float]] = []
    n = len(tokens)
    i = 0
    while i < n:
        token = tokens[i]
        width = 1
        valence = 0.0
        prefix_negated = False
        if token in emoji:
            valence = emoji[token]
        else:
            for size in range(min(lex.max_phrase, n - i), 1, -1):
                phrase = tuple(tokens[i : i + size])
                if phrase in lex.phrases:
                    valence, width = lex.phrases[phrase], size
                    break
            else:
                if token not in lex.negators_after and token not in lex.intensifiers:
                    valence, prefix_negated = _word_valence(token, lex)
        if valence:
            valence *= _modifiers(tokens, i, width, lex)
            if prefix_negated:
                valence *= _NEGATION
            hits.append((i, valence))
        i += width
    if not hits:
        return Sentiment("neutral", 0.0, 0.35 if any(has_letters(t) for t in tokens) else 0.0)
    contrast_at = max((k for k, t in enumerate(tokens) if t in lex.contrast), default=-1)
    total = 0.0
    for position, valence in hits:
        if contrast_at >= 0:
            valence *= _CONTRAST_AFTER if position > contrast_at else _CONTRAST_BEFORE
        total += valence
    exclamations = min(3, sum(1 for t in tokens if t == "!"))
    if total and exclamations:
        total += math.copysign(0.3 * exclamations, total)
    score = total / math.sqrt(total * total + _ALPHA)
    strength = abs(score)
    evidence = min(1.0, len(hits) / 3)
    if strength < _NEUTRAL_BAND:
        return Sentiment("neutral", round(score, 4), round(0.3 + 0.2 * evidence, 4))
    label = "positive" if score > 0 else "negative"
    confidence = min(1.0, 0.4 + 0.45 * strength + 0.15 * evidence)
    return Sentiment(label, round(score, 4), round(confidence, 4))


def _modifiers(tokens: Sequence[str], at: int, width: int, lex: Lexicon) -> float:
    """The factor of intensifiers and negators around the word at `at`."""
    factor = 1.0
    negated = False
    for k in range(at - 1, max(-1, at - 1 - _WINDOW_BEFORE), -1):
        word = tokens[k]
        if word in _STOP or word in lex.contrast:
            break
        if word in lex.negators_before:
            negated = not negated
        elif k == at - 1 or tokens[k + 1] in lex.intensifiers:
            factor *= lex.intensifiers.get(word, 1.0)
        if k < at - 1 and word not in lex.negators_before and word not in lex.intensifiers:
            break
    if _negated_after(tokens, at + width, lex):
        negated = not negated
    return factor * (_NEGATION if negated else 1.0)


def _negated_after(tokens: Sequence[str], start: int, lex: Lexicon) -> bool:
    if not lex.negators_after:
        return False
    for k in range(start, min(len(tokens), start + _WINDOW_AFTER)):
        word = tokens[k]
        if word in _STOP or word in lex.contrast:
            return False
        if word in lex.negators_after:
            return True
    return False
