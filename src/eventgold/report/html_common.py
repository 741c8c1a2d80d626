"""The page frame and shared pieces of the HTML reports: escaping, tables, figures, data-backed tables.

See :mod:`eventgold.report.html`.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eventgold import __version__
from eventgold.report.common import (
    split_snippet,
)
from eventgold.report.html_assets import CSP, CSS, JS


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


def warnings_box(items: Sequence[str]) -> str:
    """A boxed list of warnings (each escaped), or nothing when there are none."""
    if not items:
        return ""
    return (
        '<div class="warnings"><strong>Warnings</strong><ul>'
        + "".join(f"<li>{esc(w)}</li>" for w in items)
        + ("</ul></div>")
    )


def text_row(*values: object) -> Row:
    """A table row of plain-text cells: each value as ``str``, HTML-escaped."""
    return [esc(v) for v in values]


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


def report_page(
    title: str,
    lede: str,
    sections: Sequence[tuple[str, str, str]],
    kind: str,
    schema_version: str,
    command: str | None,
) -> str:
    """:func:`page` of a ``kind`` report (``score`` or ``agreement``): its sections, then the
    command that made it, and a footer naming the eventgold version and the report schema."""
    footer = (
        f"eventgold {esc(__version__)} · report schema {esc(schema_version)} · "
        f"rendered from the {esc(kind)} JSON (<code>eventgold report</code> re-renders it)"
    )
    return page(title, lede, [*sections, ("command", "Command", command_block(command))], footer)


PAGE_SIZE = 100
"""Rows of a data-backed table shown at once (and in the page's HTML, for readers without JavaScript)."""
PAGE_SIZES = (100, 500, 1000)

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


def command_block(command: str | None) -> str:
    """The command line that made the report, as an escaped code block (or a note that none was recorded)."""
    if not command:
        return "<p>Not recorded (the report was made by the library, not the command line).</p>"
    return f"<pre><code>{esc(command)}</code></pre>"
