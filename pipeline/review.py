"""What a reader needs from a document's JSON: components per label, and the
clauses whose labels the model is unsure of.

Low confidence, defined once for every report: a clause is flagged for review when
one of its labels' calibrated scores lies within ``margin`` of that label's threshold
in log-odds (the model could have gone either way), or when its best score of any
label is below ``floor`` (the model found nothing it is sure of). The margin is in
log-odds because thresholds range from 0.1 to 0.75: 0.5 in log-odds is about
+-0.12 around a threshold of 0.5 and +-0.05 around one of 0.1, where a fixed
+-0.1 would flag nearly every clause.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MARGIN = 0.5  # log-odds
FLOOR = 0.5
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Component:
    """One label in one document."""

    label: str
    present: bool  # at least one clause carries the label
    max_score: float | None  # highest score of the label over all clauses
    clause_ids: tuple[str, ...]  # the clauses that carry it, in document order


def components(clauses: list[dict[str, Any]], labels: list[str]) -> list[Component]:
    """Presence, highest score and clause ids of every label in ``labels``.

    The highest score is taken over every clause, so that an absent label still
    shows how near it came; for a present label it equals the JSON's
    ``components.document[label].max_score`` (thresholds are per label, so the
    best-scoring clause is always one that carries it).
    """
    out = []
    for label in labels:
        scores = [c["scores"][label] for c in clauses if label in c.get("scores", {})]
        ids = tuple(c["clause_id"] for c in clauses if label in c.get("labels", ()))
        out.append(Component(label, bool(ids), max(scores) if scores else None, ids))
    return out


@dataclass(frozen=True, slots=True)
class Flag:
    """Why a clause needs a human look."""

    clause_id: str
    reasons: tuple[str, ...]


def review_flag(
    clause: dict[str, Any],
    thresholds: dict[str, float],
    *,
    margin: float = MARGIN,
    floor: float = FLOOR,
) -> Flag | None:
    """The flag of a clause, or None when the model is sure of every label.

    A clause without scores (classifier off) is never flagged: there is nothing
    to be unsure about.
    """
    scores: dict[str, float] = clause.get("scores") or {}
    if not scores:
        return None
    reasons = []
    for label, score in sorted(scores.items(), key=lambda kv: -kv[1]):
        t = thresholds.get(label, DEFAULT_THRESHOLD)
        if abs(_logit(score) - _logit(t)) < margin:
            side = "above" if score >= t else "below"
            reasons.append(f"{label} {score:.2f} just {side} its threshold {t:.2f}")
    best = max(scores.values())
    if best < floor:
        reasons.append(f"best score {best:.2f} is below {floor:.2f}")
    return Flag(clause["clause_id"], tuple(reasons)) if reasons else None


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)  # scores are rounded to 4 places: 0 and 1 occur
    return math.log(p / (1 - p))


def review_flags(
    clauses: list[dict[str, Any]],
    thresholds: dict[str, float],
    *,
    margin: float = MARGIN,
    floor: float = FLOOR,
) -> dict[str, Flag]:
    """Flags by clause id, for the clauses that need review."""
    flags = (review_flag(c, thresholds, margin=margin, floor=floor) for c in clauses)
    return {f.clause_id: f for f in flags if f is not None}


def top_scores(clause: dict[str, Any], n: int = 5) -> list[tuple[str, float]]:
    """The clause's ``n`` best labels by score, best first."""
    scores: dict[str, float] = clause.get("scores") or {}
    return sorted(scores.items(), key=lambda kv: -kv[1])[:n]


def page_ref(pages: list[int]) -> str:
    """ "p. 3" or "pp. 3-4"; empty for text input, which has no pages."""
    if not pages:
        return ""
    lo, hi = min(pages), max(pages)
    return f"p. {lo}" if lo == hi else f"pp. {lo}\u2013{hi}"
