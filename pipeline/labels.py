"""The label set as data: ``annotations/labels.json`` (guideline version v1).

Everything that needs labels (model head, exporters, JSON Schema enum, CLI choices)
reads this file; no module hard-codes the list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus import PROJECT_ROOT
from pipeline.errors import ConfigError

LABELS_FILENAME = "labels.json"
DEFAULT_LABELS = PROJECT_ROOT / "annotations" / LABELS_FILENAME


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    description: str
    group: str
    typical_wording: str = ""
    not_this_label: str | None = None


@dataclass(frozen=True, slots=True)
class LabelSet:
    version: str
    labels: tuple[Label, ...]

    @property
    def names(self) -> list[str]:
        return [lb.name for lb in self.labels]

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def check(self, names: list[str]) -> list[str]:
        """Names that are not in the set (empty when all are known)."""
        return [n for n in names if n not in self.names]


def load_labels(path: Path | None = None) -> LabelSet:
    path = path or DEFAULT_LABELS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        labels = tuple(
            Label(
                name=d["name"],
                description=d["description"],
                group=d.get("group", ""),
                typical_wording=d.get("typical_wording", ""),
                not_this_label=d.get("not_this_label"),
            )
            for d in data["labels"]
        )
        return LabelSet(version=data["version"], labels=labels)
    except (OSError, KeyError, json.JSONDecodeError) as e:
        raise ConfigError(
            f"{path}: cannot read the label set ({e}); restore "
            "annotations/labels.json from the repository"
        ) from e
