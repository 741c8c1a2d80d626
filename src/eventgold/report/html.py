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

from eventgold.gold.agreement import AgreementReport
from eventgold.report.html_agreement import (
    DISAGREEMENT_TABLE_ID,
    agreement_html,
)
from eventgold.report.html_assets import (
    CSP,
    CSS,
    JS,
)
from eventgold.report.html_common import (
    NUM_CLASS,
    PAGE_SIZE,
    PAGE_SIZES,
    Cell,
    Column,
    DataCell,
    Row,
    data_table,
    esc,
    figure,
    filters,
    html_table,
    page,
    script_json,
    snippet_html,
)
from eventgold.report.html_score import (
    ERROR_COLUMNS_HTML,
    ERROR_DATA_ID,
    ERROR_TABLE_ID,
    error_table_rows,
    score_html,
)
from eventgold.scoring.report import ScoreReport

__all__ = [
    "CSP",
    "CSS",
    "DISAGREEMENT_TABLE_ID",
    "ERROR_COLUMNS_HTML",
    "ERROR_DATA_ID",
    "ERROR_TABLE_ID",
    "JS",
    "NUM_CLASS",
    "PAGE_SIZE",
    "PAGE_SIZES",
    "Cell",
    "Column",
    "DataCell",
    "Row",
    "agreement_html",
    "data_table",
    "error_table_rows",
    "esc",
    "figure",
    "filters",
    "html_table",
    "page",
    "render_html",
    "score_html",
    "script_json",
    "snippet_html",
]


def render_html(report: ScoreReport | AgreementReport) -> str:
    """HTML of either kind of report."""
    if isinstance(report, ScoreReport):
        return score_html(report)
    return agreement_html(report)
