"""Secrets never shown: a URL's ``user:password@`` is masked, tokens and passwords are scrubbed."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from eventgold.redact import MASK, one_line, redact_text, redact_url, url_secrets


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://admin:s3cret@127.0.0.1:8080", "http://***@127.0.0.1:8080"),
        ("https://admin:s3cret@ls.example.org/label/", "https://***@ls.example.org/label/"),
        ("http://token@ls.example.org", "http://***@ls.example.org"),
        ("http://:pw@ls.example.org", "http://***@ls.example.org"),
        ("http://admin:p%40ss@host:1/", "http://***@host:1/"),
        # typed raw: a strict parser would split these elsewhere; the password still never shows
        ("http://admin:p@ss@host:1", "http://***@host:1"),
        ("http://admin:s3/cr?t#x@host:1/api", "http://***@host:1/api"),
        ("admin:s3cret@host:8080", "***@host:8080"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.0.0.1:8080/projects/1/data?x=1", "http://127.0.0.1:8080/projects/1/data?x=1"),
        ("", ""),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_url_secrets_are_the_userinfo_raw_and_decoded() -> None:
    assert url_secrets("http://ad%3Amin:p%40ss@host") == ["ad%3Amin:p%40ss", "p%40ss", "ad:min:p@ss", "p@ss"]
    assert url_secrets("http://token@host") == ["token"]
    assert url_secrets("http://host:1/a") == []
    assert url_secrets("http://@host") == []


SCHEMES = st.sampled_from(["http", "https", "HTTP", "ftp", "svn+ssh"])
HOSTS = st.from_regex(r"[a-z0-9][a-z0-9.\-]{0,20}", fullmatch=True)
PATHS = st.from_regex(r"(/[A-Za-z0-9._~%!$&'()*+,;=:\-]{0,10}){0,3}(\?[a-z0-9=&]{0,10})?", fullmatch=True)


@given(
    scheme=SCHEMES,
    user=st.text(),
    password=st.text(),
    host=HOSTS,
    port=st.integers(1, 65535),
    path=PATHS,
    encode=st.booleans(),
)
@example(scheme="http", user="admin", password="s3cret", host="h", port=1, path="", encode=False)
@example(scheme="http", user="a@b", password="c/d?e#f@g", host="h", port=1, path="/x", encode=False)
def test_random_userinfo_never_survives(
    scheme: str, user: str, password: str, host: str, port: int, path: str, encode: bool
) -> None:
    if encode:
        user, password = quote(user, safe=""), quote(password, safe="")
    url = f"{scheme}://{user}:{password}@{host}:{port}{path}"
    assert redact_url(url) == f"{scheme}://{MASK}@{host}:{port}{path}"


@given(user=st.text(), password=st.text(min_size=1), host=HOSTS, before=st.text(), after=st.text())
@example(user="a", password="x y://z", host="h", before="", after="")
def test_userinfo_never_survives_in_text_when_its_secrets_are_named(
    user: str, password: str, host: str, before: str, after: str
) -> None:
    url = f"http://{user}:{password}@{host}:8080"
    message = "{}cannot reach {} ({})"
    # a password that is also elsewhere in the text, or made of the mask, says nothing
    assume("*" not in password and password not in message.format(before, f"http://***@{host}:8080", after))
    shown = redact_text(message.format(before, url, after), url_secrets(url))
    assert password not in shown


@given(text=st.text(), secrets=st.lists(st.text(st.characters(blacklist_characters="*"), min_size=1), max_size=4))
def test_named_secrets_never_survive(text: str, secrets: list[str]) -> None:
    planted = "".join(f"{text}{s}" for s in secrets)
    shown = redact_text(planted, secrets)
    assert not [s for s in secrets if s in shown]


def test_urls_in_free_text_are_masked_without_being_named() -> None:
    text = "GET http://admin:s3cret@127.0.0.1:8080/api failed; retry http://127.0.0.1:8080"
    assert redact_text(text) == "GET http://***@127.0.0.1:8080/api failed; retry http://127.0.0.1:8080"


def test_at_signs_in_paths_of_free_text_are_not_userinfo() -> None:
    text = "cannot read https://medium.com/@author/post?by=a@b.org#x@y"
    assert redact_text(text) == text


def test_redact_text_ignores_empty_secrets_and_masks_the_longest_first() -> None:
    assert redact_text("key abc-123 and abc", ["", None, "abc", "abc-123"]) == "key *** and ***"


def test_one_line() -> None:
    assert one_line("a\n  b\tc\r\n") == "a b c"
    assert one_line("x" * 10, limit=5) == "xxxx…"
