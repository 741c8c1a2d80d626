"""Stable ids: given > URL > path (+ row) > text, as DESIGN.md defines them."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventgold.ingest.ids import article_id, normalize_url, path_id, text_id, url_id


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"given": " a-1 ", "url": "https://x.org/a", "relative": "d/a.txt", "text": "t"}, ("a-1", "given")),
        (
            {"given": "", "url": "https://x.org/a", "relative": "d/a.txt", "text": "t"},
            (url_id("https://x.org/a"), "url"),
        ),
        ({"relative": "sub/000_abc.txt", "text": "t"}, ("sub/000_abc", "path")),
        ({"relative": "export.csv", "row": 12, "text": "t"}, ("export#12", "path")),
        ({"relative": "noext", "text": "t"}, ("noext", "path")),
        ({"text": "only text"}, (text_id("only text"), "text")),
    ],
    ids=["given", "url", "path", "path-row", "no-extension", "text"],
)
def test_article_id_preference(kwargs: dict[str, object], expected: tuple[str, str]) -> None:
    assert article_id(**kwargs) == expected  # type: ignore[arg-type]


def test_url_normalisation() -> None:
    assert normalize_url(" HTTPS://Example.ORG/Path?q=1#frag ") == "https://example.org/Path?q=1"
    assert url_id("https://example.org/a#x") == url_id("HTTPS://EXAMPLE.org/a")
    assert url_id("https://example.org/a") != url_id("https://example.org/A")
    expected = hashlib.sha256(b"https://example.org/a").hexdigest()[:16]
    assert url_id("https://example.org/a") == f"url-{expected}"


def test_path_id_keeps_folders_and_dots_in_folder_names() -> None:
    assert path_id("v1.2/story.html") == "v1.2/story"
    assert path_id("v1.2/story") == "v1.2/story"


@given(st.text(min_size=1), st.text(min_size=1))
def test_ids_from_where_never_depend_on_the_text(text_a: str, text_b: str) -> None:
    for kwargs in ({"url": "https://x.org/1"}, {"relative": "a/b.txt", "row": 3}, {"given": "g"}):
        assert article_id(text=text_a, **kwargs) == article_id(text=text_b, **kwargs)  # type: ignore[arg-type]
