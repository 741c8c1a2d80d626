"""A missing package ingest needs is one line saying what to install (exit 2), never a traceback.

Simulated by putting None in ``sys.modules`` (which makes ``import`` fail as if the package
were not installed) or by an ImportError raised where the package is used.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.errors import ConfigError
from eventgold.ingest import ingest
from eventgold.ingest.deps import dependency_error, missing_package, require
from eventgold.ingest.encoding import decode_bytes
from eventgold.ingest.errors import BadInput
from eventgold.ingest.readers import extract_html

PAGE = (
    "<html lang='en'><body><article><p>Iraqi Foreign Minister Fouad Hussein concluded on Sunday a visit "
    "to Tehran where he held talks with Iranian officials on bilateral relations.</p></article></body></html>"
)
LXML_MESSAGE = (
    "lxml.html.clean module is now a separate project lxml_html_clean.\n"
    "Install lxml[html_clean] or lxml_html_clean directly."
)


@pytest.mark.parametrize(
    ("missing", "package"),
    [
        ("lxml_html_clean", "lxml_html_clean"),
        ("trafilatura", "trafilatura"),
    ],
)
def test_html_without_a_package_names_what_to_install(
    monkeypatch: pytest.MonkeyPatch, missing: str, package: str
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(ConfigError) as info:
        extract_html(PAGE, "page.html")
    message = str(info.value)
    assert f"reading .html files needs the Python package {package}" in message
    assert f"`pip install {package}`" in message and "\n" not in message


@pytest.mark.parametrize(
    ("error", "package"),
    [
        (ImportError(LXML_MESSAGE), "lxml_html_clean"),  # what lxml raises without lxml_html_clean
        (ModuleNotFoundError("No module named 'justext'", name="justext"), "jusText"),
        (ModuleNotFoundError("No module named 'htmldate.core'", name="htmldate.core"), "htmldate"),
        (ModuleNotFoundError("No module named 'courlan'", name="courlan"), "courlan"),
        (ModuleNotFoundError("No module named 'lxml'", name="lxml"), "lxml"),
        (ModuleNotFoundError("No module named 'charset_normalizer'", name="charset_normalizer"), "charset-normalizer"),
    ],
)
def test_a_part_of_trafilatura_imported_late_names_its_package(
    monkeypatch: pytest.MonkeyPatch, error: ImportError, package: str
) -> None:
    import trafilatura

    def broken(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    with pytest.raises(ConfigError, match=f"needs the Python package {package},") as info:
        extract_html(PAGE, "page.html")
    assert f"`pip install {package}`" in str(info.value) and "\n" not in str(info.value)


def test_missing_package_reads_lxml_message_without_a_name() -> None:
    assert missing_package(ImportError(LXML_MESSAGE), "trafilatura") == "lxml_html_clean"
    assert missing_package(ImportError("cannot import name 'x'"), "yaml") == "pyyaml"
    assert missing_package(ImportError("no"), "some_pkg") == "some-pkg"
    assert "\n" not in str(dependency_error(ImportError(LXML_MESSAGE), "trafilatura", "reading .html files"))


def test_require_returns_the_module() -> None:
    assert require("json", "tests").dumps([]) == "[]"


def test_cli_html_without_lxml_html_clean_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "lxml_html_clean", None)
    # not a bad input: --skip-bad does not hide it
    assert main(["ingest", str(page), "-o", str(tmp_path / "c.jsonl"), "--skip-bad"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("error: reading .html files needs the Python package lxml_html_clean")
    assert "pip install lxml_html_clean" in err and "Traceback" not in err


def test_near_duplicates_without_datasketch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("Iraqi officials met in Baghdad to discuss the withdrawal.", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "datasketch", None)
    needs = r"near-duplicate detection \(near_dup_threshold\) needs .* `pip install datasketch`"
    with pytest.raises(ConfigError, match=needs):
        list(ingest([tmp_path]))
    assert main(["ingest", str(tmp_path / "a.txt"), "-o", str(tmp_path / "c.jsonl")]) == 2
    assert "error: near-duplicate detection (--near-dup-threshold) needs" in capsys.readouterr().err


def test_encoding_hint_without_charset_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "charset_normalizer", None)
    data = "caf\u00e9 ".encode() + "\u201cquoted\u201d \u2013 dash".encode("cp1252")
    with pytest.raises(BadInput) as info:
        decode_bytes(data, "mixed.txt")
    assert "cp1252 (Windows-1252)" in str(info.value)
    assert "`pip install charset-normalizer` to have encodings of other scripts named" in str(info.value)
