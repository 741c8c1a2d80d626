"""The training report as HTML: a model's dev figures and its learning curve (``eventgold train --html``)."""

from __future__ import annotations

from eventgold import __version__
from eventgold.report import plots
from eventgold.report.html_common import (
    Column,
    Row,
    command_block,
    esc,
    figure,
    html_table,
    page,
    text_row,
    warnings_box,
)
from eventgold.training.meta import DevScores, ModelMeta

FIGURES: dict[str, str] = {
    "mention_strict_f1": "mention strict F1",
    "trigger_cls_f1": "trigger classification F1",
    "arg_cls_f1": "argument classification F1",
    "mode_accuracy": "mode accuracy",
}
"""Dev figure -> its name in the report, in report order."""


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _row(label: str, docs: int, dev: DevScores) -> Row:
    return text_row(label, docs, *(_fmt(getattr(dev, k)) for k in FIGURES))


def training_html(meta: ModelMeta) -> str:
    """The whole HTML page of a trained model: dev figures, learning curve (chart and table), warnings, command.

    Args:
        meta: the model's ``meta.json`` (:class:`eventgold.training.meta.ModelMeta`).

    Returns:
        A self-contained HTML document (inline CSS, JS and PNG chart).
    """
    columns = [Column("model"), Column("train documents", "num"), *(Column(v, "num") for v in FIGURES.values())]
    dev_rows = [_row(meta.name, meta.gold.train_documents, meta.dev)]
    sections = [
        (
            "dev",
            f"Dev figures ({meta.gold.dev_split}, {meta.gold.dev_documents} documents)",
            html_table(columns, dev_rows),
        )
    ]
    if meta.curve:
        percents = [p.percent for p in meta.curve]
        values = {label: [getattr(p.dev, key) for p in meta.curve] for key, label in FIGURES.items()}
        # a figure undefined at every point (no mode in dev) has no line
        series = [plots.Series(label, v) for label, v in values.items() if any(x is not None for x in v)]
        png = plots.learning_curve(
            f"Learning curve: dev figures by share of {meta.gold.train_split}",
            percents,
            series,
            xlabel=f"share of the {meta.gold.train_split} split (%)",
        )
        rows = [_row(f"{p.percent}%", p.train_documents, p.dev) for p in meta.curve]
        curve_columns = [Column(f"share of {meta.gold.train_split}"), *columns[1:]]
        alt = "; ".join(
            f"{p.percent}%: " + ", ".join(f"{label} {_fmt(getattr(p.dev, k))}" for k, label in FIGURES.items())
            for p in meta.curve
        )
        body = figure(png, alt, "Whether more annotation still pays: a curve still rising at 100% says yes.")
        sections.append(("curve", "Learning curve", body + html_table(curve_columns, rows)))
    if meta.warnings:
        sections.append(("warnings", "Warnings", warnings_box(meta.warnings)))
    sections.append(("command", "Command", command_block(meta.command)))
    lede = (
        f"<p>Model <code>{esc(meta.name)}</code> trained on gold version <code>{esc(meta.gold.version)}</code> "
        f"(manifest sha256 <code>{esc(meta.gold.manifest_sha256[:12])}</code>), ontology "
        f"<code>{esc(meta.ontology.name)}</code>, seed {meta.seed}.</p>"
    )
    footer = f"eventgold {esc(__version__)} · model format {meta.format_version}"
    return page(f"Model {meta.name}", lede, sections, footer)
