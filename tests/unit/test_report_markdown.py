"""Markdown reports: numbers match the JSON, best values marked, text escaped."""

from __future__ import annotations

import re

import pytest

from eventgold.report.common import SUMMARY_METRICS, fmt, fmt_interval, fmt_p
from eventgold.report.markdown import agreement_markdown, md, score_markdown, snippet_md

from .report_fixtures import HOSTILE_ID, agreement_report, score_report

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _section(text: str, heading: str) -> str:
    """The body of one ``## heading`` section."""
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def _rows(text: str, first_cell: str) -> list[list[str]]:
    """Cells of the table rows whose first cell is ``first_cell`` (split on unescaped pipes)."""
    out = []
    for line in text.splitlines():
        if line.startswith("| "):
            cells = [c.strip() for c in UNESCAPED_PIPE.split(line)[1:-1]]
            if cells and cells[0] == first_cell:
                out.append(cells)
    return out


def test_summary_rows_hold_the_json_values_and_intervals() -> None:
    report = score_report()
    text = score_markdown(report)
    for metric in SUMMARY_METRICS:
        (line,) = [line for line in _section(text, "Summary").splitlines() if f"| `{metric}` |" in line]
        cells = [c.strip() for c in UNESCAPED_PIPE.split(line)[1:-1]][2:]
        values = [e.metrics[metric] for e in report.extractors]
        for cell, e, v in zip(cells, report.extractors, values, strict=True):
            assert cell.replace("**", "").replace(" ★", "").startswith(fmt(v))
            assert fmt_interval(e.intervals.get(metric)) in cell
        defined = [v for v in values if v == v]
        if len(set(defined)) > 1:
            best = max(defined)
            for cell, v in zip(cells, values, strict=True):
                assert ("★" in cell) == (v == best), (metric, cells)


def test_per_type_tables_match_the_json() -> None:
    report = score_report()
    text = score_markdown(report)
    tagger = report.extractor("tagger")
    for t, s in tagger.mentions["strict"].per_type.items():
        (row, *_) = _rows(text, md(t))
        assert row[1] == str(s.possible)
        assert fmt(s.f1) in row[2]
        ci = tagger.type_intervals["mention.strict"][t]
        assert fmt_interval(ci) in row[2]
    for t, p in tagger.events.trigger_cls_per_type.items():
        rows = _rows(text, md(t))
        assert any(r[1] == str(p.tp + p.fn) and fmt(p.f1) in r[2] for r in rows)


def test_significance_and_confusion_tables_match_the_json() -> None:
    report = score_report()
    text = score_markdown(report)
    for t in report.tests:
        line = next(
            line for line in text.splitlines() if line.startswith(f"| `{t.metric}` | {t.a} | {t.b} | {t.delta:+.3f} |")
        )
        assert fmt_p(t.p_value) in line and fmt_p(t.p_holm) in line
    cm = report.extractor("tagger").confusion["actor_type"]
    for gold, row in zip(cm.labels, cm.matrix, strict=True):
        (cells,) = [r for r in _rows(text, f"**{md(gold)}**") if len(r) == len(cm.labels) + 1][:1]
        assert [int(c) for c in cells[1:]] == row


def test_error_counts_match_the_json() -> None:
    report = score_report()
    text = score_markdown(report)
    for e in report.extractors:
        kinds: dict[tuple[str, str], int] = {}
        for it in e.errors:
            kinds[(it.level, it.kind)] = kinds.get((it.level, it.kind), 0) + 1
        for (level, kind), n in kinds.items():
            assert any(r[1:] == [md(level), md(kind), str(n)] for r in _rows(text, md(e.name)))


def test_gold_and_command_sections() -> None:
    report = score_report()
    text = score_markdown(report)
    assert report.gold_info is not None
    for split, n in report.gold_info.documents.items():
        assert [md(split), str(n)] in _rows(text, md(split))
    assert "```sh\n" + (report.command or "") + "\n```" in text


def test_text_from_the_data_is_escaped() -> None:
    text = score_markdown(score_report())
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text
    assert md(HOSTILE_ID) in text
    # every table row has as many cells as its header: no pipe from the data splits a cell
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("| ")]
        if lines:
            assert len({len(UNESCAPED_PIPE.findall(line)) for line in lines}) == 1, block


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("<x>", "&lt;x&gt;"),
        ("**b**", "\\*\\*b\\*\\*"),
        ("l1\nl2", "l1 l2"),
        ("[[x]]", "\\[\\[x\\]\\]"),
    ],
)
def test_md_escape(raw: str, escaped: str) -> None:
    assert md(raw) == escaped


def test_snippet_unit_is_bold() -> None:
    assert snippet_md("…met with [[Hamas]] in <b>…") == "…met with **Hamas** in &lt;b&gt;…"


def test_agreement_markdown_matches_the_json() -> None:
    report = agreement_report()
    text = agreement_markdown(report)
    for st in report.annotator_stats:
        (row,) = _rows(text, md(st.name))[:1]
        assert row[1] == str(st.tasks) and row[4] == fmt(st.with_others.f1)
    for sp in report.spans:
        for p in sp.pairs:
            assert any(
                r[:5] == [md(sp.kind), md(sp.matching), md(p.a), md(p.b), str(p.documents)]
                and r[-1] == fmt(p.counts.f1)
                for r in _rows(text, md(sp.kind))
            )
    assert "<script>" not in text and "**&lt;script&gt;alert(1)&lt;/script&gt;**" in text
    assert f"## Disagreements ({len(report.disagreements)})" in text
