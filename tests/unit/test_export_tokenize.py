"""The offset-keeping regex tokenizer and the rule-based sentence splitter."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.export.sentences import split_sentences
from eventgold.export.tokenize import tokenize

from .export_fixtures import word_texts


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Mustafa Al-Kazemi met", ["Mustafa", "Al-Kazemi", "met"]),
        ("the U.S. military", ["the", "U.S.", "military"]),
        ("at 10:50 A.M.)", ["at", "10:50", "A.M.", ")"]),
        ("the Prime Minister’s office", ["the", "Prime", "Minister", "’s", "office"]),
        ("Iran's don't", ["Iran", "'s", "don't"]),
        ("pro-Iran factions,", ["pro-Iran", "factions", ","]),
        ("date 2020-11-22 BEIRUT", ["date", "2020-11-22", "BEIRUT"]),
        ("3.5 and 1,000.", ["3.5", "and", "1,000", "."]),
        ("مُحَمَّد الكاظمي", ["مُحَمَّد", "الكاظمي"]),
        ("e\u0301te\u0301!", ["e\u0301te\u0301", "!"]),
        ("--x--", ["-", "-", "x", "-", "-"]),
        ("", []),
        (" \n\t", []),
    ],
)
def test_tokens(text: str, tokens: list[str]) -> None:
    assert [t.text for t in tokenize(text)] == tokens


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120) | word_texts())
def test_token_offsets_slice_the_text_and_cover_every_visible_character(text: str) -> None:
    tokens = tokenize(text)
    previous_end = 0
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text
        assert tok.text and not any(ch.isspace() for ch in tok.text)
        assert tok.start >= previous_end
        assert text[previous_end : tok.start].isspace() or previous_end == tok.start
        previous_end = tok.end
    assert text[previous_end:].isspace() or previous_end == len(text)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Kazemi met Ghaani. Pompeo called.", ["Kazemi met Ghaani.", "Pompeo called."]),
        ("Source: RT Arabic\nBe Civil", ["Source: RT Arabic", "Be Civil"]),
        ("Gen. Soleimani died. Mr. Smith left.", ["Gen. Soleimani died.", "Mr. Smith left."]),
        ("John F. Kennedy spoke.", ["John F. Kennedy spoke."]),
        ('He said "no." Then left!', ['He said "no."', "Then left!"]),
        ("It ended... and resumed. OK?", ["It ended... and resumed.", "OK?"]),
        ("in the U.S. The army", ["in the U.S. The army"]),
        ("3.5 percent.", ["3.5 percent."]),
        ("", []),
    ],
)
def test_sentences(text: str, sentences: list[str]) -> None:
    tokens = tokenize(text)
    got = [text[tokens[a].start : tokens[b - 1].end] for a, b in split_sentences(text, tokens)]
    assert got == sentences


def test_a_span_kept_together_is_never_split() -> None:
    text = "Maj. Gen. Qassem Soleimani was killed. He left."
    tokens = tokenize(text)
    assert len(split_sentences(text, tokens)) == 2
    text = "The Quds Force. Commander Ghaani came."
    tokens = tokenize(text)
    assert len(split_sentences(text, tokens)) == 2
    assert len(split_sentences(text, tokens, [(1, 5)])) == 1  # "Quds Force. Commander"


@settings(max_examples=200, deadline=None)
@given(word_texts())
def test_sentences_partition_the_tokens(text: str) -> None:
    tokens = tokenize(text)
    sentences = split_sentences(text, tokens)
    flat = [i for a, b in sentences for i in range(a, b)]
    assert flat == list(range(len(tokens)))
    assert all(a < b for a, b in sentences)
