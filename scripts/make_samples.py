"""Regenerate corpora/samples/*.pdf from the sample texts beside them.

    python scripts/make_samples.py            # write the PDFs
    python scripts/make_samples.py --check    # exit 1 if a PDF is missing or stale
    python scripts/make_samples.py --all-layouts /tmp/out   # every sample x layout

Each sample is rendered in one layout (see ``SAMPLES``); the first sample is in
the treaty-series layout with its PART III set in two columns.  Output is
byte-for-byte deterministic, so ``--check`` can run in CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from render_pdf import LAYOUTS, RenderInfo, render  # noqa: E402

SAMPLES_DIR = HERE.parent / "corpora" / "samples"


@dataclass(frozen=True)
class Sample:
    stem: str
    layout: str
    options: dict = field(default_factory=dict)

    @property
    def txt(self) -> Path:
        return SAMPLES_DIR / f"{self.stem}.txt"

    @property
    def pdf(self) -> Path:
        return SAMPLES_DIR / f"{self.stem}.pdf"


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "arden-westmark-sofa",
        "treaty-series",
        {
            "header_odd": "TREATY SERIES — No. 12 — Arden and Westmark",
            "header_even": "Agreement on the Status of Forces",
            "two_column_from": "PART III",
            "two_column_until": "PART IV",
        },
    ),
    Sample("arden-westmark-security-of-information", "justified"),
    Sample("caldera-norvik-logistics-support", "two-column"),
)


def build(sample: Sample, out: Path | None = None) -> RenderInfo:
    """Render one sample (to ``out``, default the PDF beside its text)."""
    text = sample.txt.read_text(encoding="utf-8")
    return render(text, out or sample.pdf, sample.layout, **sample.options)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--check",
        action="store_true",
        help="compare with the committed PDFs instead of writing",
    )
    ap.add_argument(
        "--all-layouts",
        type=Path,
        metavar="DIR",
        help="also render every sample in every layout into DIR",
    )
    a = ap.parse_args(argv)

    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for s in SAMPLES:
            target = Path(tmp) / s.pdf.name if a.check else s.pdf
            info = build(s, target)
            size = target.stat().st_size
            print(
                f"{s.pdf.name}: {s.layout}, {info.pages} pages, "
                f"two-column pages {info.two_column_pages}, {size} bytes"
            )
            for note in info.notes:
                print(f"  note: {note}")
            if a.check and (
                not s.pdf.exists() or s.pdf.read_bytes() != target.read_bytes()
            ):
                stale.append(s.pdf.name)
    if a.all_layouts:
        a.all_layouts.mkdir(parents=True, exist_ok=True)
        for s in SAMPLES:
            text = s.txt.read_text(encoding="utf-8")
            for layout in LAYOUTS:
                render(text, a.all_layouts / f"{s.stem}.{layout}.pdf", layout)
    if stale:
        print("stale or missing, run scripts/make_samples.py:", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
