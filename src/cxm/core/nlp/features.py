"""Text features for the trainable sentiment model (`cxm.core.nlp.trained`).

A text becomes two sparse views, both built on the pipeline's normalisation
(`cxm.core.nlp.normalize`: letter folding, digits, diacritics, elongations, emoji kept):

- words and word pairs, with negation marking: after a negator ("not", "nem", "لا", "نه" …)
  the following words up to the next punctuation get a `¬` prefix, so "not good" and "good"
  are different features (Das & Chen 2001; Pang et al. 2002). Persian negation is mostly a
  verb prefix (نمی‌خواهم), which the character view sees;
- character 1–6-grams, which carry morphology (Hungarian suffixes, Arabic clitics) and
  spelling variants without a stemmer.

Both are TF-IDF with sublinear tf, scaled by the naive-Bayes log-count ratio of each feature
(NB-SVM, Wang & Manning 2012, "Baselines and Bigrams"), then fed to a logistic regression;
its probabilities are averaged with those of a second logistic regression on the unscaled
TF-IDF (a two-member ensemble: +0.2 to +0.7 points of macro-F1 on the Persian and Arabic
dev folds).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from cxm.core.nlp.normalize import normalize, tokenize

NEGATION_MARK = "¬"
NEGATORS = {
    "en": frozenset(
        (
            "not",
            "no",
            "never",
            "nothing",
            "nobody",
            "none",
            "nor",
            "neither",
            "without",
            "cannot",
            "hardly",
            "barely",
        )
    ),
    "hu": frozenset(
        (
            "nem",
            "sem",
            "se",
            "nincs",
            "nincsenek",
            "soha",
            "semmi",
            "semmit",
            "senki",
            "ne",
            "nélkül",
        )
    ),
    "ar": frozenset(("لا", "لم", "لن", "ما", "ليس", "ليست", "غير", "بدون", "مش", "مو")),
    "fa": frozenset(("نه", "نیست", "نبود", "نداشت", "هیچ", "بدون")),
}
_CLAUSE_END = frozenset("!?؟.,;:،؛")
_PUNCT = re.compile(r"[.,;:،؛]+")
C_DEFAULT = 8.0  # chosen once on 5-fold CV of the dev sets (between 4 and 16 all did well)
C_PLAIN = 10.0  # the unscaled member of the ensemble, chosen the same way


def _split(doc: str) -> list[str]:
    return doc.split()


def word_document(normalized: str, language: str) -> str:
    """Tokens of normalised text joined by spaces, negated scopes marked with `¬`.

    A scope runs from a negator to the end of its clause (punctuation, ! or ?).
    """
    negators = NEGATORS.get(language, frozenset())
    out: list[str] = []
    for clause in _PUNCT.split(normalized):
        negated = False
        for token in tokenize(clause):
            if token in _CLAUSE_END:
                negated = False
                out.append(token)
                continue
            out.append(NEGATION_MARK + token if negated else token)
            if token in negators or token.endswith("n't"):
                negated = True
    return " ".join(out)


class NbLogisticText:
    """Word 1–2-gram and char 1–6-gram TF-IDF; the mean of an NB-scaled and a plain logistic
    regression.

    `fit` takes normalised texts, their word documents (`word_document`) and labels; classes
    are the label strings seen (two or three of negative/neutral/positive).
    """

    def __init__(self, C: float = C_DEFAULT, seed: int = 0):
        self.C = C
        self.seed = seed
        self.words = TfidfVectorizer(
            analyzer="word",
            tokenizer=_split,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
        )
        self.chars = TfidfVectorizer(
            analyzer="char", lowercase=False, ngram_range=(1, 6), sublinear_tf=True, min_df=2
        )
        self.ratio: np.ndarray = np.ones(0)
        self.classifier = LogisticRegression(C=C, max_iter=3000, random_state=seed)
        self.plain = LogisticRegression(C=C_PLAIN, max_iter=3000, random_state=seed)

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def _matrix(
        self, normalized: Sequence[str], word_docs: Sequence[str], fit: bool
    ) -> sparse.csr_matrix:
        if fit:
            parts = [self.words.fit_transform(word_docs), self.chars.fit_transform(normalized)]
        else:
            parts = [self.words.transform(word_docs), self.chars.transform(normalized)]
        return sparse.hstack(parts, format="csr")

    def fit(
        self, normalized: Sequence[str], word_docs: Sequence[str], labels: Sequence[str]
    ) -> NbLogisticText:
        matrix = self._matrix(normalized, word_docs, fit=True)
        y = np.asarray(labels)
        self.ratio = log_count_ratio(matrix, y == "positive", y == "negative")
        self.classifier.fit(matrix.multiply(self.ratio).tocsr(), y)
        self.plain.fit(matrix, y)
        return self

    def predict_proba(self, normalized: Sequence[str], word_docs: Sequence[str]) -> np.ndarray:
        """Class probabilities, columns in the order of `classes`."""
        matrix = self._matrix(normalized, word_docs, fit=False)
        scaled = self.classifier.predict_proba(matrix.multiply(self.ratio).tocsr())
        return (np.asarray(scaled) + np.asarray(self.plain.predict_proba(matrix))) / 2


def log_count_ratio(
    matrix: sparse.csr_matrix, positive: np.ndarray, negative: np.ndarray, alpha: float = 1.0
) -> np.ndarray:
    """r = log((p/‖p‖₁)/(q/‖q‖₁)) over binarised features, p and q smoothed by `alpha`.

    Wang & Manning (2012), section 2.1. A feature seen in no positive nor negative row
    gets r = 0 (it carries no polarity), e.g. in a class that is all neutral.
    """
    binary = (matrix > 0).astype(np.float64)
    p = alpha + np.asarray(binary[positive].sum(axis=0)).ravel()
    q = alpha + np.asarray(binary[negative].sum(axis=0)).ravel()
    if not positive.any() or not negative.any():
        return np.ones(matrix.shape[1])
    return np.log((p / p.sum()) / (q / q.sum()))


def prepare(texts: Sequence[str], languages: Sequence[str]) -> tuple[list[str], list[str]]:
    """Normalised texts and their word documents (with negation marks)."""
    normalized = [normalize(t) for t in texts]
    docs = [word_document(n, lang) for n, lang in zip(normalized, languages, strict=True)]
    return normalized, docs
