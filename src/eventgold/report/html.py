"""One self-contained HTML file per report: inline CSS, inline PNG charts, a little vanilla JS.

The page needs no network: charts are ``data:`` PNGs, styles and the script
(sortable and filterable tables) are inline, and a Content-Security-Policy
forbids loading anything else, so a report can be mailed, archived or opened
offline. Every piece of text from the data (article snippets, ids, names,
paths) is HTML-escaped: an article holding ``<script>`` shows it as text.
Nothing is computed here; see :mod:`eventgold.report.common`.

The error table of a scoring report can hold 100,000 rows and more, which a
browser cannot lay out as one table: its rows are embedded once as JSON (a
``<script type="application/json">`` data block, ``<``, ``>`` and ``&``
escaped, see :func:`script_json`) and the script shows one page of them at a
time, sorting and filtering the data array rather than the DOM. The first
page is also in the HTML itself, for readers without JavaScript.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eventgold import __version__
from eventgold.gold.agreement import AgreementReport
from eventgold.report import plots
from eventgold.report.common import (
    ALPHA,
    CONFUSIONS,
    METHOD_LABELS,
    SUMMARY_METRICS,
    TYPE_FAMILIES,
    best_indices,
    disagreement_values,
    error_counts,
    fmt,
    fmt_count,
    fmt_interval,
    fmt_p,
    is_missing,
    kappa_matrix,
    label,
    pair_matrix,
    per_type_f1,
    per_type_support,
    per_type_types,
    significance_rows,
    split_snippet,
    type_interval,
)
from eventgold.scoring.report import HEADLINE_METRICS, ScoreReport

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'"

CSS = """
:root { --fg: #1a1a1a; --muted: #555; --line: #d0d0d0; --head: #f3f3f3; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg);
       margin: 0; background: #fff; }
header.top { padding: 1.2rem 2rem .6rem; border-bottom: 1px solid var(--line); }
header.top h1 { margin: 0 0 .3rem; font-size: 1.5rem; }
header.top p { margin: .2rem 0; color: var(--muted); }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: .4rem 2rem;
      z-index: 2; }
nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; font-weight: 600; }
nav a:hover, nav a:focus { text-decoration: underline; }
main { padding: 0 2rem 3rem; max-width: 1500px; }
section { margin-top: 1.8rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid var(--fg); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin-bottom: .4rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; }
th { background: var(--head); text-align: left; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.best { font-weight: 700; background: #e8f1f8; }
td.best::after { content: " \\2605"; }
.ci { color: var(--muted); font-size: .85em; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
pre { background: #f6f6f6; border: 1px solid var(--line); padding: .6rem; white-space: pre-wrap;
      word-break: break-all; }
mark { background: #ffd37a; color: inherit; padding: 0 .1em; border-bottom: 2px solid #9a6a00; }
.snippet { max-width: 48rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
figure { margin: .4rem 0 1rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: var(--muted); font-size: .85em; max-width: 60rem; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; margin: .4rem 0; }
.filters input[type=search] { min-width: 18rem; padding: .3rem .4rem; }
.filters select, .filters input { font: inherit; }
.count { color: var(--muted); }
.pager { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .4rem 0; }
.pager[hidden] { display: none; }
.pager button, .pager select, .pager input { font: inherit; }
.pager input[type=number] { width: 6rem; }
.pager .status { color: var(--muted); font-variant-numeric: tabular-nums; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: " \\2195"; color: #999; }
th[aria-sort=ascending]::after { content: " \\25B2"; color: var(--fg); }
th[aria-sort=descending]::after { content: " \\25BC"; color: var(--fg); }
.warnings { border-left: 4px solid #E69F00; background: #fff8e6; padding: .4rem .8rem; margin: .8rem 0; }
.warnings li { margin: .15rem 0; }
.scroll { overflow-x: auto; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
footer { color: var(--muted); padding: 1rem 2rem; border-top: 1px solid var(--line); font-size: .85em; }
@media print {
  nav, .filters, .pager { display: none; }
  body { font-size: 10pt; }
  main { padding: 0; max-width: none; }
  section { break-inside: auto; }
  figure, tr { break-inside: avoid; }
  td.best { background: none; }
  mark { background: none; border-bottom: 2px solid #000; font-weight: 700; }
}
"""

JS = """
(function () {
  "use strict";
  function key(row, col, type) {
    var cell = row.cells[col];
    var raw = !cell ? "" : cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (type === "num") { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return raw.trim().toLowerCase();
  }
  function sortBy(table, th, col) {
    var ascending = nextSort(table, th);
    var type = th.getAttribute("data-type") || "text";
    var body = table.tBodies[0];
    var keyed = Array.prototype.map.call(body.rows, function (row, index) {
      return [key(row, col, type), index, row];
    });
    keyed.sort(function (a, b) {
      var r = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
      return r === 0 ? a[1] - b[1] : (ascending ? r : -r);
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (k) { fragment.appendChild(k[2]); });
    body.appendChild(fragment);
  }
  function sortable(table, sort) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sort(th, col); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(th, col); }
      });
    });
  }
  function nextSort(table, th) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    return ascending;
  }
  function int(n) { return n.toLocaleString("en-US"); }

  // A table whose rows live in a JSON data block (data-source): one page of them is in the DOM.
  // Each row is an array of cells, one per column: a string; [text, number or null] in a "num"
  // column (the number sorts); [left, unit, right, detail] for a snippet with its unit marked.
  function cellText(v, type) {
    if (!Array.isArray(v)) { return v; }
    if (type === "num") { return v[0]; }
    var s = v[0] + v[1] + v[2];
    return s ? (v[3] ? s + " (" + v[3] + ")" : s) : v[3];
  }
  function snippetNode(v) {
    var div = document.createElement("div");
    div.className = "snippet";
    if (!(v[0] || v[1] || v[2])) { div.textContent = v[3]; return div; }
    div.appendChild(document.createTextNode(v[0]));
    if (v[1]) { var mark = document.createElement("mark"); mark.textContent = v[1]; div.appendChild(mark); }
    div.appendChild(document.createTextNode(v[2]));
    if (v[3]) {
      var ci = document.createElement("span");
      ci.className = "ci";
      ci.textContent = "(" + v[3] + ")";
      div.appendChild(document.createTextNode(" "));
      div.appendChild(ci);
    }
    return div;
  }
  function dataTable(table) {
    var source = document.getElementById(table.getAttribute("data-source"));
    if (!source) { return; }
    var heads = table.tHead.rows[0].cells;
    var types = Array.prototype.map.call(heads, function (th) { return th.getAttribute("data-type") || "text"; });
    var body = table.tBodies[0];
    var box = document.querySelector('.filters[data-table="' + table.id + '"]');
    var search = box ? box.querySelector("input[type=search]") : null;
    var selects = box ? box.querySelectorAll("select[data-col]") : [];
    var count = box ? box.querySelector(".count") : null;
    var pager = document.querySelector('.pager[data-table="' + table.id + '"]');
    var size = parseInt(table.getAttribute("data-page-size"), 10) || 100;
    var rows = JSON.parse(source.textContent);
    var n = rows.length;
    var order = new Array(n);  // row numbers in the order of the last sort
    for (var i = 0; i < n; i++) { order[i] = i; }
    var view = order;  // those that pass the filters
    var first = 0;  // the first of view on the page
    var texts = [];  // each row's search text, made while the page is idle (or all at once when needed)
    var shown = {};
    var keys = {};

    function column(c) {  // each row's cell text in column c, trimmed (cached)
      if (!shown[c]) {
        var out = new Array(n);
        for (var i = 0; i < n; i++) { out[i] = String(cellText(rows[i][c], types[c])).trim(); }
        shown[c] = out;
      }
      return shown[c];
    }
    function sortKeys(c) {
      if (!keys[c]) {
        var out = new Array(n);
        if (types[c] === "num") {
          for (var i = 0; i < n; i++) { var v = rows[i][c][1]; out[i] = v === null ? -Infinity : v; }
        } else {
          var text = column(c);
          for (var j = 0; j < n; j++) { out[j] = text[j].toLowerCase(); }
        }
        keys[c] = out;
      }
      return keys[c];
    }
    function makeTexts(end) {  // all cells of a row, lower case, one per line (a term never spans two)
      for (var i = texts.length; i < end; i++) {
        var r = rows[i];
        var line = String(cellText(r[0], types[0])).trim();
        for (var c = 1; c < types.length; c++) { line += "\\n" + String(cellText(r[c], types[c])).trim(); }
        texts.push(line.toLowerCase());
      }
    }
    function searchTexts() {
      makeTexts(n);
      return texts;
    }
    function idle() {  // the search texts in slices of 2,000 rows, none long enough to hold up a frame
      var later = window.requestIdleCallback || function (f) { return setTimeout(f, 20); };
      later(function () {
        makeTexts(Math.min(n, texts.length + 2000));
        if (texts.length < n) { idle(); }
      });
    }
    function filtered() {
      var terms = search ? search.value.toLowerCase().split(/\\s+/).filter(Boolean) : [];
      var wanted = [];
      Array.prototype.forEach.call(selects, function (s) {
        if (s.value) { wanted.push([column(parseInt(s.getAttribute("data-col"), 10)), s.value]); }
      });
      if (!terms.length && !wanted.length) { return order; }
      var text = terms.length ? searchTexts() : null;
      var out = [];
      for (var k = 0; k < order.length; k++) {
        var i = order[k];
        var ok = true;
        for (var w = 0; ok && w < wanted.length; w++) { ok = wanted[w][0][i] === wanted[w][1]; }
        for (var t = 0; ok && t < terms.length; t++) { ok = text[i].indexOf(terms[t]) >= 0; }
        if (ok) { out.push(i); }
      }
      return out;
    }
    function rowNode(r) {
      var tr = document.createElement("tr");
      for (var c = 0; c < types.length; c++) {
        var v = r[c];
        var td = document.createElement("td");
        if (types[c] === "num") {
          td.className = "num";
          td.textContent = v[0];
          if (v[1] !== null) { td.setAttribute("data-sort", String(v[1])); }
        } else if (Array.isArray(v)) {
          td.appendChild(snippetNode(v));
        } else {
          td.textContent = v;
        }
        tr.appendChild(td);
      }
      return tr;
    }
    function status() {  // the counts and the pager's state, for rows first.. of total
      var total = view.length;
      var pages = Math.max(1, Math.ceil(total / size));
      first = Math.min(Math.max(0, first), (pages - 1) * size);
      if (count) { count.textContent = total + " of " + n + " shown"; }
      if (!pager) { return; }
      var last = Math.min(first + size, total);
      var page = Math.floor(first / size) + 1;
      pager.querySelector(".status").textContent = !total ? "No rows match"
        : "Rows " + int(first + 1) + "–" + int(last) + " of " + int(total) + " · page " + int(page) + " of "
          + int(pages);
      pager.querySelector("[data-go=first]").disabled = page === 1;
      pager.querySelector("[data-go=prev]").disabled = page === 1;
      pager.querySelector("[data-go=next]").disabled = page === pages;
      pager.querySelector("[data-go=last]").disabled = page === pages;
      var input = pager.querySelector("input.page");
      input.max = String(pages);
      input.value = String(page);
    }
    function show() {
      status();
      var last = Math.min(first + size, view.length);
      var fragment = document.createDocumentFragment();
      for (var k = first; k < last; k++) { fragment.appendChild(rowNode(rows[view[k]])); }
      body.textContent = "";
      body.appendChild(fragment);
    }
    function refilter() { view = filtered(); first = 0; show(); }
    sortable(table, function (th, c) {
      var ascending = nextSort(table, th);
      var k = sortKeys(c);
      order.sort(function (a, b) {  // stable: ties keep the order of the previous sort
        var x = k[a];
        var y = k[b];
        return x < y ? (ascending ? -1 : 1) : x > y ? (ascending ? 1 : -1) : 0;
      });
      refilter();
    });
    if (search) { search.addEventListener("input", refilter); }
    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", refilter); });
    if (pager) {
      pager.addEventListener("click", function (e) {
        var go = e.target.closest ? e.target.closest("button[data-go]") : null;
        if (!go) { return; }
        var where = go.getAttribute("data-go");
        first = where === "first" ? 0 : where === "prev" ? first - size : where === "next" ? first + size
          : Math.floor(Math.max(0, view.length - 1) / size) * size;
        show();
      });
      pager.querySelector("input.page").addEventListener("change", function (e) {
        var p = parseInt(e.target.value, 10);
        if (!isNaN(p)) { first = (p - 1) * size; }
        show();
      });
      pager.querySelector("select.size").addEventListener("change", function (e) {
        size = parseInt(e.target.value, 10) || size;
        first = Math.floor(first / size) * size;
        show();
      });
      pager.hidden = false;
    }
    document.querySelectorAll('.js-off[data-table="' + table.id + '"]').forEach(function (p) { p.hidden = true; });
    var filtering = (search && search.value) || Array.prototype.some.call(selects, function (s) { return s.value; });
    if (filtering) {  // the browser kept what was typed before a reload
      refilter();
    } else {
      status();  // the first page is in the HTML already
    }
    if (document.readyState === "complete") { idle(); } else { window.addEventListener("load", idle); }
  }
  document.querySelectorAll("table[data-source]").forEach(dataTable);

  document.querySelectorAll("table.sortable:not([data-source])").forEach(function (table) {
    sortable(table, function (th, col) { sortBy(table, th, col); });
  });
  document.querySelectorAll(".filters[data-table]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-table"));
    if (!table || table.hasAttribute("data-source")) { return; }
    var search = box.querySelector("input[type=search]");
    var selects = box.querySelectorAll("select[data-col]");
    var count = box.querySelector(".count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = new Map(rows.map(function (row) { return [row, row.textContent.toLowerCase()]; }));
    function apply() {
      var terms = search ? search.value.toLowerCase().split(/\\s+/).filter(Boolean) : [];
      var wanted = Array.prototype.map.call(selects, function (s) {
        return [parseInt(s.getAttribute("data-col"), 10), s.value];
      }).filter(function (w) { return w[1]; });
      var shown = 0;
      rows.forEach(function (row) {
        var text = texts.get(row);
        var ok = terms.every(function (t) { return text.indexOf(t) >= 0; }) && wanted.every(function (w) {
          var cell = row.cells[w[0]];
          return cell && cell.textContent.trim() === w[1];
        });
        if (row.hidden === ok) { row.hidden = !ok; }
        if (ok) { shown++; }
      });
      if (count) { count.textContent = shown + " of " + rows.length + " shown"; }
    }
    if (search) { search.addEventListener("input", apply); }
    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", apply); });
    apply();
  });
})();
"""


def esc(value: object) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def snippet_html(snippet: str | None) -> str:
    """A snippet, escaped, with its unit in ``<mark>``."""
    left, unit, right = split_snippet(snippet)
    if not unit:
        return esc(left)
    return f"{esc(left)}<mark>{esc(unit)}</mark>{esc(right)}"


def figure(png: bytes, alt: str, caption: str | None = None) -> str:
    """A chart as an inline PNG ``<img>`` with alt text and an optional caption."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure><img class="chart" src="data:image/png;base64,{data}" alt="{esc(alt)}">{cap}</figure>'


@dataclass(frozen=True)
class Column:
    """A column of an HTML table: heading, sort type (``text`` or ``num``), numeric alignment."""

    title: str
    type: str = "text"

    @property
    def numeric(self) -> bool:
        """Whether cells are right-aligned numbers."""
        return self.type == "num"


Cell = tuple[str, str | None] | str
Row = Sequence[Cell]
"""Cell HTML (already escaped), optionally with a sort key: ``(html, sort)``."""


NUM_CLASS = ' class="num"'


def html_table(
    columns: Sequence[Column],
    rows: Sequence[Row],
    *,
    table_id: str | None = None,
    sortable: bool = False,
    classes: Sequence[Sequence[Sequence[str]]] | None = None,
    data: Mapping[str, str] | None = None,
) -> str:
    """A table from already-escaped cell HTML; ``classes[i][j]`` adds CSS classes to a cell.

    ``data`` adds ``data-*`` attributes to the table (name without the prefix -> value).
    """
    attrs = f' id="{esc(table_id)}"' if table_id else ""
    attrs += ' class="sortable"' if sortable else ""
    attrs += "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in (data or {}).items())
    head = "".join(
        f'<th scope="col" data-type="{c.type}"{NUM_CLASS if c.numeric else ""}>{esc(c.title)}</th>' for c in columns
    )
    body = []
    for i, row in enumerate(rows):
        cells = []
        for j, value in enumerate(row):
            content, sort = value if isinstance(value, tuple) else (value, None)
            cls = ["num"] if j < len(columns) and columns[j].numeric else []
            if classes is not None:
                cls += list(classes[i][j])
            cls_attr = f' class="{" ".join(cls)}"' if cls else ""
            sort_attr = f' data-sort="{esc(sort)}"' if sort is not None else ""
            cells.append(f"<td{cls_attr}{sort_attr}>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table{attrs}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )


def filters(table_id: str, selects: Sequence[tuple[str, int, Sequence[str]]], placeholder: str) -> str:
    """The search box and drop-downs (label, column, values) that filter table ``table_id``."""
    parts = [
        f'<div class="filters" data-table="{esc(table_id)}">',
        f'<input type="search" id="{esc(table_id)}-filter" placeholder="{esc(placeholder)}" '
        f'aria-label="{esc(placeholder)}">',
    ]
    for title, col, values in selects:
        options = '<option value="">all</option>' + "".join(
            f'<option value="{esc(v)}">{esc(v)}</option>' for v in values
        )
        parts.append(f'<label>{esc(title)} <select data-col="{col}">{options}</select></label>')
    parts.append('<span class="count" aria-live="polite"></span></div>')
    return "".join(parts)


def _warnings(items: Sequence[str]) -> str:
    if not items:
        return ""
    return (
        '<div class="warnings"><strong>Warnings</strong><ul>'
        + "".join(f"<li>{esc(w)}</li>" for w in items)
        + ("</ul></div>")
    )


def page(title: str, lede: str, sections: Sequence[tuple[str, str, str]], footer: str) -> str:
    """The whole document: head with CSP and CSS, navigation, sections (id, heading, body HTML), script."""
    nav = "".join(f'<a href="#{esc(sid)}">{esc(heading)}</a>' for sid, heading, _ in sections)
    body = "".join(
        f'<section id="{esc(sid)}"><h2>{esc(heading)}</h2>{content}</section>' for sid, heading, content in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><h1>{esc(title)}</h1>{lede}</header>'
        f'<nav aria-label="sections">{nav}</nav><main>{body}</main>'
        f"<footer>{footer}</footer><script>{JS}</script></body></html>\n"
    )


# ---------------------------------------------------------------------------
# score report
# ---------------------------------------------------------------------------


def _value_cell(value: float | None, ci_text: str) -> str:
    ci = f' <span class="ci">{esc(ci_text)}</span>' if ci_text else ""
    return f"{esc(fmt(value))}{ci}"


def _summary(report: ScoreReport) -> str:
    names = [e.name for e in report.extractors]
    columns = [Column("Metric"), Column("Name"), *(Column(n, "num") for n in names)]
    rows: list[Row] = []
    classes: list[list[list[str]]] = []
    for metric in SUMMARY_METRICS:
        values = [e.metrics.get(metric) for e in report.extractors]
        best = best_indices(values)
        cells: list[Cell] = [esc(label(metric)) + (" <small>(headline)</small>" if metric in HEADLINE_METRICS else "")]
        cells.append(f"<code>{esc(metric)}</code>")
        cells += [
            _value_cell(v, fmt_interval(e.intervals.get(metric)))
            for e, v in zip(report.extractors, values, strict=True)
        ]
        rows.append(cells)
        classes.append([[], [], *(["best"] if i in best else [] for i in range(len(names)))])
    legend = (
        f"<p>Micro-averaged over {report.gold_docs} documents; grey brackets: {report.ci_level:.0%} percentile "
        f"bootstrap intervals over documents ({report.bootstrap} resamples, seed {report.seed}). "
        "Bold with ★: the best value of the row.</p>"
    )
    series = [
        plots.Series(
            e.name,
            [e.metrics.get(m) for m in HEADLINE_METRICS],
            [e.intervals[m].low if m in e.intervals else None for m in HEADLINE_METRICS],
            [e.intervals[m].high if m in e.intervals else None for m in HEADLINE_METRICS],
        )
        for e in report.extractors
    ]
    chart = figure(
        plots.grouped_bars("Headline F1 per extractor", list(HEADLINE_METRICS), series),
        "Bar chart of the headline F1 scores per extractor with confidence intervals",
        f"Whiskers: {report.ci_level:.0%} bootstrap intervals.",
    )
    return legend + html_table(columns, rows, classes=classes) + chart


def _per_type(report: ScoreReport) -> str:
    out = []
    n = len(report.extractors)
    for family, title in TYPE_FAMILIES.items():
        types = per_type_types(report, family)
        series = []
        for i, e in enumerate(report.extractors):
            cis = [type_interval(report, family, i, t) for t in types]
            series.append(
                plots.Series(
                    e.name,
                    [per_type_f1(report, family, i, t) for t in types],
                    [c.low if c else None for c in cis],
                    [c.high if c else None for c in cis],
                )
            )
        out.append(f"<h3>{esc(title)}</h3>")
        out.append(
            figure(
                plots.grouped_bars(f"F1 per type: {title}", types, series),
                f"Bar chart of F1 per type ({title}), extractors side by side, with interval whiskers",
                f"Whiskers: {report.ci_level:.0%} bootstrap intervals over documents. Empty slot marked n/a: "
                "the extractor has no such unit and the gold none either.",
            )
        )
        columns = [Column("Type"), Column("Gold", "num"), *(Column(e.name, "num") for e in report.extractors)]
        rows: list[Row] = []
        classes: list[list[list[str]]] = []
        for t in types:
            values = [per_type_f1(report, family, i, t) for i in range(n)]
            best = best_indices(values)
            cells: list[Cell] = [esc(t), esc(fmt_count(per_type_support(report, family, t)))]
            cells += [_value_cell(v, fmt_interval(type_interval(report, family, i, t))) for i, v in enumerate(values)]
            rows.append(cells)
            classes.append([[], [], *(["best"] if i in best else [] for i in range(n))])
        out.append(html_table(columns, rows, classes=classes) if rows else "<p>No units of this kind.</p>")
    return "".join(out)


def _details(report: ScoreReport) -> str:
    columns = [Column("Extractor"), Column("Scheme")]
    columns += [Column(c, "num") for c in ("COR", "INC", "PAR", "MIS", "SPU", "P", "R", "F1", "macro F1")]
    rows: list[Row] = []
    for e in report.extractors:
        for scheme, res in e.mentions.items():
            o = res.overall
            rows.append(
                [esc(e.name), esc(scheme), *(str(x) for x in (o.cor, o.inc, o.par, o.mis, o.spu))]
                + [esc(fmt(x)) for x in (o.precision, o.recall, o.f1, res.macro_f1)]
            )
    out = ["<h3>Actor mentions by matching scheme</h3>", html_table(columns, rows)]
    columns = [Column("Extractor"), Column("Metric")]
    columns += [Column(c, "num") for c in ("tp", "fp", "fn", "P", "R", "F1")]
    rows = []
    for e in report.extractors:
        parts = [(f"event.{k}", getattr(e.events, k)) for k in ("trigger_id", "trigger_cls", "arg_id", "arg_cls")]
        parts += [("actor.set", e.actors.set), ("event.context", e.events.context_labels)]
        parts += [(f"coder.{k}", v) for k, v in e.coder.items()]
        for name, s in parts:
            rows.append(
                [esc(e.name), f"<code>{esc(name)}</code>", str(s.tp), str(s.fp), str(s.fn)]
                + [esc(fmt(x)) for x in (s.precision, s.recall, s.f1)]
            )
    out += ["<h3>Events, canonical actors and coder tuples</h3>", html_table(columns, rows)]
    columns = [Column("Extractor"), Column("Documents scored", "num"), Column("Predicted", "num")]
    columns += [Column("Missing", "num"), Column("Not in gold", "num"), Column("Outside split", "num")]
    rows = [
        [
            esc(e.name),
            str(e.docs_scored),
            str(e.docs_predicted),
            str(len(e.missing_docs)),
            str(len(e.unknown_docs)),
            str(e.outside_selection),
        ]
        for e in report.extractors
    ]
    out += ["<h3>Coverage</h3>", html_table(columns, rows)]
    return "".join(out)


def _confusion(report: ScoreReport) -> str:
    out = [
        "<p>Rows: gold label; columns: predicted label; over matched pairs (mentions: same boundaries; "
        "events: same trigger). Diagonal cells (boxed) are agreements.</p>"
    ]
    for e in report.extractors:
        figs = []
        for key, title in CONFUSIONS.items():
            cm = e.confusion.get(key)
            if cm is None:
                continue
            if not cm.labels:
                figs.append(f"<p>{esc(e.name)}: no matched {esc(title.lower())}.</p>")
                continue
            figs.append(
                figure(
                    plots.heatmap(
                        f"{e.name}: {title.lower()}",
                        cm.labels,
                        cm.labels,
                        [[float(x) for x in row] for row in cm.matrix],
                        xlabel="predicted",
                        ylabel="gold",
                        integers=True,
                        mark_diagonal=True,
                        subtitle=f"n = {cm.n}, Cohen's κ = {fmt(cm.kappa)}",
                    ),
                    f"Confusion heatmap of {title.lower()} for {e.name}",
                )
            )
        out.append(f'<h3>{esc(e.name)}</h3><div class="charts">{"".join(figs)}</div>')
    return "".join(out)


def _significance(report: ScoreReport) -> str:
    if not report.tests:
        return "<p>No paired tests: they need two or more extractors and bootstrap resamples.</p>"
    rows_data = significance_rows(report)
    methods = list(dict.fromkeys(t.method for t in report.tests))
    primary = "paired_bootstrap" if "paired_bootstrap" in methods else methods[0]
    comparisons = [
        plots.Comparison(
            f"{metric}: {a} vs {b}",
            delta,
            {METHOD_LABELS.get(m, m).split()[-1]: by.get(m, (None, None))[1] for m in methods},
        )
        for metric, a, b, delta, by in rows_data
    ]
    short = METHOD_LABELS.get(primary, primary).split()[-1]
    chart = figure(
        plots.significance(
            "Differences between extractors (A − B) on the headline F1s",
            comparisons,
            alpha=ALPHA,
            primary=short,
        ),
        "Bar chart of score differences between extractors, marked by significance",
        f"Solid bars: Holm-corrected {METHOD_LABELS.get(primary, primary)} p < {ALPHA}; hatched: not significant. "
        "Tests resample or shuffle documents, pairing the extractors on the same documents.",
    )
    columns = [Column("Metric"), Column("A"), Column("B"), Column("A − B", "num")]
    for m in methods:
        columns += [Column(f"p ({METHOD_LABELS.get(m, m)})", "num"), Column("Holm", "num")]
    rows: list[Row] = []
    for metric, a, b, delta, by in rows_data:
        row: list[Cell] = [f"<code>{esc(metric)}</code>", esc(a), esc(b), esc(f"{delta:+.3f}")]
        for m in methods:
            p, ph = by.get(m, (float("nan"), float("nan")))
            strong = not is_missing(ph) and ph < ALPHA
            row += [esc(fmt_p(p)), f"<strong>{esc(fmt_p(ph))}</strong>" if strong else esc(fmt_p(ph))]
        rows.append(row)
    return chart + html_table(columns, rows)


ERROR_TABLE_ID = "error-table"
ERROR_DATA_ID = "error-data"
PAGE_SIZE = 100
"""Rows of a data-backed table shown at once (and in the page's HTML, for readers without JavaScript)."""
PAGE_SIZES = (100, 500, 1000)

ERROR_COLUMNS_HTML = (
    Column("Extractor"),
    Column("Level"),
    Column("Kind"),
    Column("Document"),
    Column("Gold type"),
    Column("Predicted type"),
    Column("Role"),
    Column("Offsets", "num"),
    Column("Text"),
)

DataCell = str | list[str | int | None]
"""A cell of a data-backed table: text; ``[text, sort number or None]`` in a ``num`` column;
``[left, unit, right, detail]`` for a snippet with its unit marked."""


def script_json(value: object) -> str:
    """JSON to embed in a ``<script type="application/json">`` block, safe whatever its strings hold.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026`` (the same
    strings to ``JSON.parse``), so neither ``</script>`` nor ``<!--`` can reach the HTML parser.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def error_table_rows(report: ScoreReport) -> list[list[DataCell]]:
    """Every error of a score report as a row of the HTML error table, in report order.

    One cell per column of the table (extractor, level, kind, document, gold type,
    predicted type, role, offsets, text); see :data:`DataCell`. Offsets sort by the
    gold start, else the predicted start; the text is the snippet split around its
    unit, with the detail, or the detail alone when there is no snippet.
    """
    rows: list[list[DataCell]] = []
    for e in report.extractors:
        for it in e.errors:
            start = it.gold_start if it.gold_start is not None else it.pred_start
            offsets = " / ".join(
                f"{s}–{t}" for s, t in ((it.gold_start, it.gold_end), (it.pred_start, it.pred_end)) if s is not None
            )
            left, unit, right = split_snippet(it.snippet)
            rows.append(
                [
                    e.name,
                    it.level,
                    it.kind,
                    it.doc_id,
                    it.gold_type or "",
                    it.pred_type or "",
                    " → ".join(r for r in (it.role, it.pred_role) if r),
                    [offsets, start],
                    [left, unit, right, it.detail or ""],
                ]
            )
    return rows


def _data_cell_html(value: DataCell, column: Column) -> Cell:
    """A data cell as table cell HTML, as the page's script renders it."""
    if isinstance(value, str):
        return esc(value)
    if column.numeric:
        text, sort = value
        return (esc(text), None if sort is None else str(sort))
    left, unit, right, detail = (str(v) for v in value)
    if left or unit or right:
        text = esc(left) + (f"<mark>{esc(unit)}</mark>" if unit else "") + esc(right)
        if detail:
            text += f' <span class="ci">({esc(detail)})</span>'
    else:
        text = esc(detail)
    return (f'<div class="snippet">{text}</div>', None)


def data_table(
    table_id: str,
    data_id: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[DataCell]],
    *,
    page_size: int = PAGE_SIZE,
) -> str:
    """A sortable table of many rows: all of them as JSON data, the first page as HTML, paging controls.

    The first page is HTML, so it shows without JavaScript too; the page's script
    reads the data block ``data_id``, renders one page of ``rows`` at a time and
    sorts and filters the data (with the :func:`filters` box of ``table_id``).
    """
    sizes = sorted({page_size, *PAGE_SIZES})
    options = "".join(f'<option value="{n}"{" selected" if n == page_size else ""}>{n}</option>' for n in sizes)
    pager = (
        f'<div class="pager" data-table="{esc(table_id)}" hidden>'
        '<button type="button" data-go="first">« First</button>'
        '<button type="button" data-go="prev">‹ Previous</button>'
        '<button type="button" data-go="next">Next ›</button>'
        '<button type="button" data-go="last">Last »</button>'
        '<label>Page <input type="number" class="page" min="1" value="1"></label>'
        f'<label>Rows per page <select class="size">{options}</select></label>'
        '<span class="status" aria-live="polite"></span></div>'
    )
    first: list[Row] = [[_data_cell_html(v, c) for v, c in zip(row, columns, strict=True)] for row in rows[:page_size]]
    table = html_table(
        columns,
        first,
        table_id=table_id,
        sortable=True,
        data={"source": data_id, "rows": str(len(rows)), "page-size": str(page_size)},
    )
    data = f'<script type="application/json" id="{esc(data_id)}">{script_json(rows)}</script>'
    return pager + table + data


def _errors(report: ScoreReport) -> str:
    counts = error_counts(report)
    if not counts:
        return "<p>No errors.</p>"
    overview = html_table(
        [Column("Extractor"), Column("Level"), Column("Kind"), Column("Errors", "num")],
        [[esc(x), esc(lv), esc(k), str(n)] for x, lv, k, n in counts],
    )
    rows = error_table_rows(report)
    selects: list[tuple[str, int, Sequence[str]]] = [
        ("Extractor", 0, [e.name for e in report.extractors if e.errors]),
        ("Level", 1, sorted({it.level for e in report.extractors for it in e.errors})),
        ("Kind", 2, sorted({it.kind for e in report.extractors for it in e.errors})),
    ]
    shown = min(len(rows), PAGE_SIZE)
    where = (
        f"<p>{len(rows):,} errors in all, {PAGE_SIZE} to a page: sorting and filtering work on all of them. "
        "Every error is also in <code>errors.csv</code> of the CSV tables (<code>--csv DIR</code> on "
        "<code>eventgold score</code>, or <code>eventgold report score.json --csv DIR</code>) and under "
        "<code>extractors[].errors</code> in the score JSON (<code>--json</code>).</p>"
        f'<p class="js-off" data-table="{ERROR_TABLE_ID}">Without JavaScript the table shows the first '
        f"{shown:,} errors only, in report order.</p>"
    )
    return (
        overview + "<h3>All errors</h3><p>Click a heading to sort; type to filter (all words must appear). "
        "The unit is <mark>highlighted</mark> in its context; mentions are scored strictly here.</p>"
        + where
        + filters(ERROR_TABLE_ID, selects, "Filter errors: document, text, type…")
        + data_table(ERROR_TABLE_ID, ERROR_DATA_ID, ERROR_COLUMNS_HTML, rows)
    )


def _gold(report: ScoreReport) -> str:
    info = report.gold_info
    meta = [("Gold file", f"<code>{esc(report.gold or 'n/a')}</code>")]
    if info is not None and info.version:
        meta.append(("Version", esc(info.version)))
    if info is not None and info.created:
        meta.append(("Created", esc(info.created)))
    meta.append(
        (
            "Documents scored",
            str(report.gold_docs) + (f" (splits {esc(', '.join(report.split))})" if report.split else ""),
        )
    )
    if info is not None and info.manifest:
        m = info.manifest
        sources = [s for s in m.get("sources") or [] if isinstance(s, dict)]
        if sources:
            meta.append(
                (
                    "Sources",
                    "<br>".join(
                        f'{esc(s.get("file", ""))} <code class="ci">sha256 {esc(str(s.get("sha256", ""))[:12])}…</code>'
                        for s in sources
                    ),
                )
            )
        if m.get("policy") is not None:
            meta.append(("Adjudication policy", esc(m.get("policy"))))
        onto = m.get("ontology")
        if isinstance(onto, dict):
            meta.append(("Ontology", esc(f"{onto.get('name', '')} {onto.get('version', '')}")))
        counts = m.get("counts")
        if isinstance(counts, dict):
            meta.append(
                (
                    "Conflicts / excluded",
                    esc(
                        f"{counts.get('conflicts', 'n/a')} documents with open conflicts, "
                        f"{counts.get('excluded', 'n/a')} left out of gold"
                    ),
                )
            )
        if m.get("tool_version"):
            meta.append(("Built with", esc(f"eventgold {m.get('tool_version')}")))
    meta.append(("Matching", esc(report.matching)))
    meta.append(("Zero division", esc(report.zero_division)))
    out = ['<dl class="meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>"]
    if info is not None:
        tables = [
            html_table(
                [Column("Split"), Column("Documents", "num")], [[esc(k), str(v)] for k, v in info.documents.items()]
            ),
            html_table(
                [Column("Actor type"), Column("Mentions", "num")], [[esc(k), str(v)] for k, v in info.mentions.items()]
            ),
            html_table(
                [Column("Event type"), Column("Events", "num")], [[esc(k), str(v)] for k, v in info.events.items()]
            ),
        ]
        out.append('<h3>Counts of the scored gold</h3><div class="charts">' + "".join(tables) + "</div>")
        if info.agreement:
            out.append("<h3>Annotator agreement behind this gold</h3>")
            out.append(
                html_table(
                    [Column("Figure"), Column("Value", "num")],
                    [[esc(k), esc(fmt(v))] for k, v in info.agreement.items()],
                )
            )
    return "".join(out)


def _command(command: str | None) -> str:
    if not command:
        return "<p>Not recorded (the report was made by the library, not the command line).</p>"
    return f"<pre><code>{esc(command)}</code></pre>"


def score_html(report: ScoreReport) -> str:
    """The scoring report as one self-contained HTML document."""
    names = ", ".join(e.name for e in report.extractors)
    version = report.gold_info.version if report.gold_info and report.gold_info.version else None
    lede = (
        f"<p>{len(report.extractors)} extractor(s): <strong>{esc(names)}</strong>, against "
        f"{report.gold_docs} gold documents of <code>{esc(report.gold or 'n/a')}</code>"
        + (f" (version {esc(version)})" if version else "")
        + ".</p>"
    )
    warnings = report.all_warnings()  # each extractor's name its own
    sections = [
        ("summary", "Summary", _warnings(warnings) + _summary(report)),
        ("per-type", "Per type", _per_type(report)),
        ("details", "Details", _details(report)),
        ("confusion", "Confusion", _confusion(report)),
        ("significance", "Significance", _significance(report)),
        ("errors", "Errors", _errors(report)),
        ("gold", "Gold", _gold(report)),
        ("command", "Command", _command(report.command)),
    ]
    footer = (
        f"eventgold {esc(__version__)} · report schema {esc(report.schema_version)} · "
        "rendered from the score JSON (<code>eventgold report</code> re-renders it)"
    )
    return page("eventgold scoring report", lede, sections, footer)


# ---------------------------------------------------------------------------
# agreement report
# ---------------------------------------------------------------------------

DISAGREEMENT_TABLE_ID = "disagreement-table"


def _annotators(report: AgreementReport) -> str:
    has_gold = any(st.with_gold is not None for st in report.annotator_stats)
    columns = [Column("Annotator"), Column("Tasks", "num"), Column("Cancelled", "num")]
    columns += [Column("Median lead time (s)", "num"), Column("F1 with others", "num")]
    columns += [Column("P with others", "num"), Column("R with others", "num")]
    if has_gold:
        columns += [Column("Gold documents", "num"), Column("F1 with gold", "num")]
        columns += [Column("P vs gold", "num"), Column("R vs gold", "num")]
    rows: list[Row] = []
    for st in report.annotator_stats:
        o = st.with_others
        row: list[Cell] = [esc(st.name), str(st.tasks), str(st.cancelled), esc(fmt(st.median_lead_time, 1))]
        row += [esc(fmt(o.f1)), esc(fmt(o.precision)), esc(fmt(o.recall))]
        if has_gold:
            g = st.with_gold
            row += [str(st.gold_documents)] + (
                [esc(fmt(g.f1)), esc(fmt(g.precision)), esc(fmt(g.recall))] if g is not None else ["", "", ""]
            )
        rows.append(row)
    series = [plots.Series("F1 with other annotators", [st.with_others.f1 for st in report.annotator_stats])]
    if has_gold:
        series.append(
            plots.Series("F1 with gold", [st.with_gold.f1 if st.with_gold else None for st in report.annotator_stats])
        )
    chart = figure(
        plots.grouped_bars(
            "Span F1 per annotator (strict; mentions and triggers pooled)",
            [st.name for st in report.annotator_stats],
            series,
        ),
        "Bar chart of each annotator's span F1 with the other annotators and with gold",
    )
    return html_table(columns, rows, sortable=True) + chart


def _pairwise(report: AgreementReport) -> str:
    names = report.annotators
    figs = []
    for sp in report.spans:
        figs.append(
            figure(
                plots.heatmap(
                    f"{sp.kind} span F1 ({sp.matching})",
                    names,
                    names,
                    pair_matrix(names, sp.pairs),
                    xlabel="annotator",
                    ylabel="annotator",
                    vmax=1.0,
                    subtitle=f"macro over pairs: {fmt(sp.macro_f1)}",
                ),
                f"Heatmap of pairwise {sp.kind} span F1 ({sp.matching}) between annotators",
            )
        )
    figs.append(
        figure(
            plots.heatmap(
                "role F1 (matched triggers)",
                names,
                names,
                pair_matrix(names, report.roles.pairs),
                xlabel="annotator",
                ylabel="annotator",
                vmax=1.0,
                subtitle=f"macro over pairs: {fmt(report.roles.macro_f1)}",
            ),
            "Heatmap of pairwise role F1 between annotators",
        )
    )
    for fa in report.fields:
        if all(k.kappa is None for k in fa.cohen):
            continue  # nothing defined to draw; the figures table says so
        figs.append(
            figure(
                plots.heatmap(
                    f"{fa.field}: Cohen's κ",
                    names,
                    names,
                    kappa_matrix(names, report, fa.field),
                    xlabel="annotator",
                    ylabel="annotator",
                    vmax=1.0,
                    subtitle=f"α = {fmt(fa.alpha)}, Fleiss' κ = {fmt(fa.fleiss)}",
                ),
                f"Heatmap of pairwise Cohen's kappa on {fa.field}",
            )
        )
    note = (
        "<p>Each cell: agreement of the row and column annotators over the documents both annotated; "
        "— where they share none (or the figure is undefined). Negative kappas show as the lightest colour; "
        "the number in the cell is exact.</p>"
    )
    return note + '<div class="charts">' + "".join(figs) + "</div>"


def _figures(report: AgreementReport) -> str:
    columns = [
        Column("Kind"),
        Column("Matching"),
        Column("Pairs", "num"),
        Column("Macro F1", "num"),
        Column("Per label"),
    ]
    rows: list[Row] = [
        [
            esc(sp.kind),
            esc(sp.matching),
            str(len(sp.pairs)),
            esc(fmt(sp.macro_f1)),
            esc(", ".join(f"{k} {fmt(v)}" for k, v in sp.per_label.items())),
        ]
        for sp in report.spans
    ]
    rows.append(["roles", "matched triggers", str(len(report.roles.pairs)), esc(fmt(report.roles.macro_f1)), ""])
    out = ["<h3>Span agreement (F1, macro over annotator pairs)</h3>", html_table(columns, rows)]
    columns = [Column("Field"), Column("Units", "num"), Column("Cohen's κ (mean of pairs)", "num")]
    columns += [Column("Fleiss' κ", "num"), Column("Fleiss units × raters", "num"), Column("Krippendorff's α", "num")]
    columns += [Column("α units", "num")]
    rows = [
        [
            esc(fa.field),
            str(fa.units),
            esc(fmt(fa.cohen_mean)),
            esc(fmt(fa.fleiss)),
            esc(f"{fa.fleiss_units} × {fa.fleiss_raters}"),
            esc(fmt(fa.alpha)),
            str(fa.alpha_units),
        ]
        for fa in report.fields
    ]
    out += ["<h3>Categorical fields on aligned units</h3>", html_table(columns, rows)]
    return "".join(out)


def _disagreements(report: AgreementReport) -> str:
    if not report.disagreements:
        return "<p>No disagreements.</p>"
    columns = [Column("Document"), Column("Kind"), Column("Differs in"), Column("Offsets", "num"), Column("Text")]
    columns += [Column("Values per annotator")]
    rows: list[Row] = []
    for d in report.disagreements:
        values = "<br>".join(f"<strong>{esc(who)}</strong>: {esc(v)}" for who, v in disagreement_values(d.values))
        text = snippet_html(d.snippet) if d.snippet else esc(d.text or "")
        offsets = f"{d.start}–{d.end}" if d.start is not None else ""
        rows.append(
            [
                esc(d.doc_id),
                esc(d.kind),
                esc(", ".join(d.fields)),
                (esc(offsets), str(d.start) if d.start is not None else None),
                f'<div class="snippet">{text}</div>',
                values,
            ]
        )
    selects: list[tuple[str, int, Sequence[str]]] = [
        ("Kind", 1, sorted({d.kind for d in report.disagreements})),
        ("Differs in", 2, sorted({", ".join(d.fields) for d in report.disagreements})),
    ]
    return (
        "<p>Units aligned across the annotators of a task on which they differ: presence (someone lacks the unit) "
        "or a field value.</p>"
        + filters(DISAGREEMENT_TABLE_ID, selects, "Filter disagreements: document, text, annotator…")
        + html_table(columns, rows, table_id=DISAGREEMENT_TABLE_ID, sortable=True)
    )


def agreement_html(report: AgreementReport) -> str:
    """The agreement report as one self-contained HTML document."""
    lede = (
        f"<p>{len(report.annotators)} annotators ({esc(', '.join(report.annotators))}), {report.documents} documents "
        f"with two or more annotators, {report.annotations} annotations ({report.cancelled} cancelled, left out).</p>"
    )
    sections = [
        ("annotators", "Annotators", _warnings(report.warnings) + _annotators(report)),
        ("pairwise", "Pairwise agreement", _pairwise(report)),
        ("figures", "Figures", _figures(report)),
        ("disagreements", "Disagreements", _disagreements(report)),
        ("command", "Command", _command(report.command)),
    ]
    footer = (
        f"eventgold {esc(__version__)} · report schema {esc(report.schema_version)} · "
        "rendered from the agreement JSON (<code>eventgold report</code> re-renders it)"
    )
    return page("eventgold agreement report", lede, sections, footer)


def render_html(report: ScoreReport | AgreementReport) -> str:
    """HTML of either kind of report."""
    if isinstance(report, ScoreReport):
        return score_html(report)
    return agreement_html(report)
