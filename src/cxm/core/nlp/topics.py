"""Matching an organisation's topic taxonomy (TopicRule keywords per language) in a text.

Keywords and text are normalised the same way, and matched on whole tokens, with the
affix tolerance of `normalize.variants`: "کیفیتش" matches کیفیت, "الخدمة" matches خدمة,
"szállításnál" matches szállítás, "deliveries" matches delivery. A multi-word keyword matches
consecutive tokens, each with that tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cxm.core.nlp.base import LANGUAGES, TopicRule
from cxm.core.nlp.normalize import normalize, tokenize, variants


@dataclass(frozen=True)
class TopicMatcher:
    """Topic rules compiled for fast matching: language → first token → [(code, tokens)]."""

    index: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]]
    order: tuple[str, ...]  # topic codes in taxonomy order

    @classmethod
    def build(cls, rules: Iterable[TopicRule]) -> TopicMatcher:
        index: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]] = {}
        order: list[str] = []
        for rule in rules:
            order.append(rule.code)
            for language, keywords in rule.keywords.items():
                table = index.setdefault(language, {})
                for keyword in keywords:
                    tokens = tuple(tokenize(normalize(keyword)))
                    if tokens:
                        table.setdefault(tokens[0], []).append((rule.code, tokens))
        return cls(index=index, order=tuple(dict.fromkeys(order)))

    def match(self, tokens: Sequence[str], language: str) -> tuple[str, ...]:
        """Codes of the topics mentioned in normalised `tokens`, in taxonomy order.

        Keywords of the text's language are used; for "other" (or an unknown language)
        those of every language.
        """
        if not self.index or not tokens:
            return ()
        languages = [language] if language in LANGUAGES else list(self.index)
        found: set[str] = set()
        for lang in languages:
            table = self.index.get(lang)
            if not table:
                continue
            for position, token in enumerate(tokens):
                for base in variants(token, lang):
                    for code, keyword in table.get(base, ()):
                        if code not in found and _rest_matches(tokens, position, keyword, lang):
                            found.add(code)
        return tuple(code for code in self.order if code in found)


def _rest_matches(
    tokens: Sequence[str], start: int, keyword: tuple[str, ...], language: str
) -> bool:
    if start + len(keyword) > len(tokens):
        return False
    return all(
        word in variants(tokens[start + k], language) for k, word in enumerate(keyword) if k > 0
    )


def match_topics(text: str, language: str, rules: Iterable[TopicRule]) -> tuple[str, ...]:
    """Convenience for one text: the topic codes of `rules` that `text` mentions."""
    return TopicMatcher.build(rules).match(tokenize(normalize(text)), language)
