"""Atomic writes of files and folders, and output paths that are symbolic links.

The rule (README, "Training-data exports"): an output path that is a symbolic
link is followed — the file or folder it points to is written, atomically and
next to that target, and the link stays as it is (also a dangling link, whose
target is created). A link that loops, a file output whose link points to a
folder, and a folder output whose link points to a file are refused with one
line (exit 2). Either way no temporary file or folder is left behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.commands import gold as gold_commands
from eventgold.errors import ConfigError
from eventgold.fileio import atomic_open, atomic_write_text, output_target
from eventgold.gold.inputs import SnapshotLike

from .export_fixtures import fixture_gold
from .test_gold_dataset import snap

LINKS = ["to-file", "to-folder", "dangling", "to-file-elsewhere", "to-folder-elsewhere", "loop"]


def make_link(tmp_path: Path, kind: str) -> tuple[Path, Path]:
    """``here/out`` -> a target of ``kind`` (in ``here`` or in ``there``); returns (link, target)."""
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    link = here / "out"
    folder = there if kind.endswith("elsewhere") else here
    target = folder / "target"
    if kind.startswith("to-file"):
        target.write_text("old\n", encoding="utf-8")
    elif kind.startswith("to-folder"):
        target.mkdir()
    elif kind == "loop":
        target = here / "other"
        target.symlink_to(link)
    link.symlink_to(os.path.relpath(target, here))
    return link, target


def debris(tmp_path: Path) -> list[str]:
    """Hidden temporary files or folders (``.<name>.*.tmp`` / ``.old``) in the folders a write touches."""
    return sorted(
        str(p.relative_to(tmp_path))
        for folder in (tmp_path / "here", tmp_path / "there")
        for p in folder.iterdir()
        if p.name.startswith(".")
    )


def check_link_kept(link: Path, before: str) -> None:
    assert link.is_symlink() and os.readlink(link) == before


@pytest.mark.parametrize("kind", LINKS)
def test_atomic_write_text_follows_a_link_to_a_file_and_refuses_the_rest(tmp_path: Path, kind: str) -> None:
    link, target = make_link(tmp_path, kind)
    before = os.readlink(link)
    if kind in ("to-folder", "to-folder-elsewhere", "loop"):
        with pytest.raises(ConfigError) as err:
            atomic_write_text(link, "new\n")
        assert "\n" not in str(err.value) and str(link) in str(err.value)
        assert ("loops" in str(err.value)) == (kind == "loop")
        if kind != "loop":
            assert target.is_dir() and list(target.iterdir()) == []
    else:
        atomic_write_text(link, "new\n")
        assert target.read_text(encoding="utf-8") == "new\n" and not target.is_symlink()
        assert link.read_text(encoding="utf-8") == "new\n"
    check_link_kept(link, before)
    assert debris(tmp_path) == []


def test_a_failed_write_through_a_link_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    link, target = make_link(tmp_path, "to-file-elsewhere")
    with pytest.raises(RuntimeError), atomic_open(link) as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert debris(tmp_path) == []


def test_binary_writes_and_modes_follow_the_link(tmp_path: Path) -> None:
    link, target = make_link(tmp_path, "to-file")
    with atomic_open(link, "wb", perms=0o600) as fh:
        fh.write(b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01" and (target.stat().st_mode & 0o777) == 0o600
    assert link.is_symlink() and debris(tmp_path) == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [("plain", "plain"), ("chain", "there/target"), ("relative", "there/target")],
)
def test_output_target(tmp_path: Path, path: str, expected: str) -> None:
    (tmp_path / "there").mkdir()
    (tmp_path / "there" / "target").write_text("x")
    (tmp_path / "relative").symlink_to("there/target")
    (tmp_path / "chain").symlink_to(tmp_path / "relative")
    got = output_target(tmp_path / path)
    assert got == (tmp_path / expected if path == "plain" else (tmp_path / expected).resolve())


# --- folder outputs: `export -o DIR` and `gold build -o DIR` ---------------------------------------

FOLLOWED = {"to-folder", "dangling", "to-folder-elsewhere"}


@pytest.fixture
def fake_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    def read(paths: Sequence[Path]) -> list[SnapshotLike]:
        return [snap(12) for _ in paths]

    monkeypatch.setattr(gold_commands, "_read_snapshots", read)


def run_export(tmp_path: Path, out: Path) -> int:
    gold = fixture_gold(tmp_path / "src")
    return main(["export", str(gold), "--format", "conll", "-o", str(out)])


def run_gold_build(tmp_path: Path, out: Path) -> int:
    return main(["gold", "build", "raw.json", "-o", str(out)])


WRITERS: dict[str, tuple[Callable[[Path, Path], int], str]] = {
    "export": (run_export, "manifest.json"),
    "gold-build": (run_gold_build, "gold.jsonl"),
}


@pytest.mark.usefixtures("fake_snapshots")
@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("kind", LINKS)
def test_folder_outputs_follow_a_link_to_a_folder_and_refuse_the_rest(
    tmp_path: Path, writer: str, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run, marker = WRITERS[writer]
    link, target = make_link(tmp_path, kind)
    before = os.readlink(link)
    capsys.readouterr()
    rc = run(tmp_path, link)
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("warning")]
    if kind in FOLLOWED:
        assert rc == 0, err
        assert target.is_dir() and not target.is_symlink() and (target / marker).is_file()
        assert (link / marker).is_file()
    else:
        assert rc == 2
        assert len(err) == 1 and err[0].startswith("error:")
        if kind.startswith("to-file"):
            assert target.read_text(encoding="utf-8") == "old\n"
    check_link_kept(link, before)
    assert debris(tmp_path) == []


@pytest.mark.usefixtures("fake_snapshots")
def test_an_export_through_a_link_replaces_the_earlier_one_and_keeps_the_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link, target = make_link(tmp_path, "to-folder-elsewhere")
    gold = fixture_gold(tmp_path / "src")
    assert main(["export", str(gold), "--format", "conll", "-o", str(link)]) == 0
    assert main(["export", str(gold), "--format", "conll", "-o", str(link)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main(["export", str(gold), "--format", "plover", "-o", str(link)]) == 0
    assert (target / "test.jsonl").is_file() and not (target / "test.conll").exists()
    assert link.is_symlink() and debris(tmp_path) == []


@pytest.mark.usefixtures("fake_snapshots")
def test_gold_build_writes_into_an_empty_folder_but_never_over_a_version(tmp_path: Path) -> None:
    out = tmp_path / "v1"
    out.mkdir()
    assert main(["gold", "build", "raw.json", "-o", str(out)]) == 0
    assert (out / "gold.jsonl").is_file()
    assert main(["gold", "build", "raw.json", "-o", str(out)]) == 0  # identical: unchanged
    assert main(["gold", "build", "raw.json", "-o", str(out), "--seed", "5"]) == 2
