"""The classifier's word n-gram part: TF-IDF features and one linear model per label.

The transformer and a bag of n-grams rank clauses differently (the n-grams keep
cue words such as "transfer of technology" that mean pooling over a 128-token
window dilutes), so the classifier adds the two log-odds before calibration. The
part is stored as numbers, not as a pickled scikit-learn object: the vocabulary
(JSON), and idf, coefficients and intercepts (safetensors). scikit-learn fits it;
scoring needs numpy only, with the tokenisation of scikit-learn's defaults
re-implemented here and checked against it in the tests.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

VOCAB_FILE = "ngram_vocab.json"
WEIGHTS_FILE = "ngrams.safetensors"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


def ngrams(text: str) -> list[str]:
    """Word unigrams then bigrams, lower-cased, as scikit-learn's TfidfVectorizer."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@dataclass(frozen=True)
class NgramModel:
    vocabulary: dict[str, int]
    idf: np.ndarray  # (terms,)
    coef: np.ndarray  # (terms, labels)
    intercept: np.ndarray  # (labels,)

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Sublinear TF-IDF rows with unit L2 norm, dense (texts x terms) per call."""
        from scipy.sparse import csr_matrix

        data: list[float] = []
        cols: list[int] = []
        ptr = [0]
        for text in texts:
            counts = Counter(t for t in ngrams(text) if t in self.vocabulary)
            idx = [self.vocabulary[t] for t in counts]
            w = np.array([1.0 + math.log(c) for c in counts.values()]) * self.idf[idx]
            norm = float(np.sqrt((w * w).sum())) if len(w) else 0.0
            data += list(w / norm) if norm else []
            cols += idx if norm else []
            ptr.append(len(cols))
        return csr_matrix((data, cols, ptr), shape=(len(texts), len(self.idf)))

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Log-odds per label, shape (len(texts), labels)."""
        if not texts:
            return np.zeros((0, len(self.intercept)))
        x = self.features(texts)
        return np.asarray(x @ self.coef.astype(np.float64)) + self.intercept

    @classmethod
    def fit(
        cls, texts: Sequence[str], y: np.ndarray, seed: int = 13
    ) -> NgramModel | None:
        """Fitted on training clauses; None when they share no n-gram twice."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        try:
            x = vec.fit_transform(texts)
        except ValueError:  # empty vocabulary: a tiny or degenerate training set
            return None
        coef = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
        intercept = np.zeros(y.shape[1], dtype=np.float32)
        for j in range(y.shape[1]):
            if 0 < y[:, j].sum() < len(y):
                m = LogisticRegression(
                    C=4.0, class_weight="balanced", max_iter=2000, random_state=seed
                ).fit(x, y[:, j])
                coef[:, j], intercept[j] = m.coef_[0], m.intercept_[0]
        # float16 halves the file; the model is calibrated on the rounded weights,
        # so what ships is what was measured
        vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
        return cls(
            vocab,
            vec.idf_.astype(np.float32),
            coef.astype(np.float16),
            intercept,
        )

    def save(self, path: Path) -> None:
        from safetensors.numpy import save_file

        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        (path / VOCAB_FILE).write_text(
            json.dumps(terms, ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )
        save_file(
            {
                "idf": self.idf.astype(np.float32),
                "coef": self.coef.astype(np.float16),
                "intercept": self.intercept.astype(np.float32),
            },
            str(path / WEIGHTS_FILE),
        )

    @classmethod
    def load(cls, path: Path) -> NgramModel | None:
        """The saved part, or None for a model directory without one."""
        from safetensors.numpy import load_file

        if not (path / WEIGHTS_FILE).is_file():
            return None
        terms = json.loads((path / VOCAB_FILE).read_text(encoding="utf-8"))
        w = load_file(str(path / WEIGHTS_FILE))
        return cls(
            {t: i for i, t in enumerate(terms)}, w["idf"], w["coef"], w["intercept"]
        )
