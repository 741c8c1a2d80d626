"""One self-contained HTML file per report: inline CSS, inline PNG charts, a little vanilla JS.

The page needs no network: charts are ``data:`` PNGs, styles and the script
(sortable and filterable tables, :mod:`eventgold.report.html_assets`) are inline, and a Content-Security-Policy
forbids loading anything else, so a report can be mailed, archived or opened
offline. Every piece of text from the data (article snippets, ids, names,
paths) is HTML-escaped: an article holding ``<script>`` shows it as text.
Nothing is computed here; see :mod:`eventgold.report.common`. The pages are built
in :mod:`~eventgold.report.html_score` and :mod:`~eventgold.report.html_agreement`
from the pieces of :mod:`~eventgold.report.html_common`.

The error table of a scoring report can hold 100,000 rows and more, which a
browser cannot lay out as one table: its rows are embedded once as JSON (a
``<script type="application/json">`` data block, ``<``, ``>`` and ``&``
escaped, see :func:`eventgold.report.html_common.script_json`) and the script shows one page of them at a
time, sorting and filtering the data array rather than the DOM. The first
page is also in the HTML itself, for readers without JavaScript.
"""

from __future__ import annotations

from eventgold.gold.agreement import AgreementReport
from eventgold.report.html_agreement import agreement_html
from eventgold.report.html_score import score_html
from eventgold.scoring.report import ScoreReport


def render_html(report: ScoreReport | AgreementReport) -> str:
    """HTML of either kind of report (one self-contained document, see the module docstring)."""
    if isinstance(report, ScoreReport):
        return score_html(report)
    return agreement_html(report)
