"""Whitespace normalisation (offsets depend on it) and furniture rules from the data file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.errors import ConfigError
from eventgold.ingest.cleaning import builtin_rules, clean_text, load_rules, normalize_whitespace

BODY = "The minister met his counterpart in Baghdad on Sunday and discussed the withdrawal of troops. " * 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb\rc\n", "a\nb\nc"),
        ("a\u2028b\u2029c\x85d\x0be\x0cf", "a\nb\nc\nd\ne\nf"),
        ("no\u00a0break\u202fnarrow\u2007figure", "no break narrow figure"),
        ("trailing   \nspaces\t\n", "trailing\nspaces"),
        ("  leading\n   indent", "leading\nindent"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("a\n \n\t\n\u00a0\nb", "a\n\nb"),
        ("\n\n  \nbody\n\n\n", "body"),
        ("\ufeffbom\ufeff inside", "bom inside"),
        ("ctrl\x00\x07chars\x1b", "ctrlchars"),
        ("tab\tinside stays", "tab\tinside stays"),
        ("one\ntwo", "one\ntwo"),
        ("", ""),
        ("   \n\n  ", ""),
    ],
    ids=[
        "crlf-cr",
        "unicode-breaks",
        "nbsp",
        "trailing",
        "leading",
        "blank-runs",
        "whitespace-only-lines",
        "edges",
        "bom",
        "controls",
        "tab",
        "single-newline-kept",
        "empty",
        "only-space",
    ],
)
def test_normalize_whitespace(raw: str, expected: str) -> None:
    assert normalize_whitespace(raw) == expected


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_normalize_whitespace_is_idempotent_and_clean(text: str) -> None:
    once = normalize_whitespace(text)
    assert normalize_whitespace(once) == once
    assert "\r" not in once and "\u00a0" not in once and "\n\n\n" not in once
    assert once == once.strip()
    assert all(line == line.strip() for line in once.split("\n"))


def test_drop_lines_and_patterns() -> None:
    text = "\n".join(
        [BODY, "Show More", "A- A A +", "• 3", "• 00:00", "مشاركة :", "news-picture", "Back to top button", "End."]
    )
    cleaned = clean_text(normalize_whitespace(text), builtin_rules())
    assert cleaned.text == f"{BODY.strip()}\nEnd."
    assert cleaned.removed_lines == 7


def test_cut_from_removes_the_trailer_after_the_body() -> None:
    text = f"{BODY}\n\nLeave a Reply\n\nFill in your details below\n\nSome comment text that goes on."
    cleaned = clean_text(normalize_whitespace(text), builtin_rules())
    assert cleaned.text == BODY.strip()
    assert cleaned.cut_at == "Leave a Reply"


def test_cut_marker_before_any_body_only_drops_that_line() -> None:
    text = f"Related Articles\n{BODY}"
    cleaned = clean_text(normalize_whitespace(text), builtin_rules())
    assert cleaned.text == BODY.strip()
    assert cleaned.cut_at is None


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Source: RT Arabic", "RT Arabic"),
        ("Sources: Reuters.", "Reuters"),
        ("Baghdad today – follow up", "Baghdad today"),
    ],
)
def test_source_lines_are_read_and_removed(line: str, source: str) -> None:
    cleaned = clean_text(normalize_whitespace(f"{BODY}\n{line}"), builtin_rules())
    assert cleaned.source == source
    assert line not in cleaned.text


def test_source_prefix_is_read_from_the_first_paragraph() -> None:
    rules = builtin_rules()
    assert rules.source_prefix("Shafaq News / Saad Al-Saadi said today") == "Shafaq News"
    assert rules.source_prefix("The minister said / not a source") is None


def test_user_rules_extend_the_builtin_ones(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("drop_lines:\n  - Subscribe to our newsletter\ndrop_patterns:\n  - 'Photo: .*'\n", encoding="utf-8")
    rules = load_rules(path)
    text = f"{BODY}\nSubscribe to our newsletter\nPhoto: AFP\nShow More"
    cleaned = clean_text(normalize_whitespace(text), rules)
    assert cleaned.text == BODY.strip()


def test_user_rules_can_replace_the_builtin_ones(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("replace: true\ndrop_lines: [Subscribe]\n", encoding="utf-8")
    rules = load_rules(path)
    cleaned = clean_text(normalize_whitespace(f"{BODY}\nSubscribe\nShow More"), rules)
    assert cleaned.text == f"{BODY.strip()}\nShow More"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("drop_lines: 3\n", "must be a list"),
        ("drop_patterns: ['(unclosed']\n", "invalid regular expression"),
        ("source_lines: ['no group here']\n", "(?P<source>"),
        ("dropp_lines: [x]\n", "unknown key"),
        ("- just a list\n", "expected a mapping"),
        ("min_body_chars: -1\n", "min_body_chars"),
        ("a: [\n", "not valid YAML"),
    ],
)
def test_bad_rules_files_are_config_errors(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


def test_missing_rules_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_rules(Path("/nonexistent/rules.yaml"))
