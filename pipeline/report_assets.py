"""CSS and JavaScript inlined into every HTML report page (no external resources).

The pages read completely without JavaScript; the script only adds filters (show
the clauses of one component, or only the flagged ones).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence

CSS = """
:root { --fg: #1d232b; --muted: #5b6570; --line: #d5dae0; --bg: #fff;
  --flag: #b3261e; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; line-height: 1.45; font-size: 15px; }
header.top { padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); }
header.top h1 { margin: .2rem 0 .5rem; font-size: 1.4rem; }
a { color: #0b57a3; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem;
  margin: 0; font-size: .9rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.layout { display: grid; grid-template-columns: 17rem 1fr; }
nav#outline { position: sticky; top: 0; align-self: start; max-height: 100vh;
  overflow: auto; padding: .5rem 1rem; border-right: 1px solid var(--line);
  font-size: .85rem; }
nav#outline ol { list-style: none; padding: 0; margin: 0; }
nav#outline li { margin: .15rem 0; } nav#outline li.lv2 { padding-left: 1rem; }
nav#outline li.lv3 { padding-left: 2rem; }
main { padding: .5rem 1.5rem 3rem; min-width: 0; }
main.wide { max-width: none; }
h2 { font-size: 1.15rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem .5rem; padding: 0;
  list-style: none; }
.legend li { font-size: .85rem; }
.legend li.absent { opacity: .45; }
.chip { display: inline-block; border-radius: .7rem; padding: 0 .5rem;
  font-size: .78rem; color: #fff; background: var(--c); white-space: nowrap; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: .2rem;
  background: var(--c); vertical-align: -.1rem; margin-right: .25rem; }
.clause { position: relative; margin: .35rem 0; padding: .35rem .6rem .35rem 1rem;
  border-radius: .3rem; background: var(--t, #f6f7f9); }
.clause .bar { position: absolute; left: 0; top: 0; bottom: 0; width: .4rem;
  border-radius: .3rem 0 0 .3rem; background: var(--muted); }
.clause.d1 { margin-left: 1.2rem; } .clause.d2 { margin-left: 2.4rem; }
.clause.d3 { margin-left: 3.6rem; }
.clause .cmeta { font-size: .78rem; color: var(--muted); display: flex; flex-wrap: wrap;
  gap: .3rem; align-items: center; }
.clause .ctext { margin: .2rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.clause.review { outline: 2px dashed var(--flag); }
.flag { color: var(--flag); font-weight: 600; }
.cid { font-family: ui-monospace, Menlo, Consolas, monospace; }
h2.h-title, h2.h-group, h3.h-article, h4.h-heading { scroll-margin-top: .5rem; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid var(--line); padding: .2rem .4rem; text-align: left;
  vertical-align: top; }
table.matrix th.lab { writing-mode: vertical-rl; transform: rotate(180deg);
  white-space: nowrap; font-weight: 500; }
table.matrix td.on { background: var(--c); text-align: center; }
table.matrix td.on a { color: #fff; font-weight: 600; text-decoration: none; }
table.matrix td.off { color: #b9c0c8; text-align: center; }
.muted { color: var(--muted); }
#controls { margin: .5rem 0; font-size: .85rem; }
.hidden-by-filter { display: none; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; }
  nav#outline { position: static; max-height: none; border-right: 0; } }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  .layout { display: block; }
  nav#outline { position: static; max-height: none; border: 0; columns: 2; }
  #controls { display: none; }
  .hidden-by-filter { display: block; }
  .clause { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

JS = """
(function () {
  var controls = document.getElementById('controls');
  if (!controls) { return; }
  controls.hidden = false;
  var select = document.getElementById('filter-label');
  var flagged = document.getElementById('filter-flagged');
  function apply() {
    var label = select ? select.value : '';
    var onlyFlagged = flagged ? flagged.checked : false;
    var clauses = document.querySelectorAll('.clause');
    for (var i = 0; i < clauses.length; i++) {
      var c = clauses[i];
      var labels = (c.getAttribute('data-labels') || '').split(' ');
      var show = (!label || labels.indexOf(label) >= 0) &&
        (!onlyFlagged || c.classList.contains('review'));
      c.classList.toggle('hidden-by-filter', !show);
    }
  }
  // a printout shows every list, folded or not
  window.addEventListener('beforeprint', function () {
    var folded = document.querySelectorAll('details');
    for (var i = 0; i < folded.length; i++) { folded[i].open = true; }
  });
  if (select) { select.addEventListener('change', apply); }
  if (flagged) { flagged.addEventListener('change', apply); }
})();
"""

SCRIPT_HASH = (
    "sha256-" + base64.b64encode(hashlib.sha256(JS.encode()).digest()).decode()
)
_SAFE = re.compile(r"[^a-z0-9_-]")


def css_class(label: str) -> str:
    """The CSS class of a label (label names are data: keep only safe characters)."""
    return "lb-" + _SAFE.sub("-", label.lower())


def label_colours(labels: Sequence[str]) -> dict[str, tuple[str, str]]:
    """A strong and a tinted colour per label: hues evenly spread and stepped by 7
    (coprime with the count), so that neighbours in the label list never look alike,
    with alternating lightness for labels whose hues are near."""
    n = max(len(labels), 1)
    step = 7 if n % 7 else 3
    out = {}
    for i, lb in enumerate(labels):
        hue = round((i * step % n) * 360 / n)
        light = 34 if i % 2 else 44
        out[lb] = (f"hsl({hue} 62% {light}%)", f"hsl({hue} 70% 94%)")
    return out


def label_css(labels: Sequence[str]) -> str:
    return "\n".join(
        f".{css_class(lb)} {{ --c: {strong}; --t: {tint}; }}"
        for lb, (strong, tint) in label_colours(labels).items()
    )


def page(title: str, body: str, labels: Sequence[str]) -> str:
    """A whole self-contained HTML page; ``title`` is escaped, ``body`` is HTML."""
    from html import escape

    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # no request may leave the page (it is read offline), and only our own
        # script may run, by its hash: a document's text could never add one
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"style-src 'unsafe-inline'; script-src '{SCRIPT_HASH}'; img-src data:\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}\n{label_css(labels)}</style>\n"
        f"</head>\n<body>\n{body}\n<script>{JS}</script>\n</body>\n</html>\n"
    )
