"""``eventgold score``: every warning about one prediction file names its extractor — console, JSON, HTML, Markdown.

Two prediction files, each with warnings only it has: ``tagger`` (a span read after an
offset repair, a gold document without prediction) and ``coder`` (a line repeated
exactly, a predicted document not in the gold). Each warning must name the one it is about.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.report.markdown import score_markdown
from eventgold.scoring.report import ScoreReport

FIXTURE = Path(__file__).resolve().parents[2] / "samples" / "fixture"
NAMES = ("tagger", "coder")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("score-warnings")
    tagger_lines = (FIXTURE / "pred_tagger.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(tagger_lines[0])
    mention = first["mentions"][0]  # "Mustafa Al-Kazemi": widened by the space before it, trimmed on reading
    mention["start"] -= 1
    mention["text"] = " " + mention["text"]
    tagger = tmp / "pred_tagger.jsonl"
    tagger.write_text("\n".join([json.dumps(first), *tagger_lines[1:]]) + "\n", encoding="utf-8")
    coder_lines = (FIXTURE / "pred_coder.jsonl").read_text(encoding="utf-8").splitlines()
    coder = tmp / "pred_coder.jsonl"
    coder.write_text("\n".join([*coder_lines, coder_lines[0]]) + "\n", encoding="utf-8")  # an exact repeat
    out = {"json": tmp / "r.json", "html": tmp / "r.html", "markdown": tmp / "r.md"}
    args = ["score", "--gold", str(FIXTURE), "--pred", str(tagger), "--pred", str(coder), "--bootstrap", "20"]
    return {"args": args, "files": {"tagger": tagger, "coder": coder}, "out": out}


@pytest.fixture(scope="module")
def written(run: dict[str, Any]) -> dict[str, Any]:
    out = run["out"]
    extra = ["--json", str(out["json"]), "--html", str(out["html"]), "--markdown", str(out["markdown"])]
    assert main([*run["args"], *extra]) == 0
    return {
        "report": ScoreReport.model_validate_json(out["json"].read_text(encoding="utf-8")),
        "html": out["html"].read_text(encoding="utf-8"),
        "markdown": out["markdown"].read_text(encoding="utf-8"),
    }


# what each file alone triggers, as a pattern of its warning
ONLY = {
    "tagger": [
        r"pred_tagger\.jsonl: 1 span\(s\) read after an unambiguous offset repair \(trim 1",
        r"1 gold documents have no prediction",
    ],
    "coder": [r"pred_coder\.jsonl: line 5 repeats line 1 exactly", r"1 predicted documents are not in the gold"],
}


def _about(warning: str, name: str) -> bool:
    return warning.startswith(f"{name}: ")


def test_the_json_report_names_the_extractor_of_each_warning(written: dict[str, Any]) -> None:
    report: ScoreReport = written["report"]
    for ex in report.extractors:
        assert ex.warnings and all(_about(w, ex.name) for w in ex.warnings), ex.warnings
        other = next(n for n in NAMES if n != ex.name)
        for pattern in ONLY[ex.name]:
            assert any(re.search(pattern, w) for w in ex.warnings), (ex.name, pattern, ex.warnings)
        for pattern in ONLY[other]:
            assert not any(re.search(pattern, w) for w in ex.warnings), (ex.name, pattern)
    # the one warning about the gold selection is about every extractor, and says so
    assert [w for w in report.warnings if "every extractor" in w] == report.warnings != []


@pytest.mark.parametrize("kind", ["html", "markdown"])
def test_html_and_markdown_warnings_name_the_extractor(written: dict[str, Any], kind: str) -> None:
    if kind == "html":
        block = re.search(r'<div class="warnings">(.*?)</div>', written["html"], re.S)
        assert block
        items = [html.unescape(i) for i in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]
    else:
        section = written["markdown"].split("## Warnings", 1)[1]
        items = [line[2:].replace("\\", "") for line in section.strip().splitlines() if line.startswith("- ")]
    for name in NAMES:
        for pattern in ONLY[name]:
            found = [w for w in items if re.search(pattern, w)]
            assert len(found) == 1 and _about(found[0], name), (name, pattern, items)
    unnamed = [w for w in items if not any(_about(w, n) for n in NAMES)]
    assert len(unnamed) == 1 and "every extractor" in unnamed[0]
    zero = [w for w in items if "zero denominator" in w]
    assert zero and all(any(_about(w, n) for n in NAMES) for w in zero)


def test_the_console_names_the_extractor(run: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(run["args"]) == 0
    captured = capsys.readouterr()
    err = [" ".join(w.split()) for w in " ".join(captured.err.split("\n")).split("warning: ")[1:]]
    for name in NAMES:
        for pattern in ONLY[name]:
            found = [w for w in err if re.search(pattern, w)]
            assert len(found) == 1 and _about(found[0], name), (name, pattern, err)
    out = " ".join(captured.out.split())
    assert "tagger: 1 gold documents without prediction: 004_7e88fb271410e547" in out
    assert "coder: 1 predicted documents not in gold: 999_not_in_gold" in out


def test_with_json_on_stdout_the_warnings_still_name_their_extractor_on_stderr(
    run: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*run["args"], "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["extractors"]
    err = " ".join(captured.err.split())
    assert re.search(r"warning: tagger: \S*pred_tagger\.jsonl: 1 span\(s\) read after", err)
    assert "warning: coder: 1 predicted documents are not in the gold" in err


def test_a_report_json_written_before_warnings_were_named_gets_the_names(written: dict[str, Any]) -> None:
    old = written["report"].model_copy(deep=True)
    for ex in old.extractors:
        ex.warnings = [w.removeprefix(f"{ex.name}: ") for w in ex.warnings]
    section = score_markdown(old).split("## Warnings", 1)[1]
    assert "- coder: 1 predicted documents are not in the gold; ignored" in section
    assert "- tagger: 1 gold documents have no prediction" in section
