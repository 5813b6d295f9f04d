"""The text pipeline: language → normalisation → sentiment → intent → topics, in batches.

`analyze(texts)` with the default model does several thousand short comments per second on
one core: each text is normalised and tokenised once, and the default model, intent rules
and topic matcher all work on those tokens. Another model (a trained one, or a transformer
plugged in by the user) gets the raw texts and the detected languages in one batch call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cxm.core.nlp.base import (
    LANGUAGES,
    NEUTRAL_UNKNOWN,
    OTHER_LANGUAGE,
    Analysis,
    Sentiment,
    SentimentModel,
    TopicRule,
)
from cxm.core.nlp.default_model import DefaultSentimentModel
from cxm.core.nlp.intent import classify_intent
from cxm.core.nlp.language import detect_language
from cxm.core.nlp.normalize import has_letters, normalize, strip_html, tokenize, truncate
from cxm.core.nlp.topics import TopicMatcher

_default_model = DefaultSentimentModel()


def analyze(
    texts: Sequence[str | None],
    *,
    model: SentimentModel | None = None,
    topics: Iterable[TopicRule] | TopicMatcher = (),
    language: str = "auto",
) -> list[Analysis]:
    """Language, sentiment, intent and topics of each text, in order.

    `language` "auto" detects it per text; one of LANGUAGES forces it (for texts with
    letters). Texts without letters get language "other", NEUTRAL_UNKNOWN, intent "other"
    and no topics.
    """
    if language != "auto" and language not in LANGUAGES:
        raise ValueError(f"language must be 'auto' or one of {', '.join(LANGUAGES)}")
    model = model or _default_model
    matcher = topics if isinstance(topics, TopicMatcher) else TopicMatcher.build(topics)
    given = [text or "" for text in texts]
    token_lists: list[list[str]] = []
    languages: list[str] = []
    for text in given:
        normalized = normalize(text)
        tokens = tokenize(normalized)
        token_lists.append(tokens)
        if not has_letters(normalized):
            languages.append(OTHER_LANGUAGE)
        elif language == "auto":
            # On the text as written: folding ي/ی and ك/ک would erase the Persian/Arabic cue.
            languages.append(detect_language(strip_html(truncate(text))))
        else:
            languages.append(language)
    if isinstance(model, DefaultSentimentModel):
        sentiments = [
            model.predict_tokens(tokens, lang)
            for tokens, lang in zip(token_lists, languages, strict=True)
        ]
    else:
        sentiments = _predict_other(model, given, token_lists, languages)
    results: list[Analysis] = []
    for tokens, lang, sentiment in zip(token_lists, languages, sentiments, strict=True):
        if lang == OTHER_LANGUAGE and not any(has_letters(t) for t in tokens):
            results.append(Analysis(lang, NEUTRAL_UNKNOWN, "other", 0.0, (), model.version))
            continue
        intent, intent_confidence = classify_intent(tokens, lang, sentiment)
        results.append(
            Analysis(
                language=lang,
                sentiment=sentiment,
                intent=intent,
                intent_confidence=intent_confidence,
                topics=matcher.match(tokens, lang),
                model_version=model.version,
            )
        )
    return results


def _predict_other(
    model: SentimentModel,
    texts: list[str],
    token_lists: list[list[str]],
    languages: list[str],
) -> list[Sentiment]:
    """Ask a non-default model only about texts that have letters."""
    wanted = [i for i, tokens in enumerate(token_lists) if any(has_letters(t) for t in tokens)]
    predicted = (
        model.predict([texts[i] for i in wanted], [languages[i] for i in wanted]) if wanted else []
    )
    if len(predicted) != len(wanted):
        raise ValueError(
            f"model {model.version} returned {len(predicted)} results for {len(wanted)}"
        )
    sentiments = [NEUTRAL_UNKNOWN] * len(texts)
    for index, sentiment in zip(wanted, predicted, strict=True):
        sentiments[index] = sentiment
    return sentiments
