"""The inline CSS and JavaScript of the HTML reports, and their Content-Security-Policy.

The style sheet and the script are package data (``eventgold/report/assets/``),
read with :mod:`importlib.resources` so they are found in a wheel as in a checkout.
"""

from importlib.resources import files


def _asset(name: str) -> str:
    """The text of ``assets/<name>``, exactly as stored (newlines kept)."""
    return files("eventgold.report").joinpath("assets", name).read_bytes().decode("utf-8")


CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'"
"""The page's Content-Security-Policy: nothing but inline style, inline script and ``data:`` images."""

CSS = _asset("report.css")
"""The style sheet inlined in every HTML report."""

JS = _asset("report.js")
"""The script inlined in every HTML report (sortable, filterable and paged tables)."""
