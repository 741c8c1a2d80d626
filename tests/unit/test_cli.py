"""The CLI surface: version, help with examples everywhere, error mapping."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from eventgold import __version__
from eventgold.cli import app, main


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            out.extend(_commands(cmd, (*prefix, name)))
        else:
            out.append((*prefix, name))
    return out


ROOT = typer.main.get_command(app)
ALL = _commands(ROOT)


def _groups(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            out.extend(_groups(cmd, (*prefix, name)))
    return out


EVERY = _groups(ROOT) + ALL  # the root, each group, each command
TYPE_PLACEHOLDER = re.compile(r"<(?:bool|str|int|float|path|Path|datetime|uuid|UUID|list\[)")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize("command", ALL, ids=[" ".join(c) for c in ALL])
def test_every_command_has_help_with_an_example(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example" in out, f"`eventgold {' '.join(command)} --help` shows no example"


def _command(path: tuple[str, ...]) -> Any:
    cmd: Any = ROOT
    for name in path:
        cmd = cmd.commands[name]
    return cmd


@pytest.mark.parametrize("command", EVERY, ids=[" ".join(c) or "eventgold" for c in EVERY])
def test_help_shows_readable_placeholders(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    """Placeholders as click shows them (TEXT, PATH, CORPUS, SNAPSHOTS...), never typer 0.27's <str> or {name}."""
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    shown = f"`eventgold {' '.join(command)} --help`"
    found = TYPE_PLACEHOLDER.search(out)
    assert found is None, f"{shown} shows the placeholder {out[found.start() : found.start() + 12]!r}…"
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    for param in _command(command).params:
        if param.param_type_name != "argument":
            continue
        assert f"{{{param.name}}}" not in out, f"{shown} shows the argument as {{{param.name}}}"
        assert (param.metavar or param.name.upper()) in usage, f"{shown}: {usage.strip()!r} lacks {param.name}"


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "render", "--bogus"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_console_script_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "eventgold.cli", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_every_option_a_library_message_names_has_an_api_spelling_and_a_flag() -> None:
    import eventgold
    from eventgold.commands.options import FLAGS
    from eventgold.errors import API_SPELLING

    assert FLAGS.keys() == API_SPELLING.keys()
    src = Path(eventgold.__file__).parent
    named = {n for f in src.rglob("*.py") for n in re.findall(r'\bOption\("([a-z_]+)"\)', f.read_text("utf-8"))}
    assert "url" in named and named <= API_SPELLING.keys()


def test_the_cli_names_its_flags_where_the_library_names_its_parameters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventgold.errors import ConfigError, Option
    from eventgold.resources import packaged_samples

    error = ConfigError("unknown split 'x' (e.g. ", Option("splits_example"), ")")
    assert str(error) == "unknown split 'x' (e.g. splits=['train', 'dev'])"
    gold = packaged_samples() / "gold" / "v1"
    assert main(["export", str(gold), "-f", "conll", "-o", str(tmp_path / "o"), "--split", "validation"]) == 2
    err = capsys.readouterr().err
    assert "error: unknown split 'validation'; choose from train, dev, test (e.g. --split train,dev)" in err
