"""``eventgold agree`` and ``eventgold gold build|diff`` through the CLI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.commands import gold as gold_commands
from eventgold.commands.gold import parse_group_by, parse_ratios
from eventgold.errors import ConfigError
from eventgold.gold.inputs import SnapshotLike

from .test_gold_dataset import snap


@pytest.fixture(autouse=True)
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    def read(paths: Sequence[Path]) -> list[SnapshotLike]:
        return [snap(12 if "v2" not in str(p) else 14) for p in paths]

    monkeypatch.setattr(gold_commands, "_read_snapshots", read)


def test_build_then_identical_rebuild_then_refusal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gold" / "v1"
    assert main(["gold", "build", "raw.json", "-o", str(out), "--json", str(tmp_path / "b.json")]) == 0
    printed = capsys.readouterr().out
    assert "1 documents with open conflicts" in printed and "1 left out of gold" in printed
    payload = json.loads((tmp_path / "b.json").read_text())
    assert payload["status"] == "written" and payload["schema_version"]
    assert payload["manifest"]["version"] == "v1"
    assert main(["gold", "build", "raw.json", "-o", str(out)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main(["gold", "build", "raw.json", "-o", str(out), "--seed", "5"]) == 2
    assert "never overwritten" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "vote"], "unknown policy"),
        (["--split-ratios", "1,2"], "split-ratios"),
        (["--group-by", "author"], "group-by"),
        (["--previous", "nowhere"], "not a gold version folder"),
    ],
)
def test_build_user_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    out = tmp_path / "v1"
    assert main(["gold", "build", "raw.json", "-o", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_diff_and_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gold", "build", "raw.json", "-o", str(tmp_path / "v1")]) == 0
    assert (
        main(
            [
                "gold",
                "build",
                "raw-v2.json",
                "-o",
                str(tmp_path / "v2"),
                "--previous",
                str(tmp_path / "v1"),
                "--group-by",
                "source",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["gold", "diff", str(tmp_path / "v1"), str(tmp_path / "v2"), "--json", "-"]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out[out.index("{") :])
    assert payload["documents_added"] == ["d12", "d13"]
    assert main(["agree", "raw.json", "--gold", str(tmp_path / "v1"), "--json", "-"]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out[out.index('{\n  "schema_version"') :])
    assert payload["annotators"] == ["alice", "bob", "carol", "dave"]
    assert payload["annotator_stats"][0]["with_gold"]["tp"] > 0


@pytest.mark.parametrize("argv", [["agree", "--help"], ["gold", "build", "--help"], ["gold", "diff", "--help"]])
def test_help_has_an_example(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert "Example:" in capsys.readouterr().out


@pytest.mark.parametrize(("policy", "warned"), [("majority", True), ("adjudicator,majority", False)])
def test_build_warns_when_the_policy_ignores_adjudications(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    policy: str,
    warned: bool,
) -> None:
    from .gold_fixtures import ann, mention, snapshot

    main_snap = snap(12)
    review = snapshot(
        [main_snap.articles["d00"]], [ann("judge", "d00", [mention("m1", "Kazemi")], kind="adjudicator")], "review.json"
    )
    monkeypatch.setattr(gold_commands, "_read_snapshots", lambda paths: [main_snap, review])
    assert main(["gold", "build", "raw.json", "review.json", "-o", str(tmp_path / "v1"), "--policy", policy]) == 0
    err = capsys.readouterr().err
    assert ("1 adjudication(s) from a review project are ignored" in err) is warned


def test_parse_options() -> None:
    assert parse_ratios("70,15,15") == pytest.approx((0.7, 0.15, 0.15))
    assert parse_ratios("0.8,0.1,0.1") == pytest.approx((0.8, 0.1, 0.1))
    for bad in ("70,30", "a,b,c", "-1,1,1", "0,0,0"):
        with pytest.raises(ConfigError):
            parse_ratios(bad)
    assert parse_group_by(None) is None and parse_group_by("source") == "source"
    with pytest.raises(ConfigError):
        parse_group_by("author")
