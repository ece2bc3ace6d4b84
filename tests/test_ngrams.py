"""The word n-gram part: scikit-learn's features redone in numpy, stored as numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.ngrams import VOCAB_FILE, WEIGHTS_FILE, NgramModel, ngrams

TEXTS = [
    "The Host State shall have the primary right to exercise jurisdiction.",
    "Members of the force shall be tried by the military courts of the Sending State.",
    "Goods imported by the force shall be free of customs duties and taxes.",
    "Personal effects are exempt from customs duties; the Host State waives taxes.",
    "Any dispute shall be settled by negotiation between the Parties.",
    "Disputes between the Parties shall be settled by negotiation only.",
    "Le transfert de technologie de défense: Défense nationale, défense commune.",
    "La défense commune et le transfert de technologie.",
]
Y = np.array(
    [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 0, 0]]
    + [[0, 0, 0]],
    dtype=float,
)


@pytest.fixture(scope="module")
def model() -> NgramModel:
    fitted = NgramModel.fit(TEXTS, Y, seed=3)
    assert fitted is not None
    return fitted


def test_ngrams_unigrams_then_bigrams_lower_cased() -> None:
    assert ngrams("The Défense, a b-c") == ["the", "défense", "the défense"]


def test_ngrams_features_equal_scikit_learn(model: NgramModel) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(TEXTS)
    assert model.vocabulary == vec.vocabulary_
    unseen = ["The force shall settle customs disputes by negotiation negotiation."]
    for texts in (TEXTS, unseen, ["nothing known here"]):
        np.testing.assert_allclose(
            model.features(texts).toarray(), vec.transform(texts).toarray(), atol=1e-6
        )


def test_ngrams_decision_equals_the_fitted_linear_models(model: NgramModel) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vec.fit_transform(TEXTS)
    got = model.decision(TEXTS)
    for j in range(Y.shape[1]):
        lr = LogisticRegression(
            C=4.0, class_weight="balanced", max_iter=2000, random_state=3
        ).fit(x, Y[:, j])
        # coefficients are stored as float16: close, not equal
        np.testing.assert_allclose(got[:, j], lr.decision_function(x), atol=2e-3)
    assert got[:4, 0].min() > got[4:, 0].max()  # it learnt the labels


def test_ngrams_text_without_known_words_scores_the_intercept(
    model: NgramModel,
) -> None:
    got = model.decision(["zzz qqq", ""])
    np.testing.assert_allclose(got, np.vstack([model.intercept] * 2))
    assert model.decision([]).shape == (0, 3)


def test_ngrams_save_load_round_trip_without_pickle(
    model: NgramModel, tmp_path: Path
) -> None:
    model.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [VOCAB_FILE, WEIGHTS_FILE]
    again = NgramModel.load(tmp_path)
    assert again is not None and again.vocabulary == model.vocabulary
    np.testing.assert_array_equal(again.decision(TEXTS), model.decision(TEXTS))
    assert NgramModel.load(tmp_path / "elsewhere") is None


def test_ngrams_no_shared_word_fits_nothing() -> None:
    assert NgramModel.fit(["alpha beta", "gamma delta"], np.eye(2)) is None


def test_ngrams_label_without_positives_scores_zero() -> None:
    fitted = NgramModel.fit(TEXTS, Y[:, :1] * 0)
    assert fitted is not None
    assert not fitted.decision(TEXTS).any()
