"""Tokens split at gold span edges: no token-level export loses a gold span to the tokenizer.

A gold span whose edge falls inside a tokenizer token ("Albanian rebel" in
"rebel-held") gets a token edge there, the way spaCy's retokenizer splits: the
pieces keep the original characters and have no whitespace between them. Each
case is checked on the layout and on what CoNLL, the spaCy DocBin and the
Hugging Face rows make of it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from eventgold.export.bio import bio_labels, decode_bio
from eventgold.export.conll import document_rows
from eventgold.export.hf import document_row
from eventgold.export.layout import DocLayout, layout_document
from eventgold.export.run import export_gold
from eventgold.export.spacy_docbin import make_doc, words_and_spaces
from eventgold.export.tokenize import Token, split_tokens, tokenize
from eventgold.models import Argument, Article, Event, GoldDocument, Mention, Span

from .export_fixtures import ONTOLOGY, word_texts, write_gold
from .extras import NEEDS_SPACY


@functools.cache
def blank_vocab() -> Any:
    """A blank English spaCy vocab; the calling test is skipped when spaCy is not installed."""
    spacy = pytest.importorskip("spacy", reason=NEEDS_SPACY)
    return spacy.blank("en").vocab
ACTOR_TYPES = [t.name for t in ONTOLOGY.actor_types]
EVENT_TYPES = [t.name for t in ONTOLOGY.event_types]


def gold(text: str, spans: list[tuple[int, int, str]], split: str = "train") -> GoldDocument:
    """A gold document with mention spans (kind "mention") and trigger spans (kind "trigger")."""
    mentions = [
        Mention(id=f"m{i}", type="STATE", start=a, end=b, text=text[a:b])
        for i, (a, b, kind) in enumerate(spans)
        if kind == "mention"
    ]
    events = [
        Event(id=f"e{i}", type="ASSAULT", trigger=Span(start=a, end=b, text=text[a:b]))
        for i, (a, b, kind) in enumerate(spans)
        if kind == "trigger"
    ]
    return GoldDocument(
        article=Article(id="d", text=text, language="en"), mentions=mentions, events=events, split=split
    )


def rebuild(text: str, tokens: list[Token]) -> str:
    """The tokens with the text between them (which must be whitespace)."""
    out, pos = [], 0
    for tok in tokens:
        gap = text[pos : tok.start]
        assert gap == "" or gap.isspace()
        out.append(gap + tok.text)
        pos = tok.end
    assert text[pos:] == "" or text[pos:].isspace()
    return "".join(out) + text[pos:]


def check_formats(layout: DocLayout) -> None:
    """Every aligned span is exactly a token range in CoNLL, the spaCy Doc and the HF row."""
    text = layout.text
    tokens = layout.tokens
    assert rebuild(text, tokens) == text
    # spaCy: the Doc's words and spaces are the layout's tokens and whitespace
    words, spaces = words_and_spaces(text, tokens)
    doc = make_doc(blank_vocab(), layout)
    assert [t.text for t in doc] == words and [bool(t.whitespace_) for t in doc] == spaces
    assert doc.text == text
    assert [t.text for t in doc if not t.is_space] == [t.text for t in tokens]
    for group, aligned in (("actors", layout.mentions), ("events", layout.triggers)):
        assert [(s.start_char, s.end_char, s.text) for s in doc.spans[group]] == [
            (a.unit.start, a.unit.end, a.unit.text) for a in aligned
        ]
    assert [(e.start_char, e.end_char) for e in doc.ents] == [(a.unit.start, a.unit.end) for a in layout.ner]
    # Hugging Face: tokens are what their offsets slice; mentions and triggers carry token offsets
    ner = bio_labels(ACTOR_TYPES)
    trig = bio_labels(EVENT_TYPES)
    row = document_row(layout, {n: i for i, n in enumerate(ner)}, {n: i for i, n in enumerate(trig)})
    assert row["tokens"] == [text[a:b] for a, b in row["offsets"]] == [t.text for t in tokens]
    for m in row["mentions"]:
        a, b = m["token_start"], m["token_end"]
        assert (row["offsets"][a][0], row["offsets"][b - 1][1]) == (m["start"], m["end"])
    for e in row["events"]:
        a, b = e["trigger"]["token_start"], e["trigger"]["token_end"]
        assert (row["offsets"][a][0], row["offsets"][b - 1][1]) == (e["trigger"]["start"], e["trigger"]["end"])
    # CoNLL: the tag columns decode (with seqeval) to the tagged spans
    rows = [r for sentence in document_rows(layout) for r in sentence]
    assert [r[0] for r in rows] == [t.text for t in tokens]
    for column, kept in ((1, layout.ner), (2, layout.trigger_tags)):
        got = {(tokens[a].start, tokens[b].end, label) for label, a, b in get_entities([r[column] for r in rows])}
        assert got == {(a.unit.start, a.unit.end, a.unit.label) for a in kept}
        assert decode_bio([r[column] for r in rows]) == [(a.tok_start, a.tok_end, a.unit.label) for a in kept]


@pytest.mark.parametrize(
    ("text", "phrase", "kind", "tokens", "split"),
    [
        # an edge inside a hyphenated token: the first piece has no trailing space
        ("Albanian rebel-held town", "Albanian rebel", "mention", ["Albanian", "rebel", "-held", "town"], 1),
        ("Albanian rebel-held town", "held", "trigger", ["Albanian", "rebel-", "held", "town"], 1),
        ("an anti-Iraqi rally", "Iraq", "mention", ["an", "anti-", "Iraq", "i", "rally"], 1),
        # apostrophes: the possessive is already its own token; an inner one is split like a hyphen
        ("Iraq's army", "Iraq", "mention", ["Iraq", "'s", "army"], 0),
        ("Iraq's army", "Iraq's army", "mention", ["Iraq", "'s", "army"], 0),
        ("Iraq’s army", "Iraq’", "mention", ["Iraq", "’", "s", "army"], 1),
        ("Kata'ib Hezbollah", "Kata", "mention", ["Kata", "'ib", "Hezbollah"], 1),
        ("they don't go", "do", "trigger", ["they", "do", "n't", "go"], 1),
        # a start in the middle of a word
        ("Mustafa Al-Kazemi met", "Kazemi met", "mention", ["Mustafa", "Al-", "Kazemi", "met"], 1),
        ("the superpower left", "power", "mention", ["the", "super", "power", "left"], 1),
        ("two visits", "visit", "trigger", ["two", "visit", "s"], 1),
        # ending at punctuation: inside an abbreviation or number, or at a token of its own
        ("in the U.S. army", "the U.S", "mention", ["in", "the", "U.S", ".", "army"], 1),
        ("at 10:50 sharp", "10", "trigger", ["at", "10", ":50", "sharp"], 1),
        ("went to Baghdad.", "Baghdad.", "mention", ["went", "to", "Baghdad", "."], 0),
        ("went to Baghdad.", "Baghdad", "mention", ["went", "to", "Baghdad", "."], 0),
        # a span that is the whole token: nothing to split
        ("Albanian rebel-held town", "rebel-held", "mention", ["Albanian", "rebel-held", "town"], 0),
        ("Al-Kazemi", "Al-Kazemi", "mention", ["Al-Kazemi"], 0),
        # non-Latin text and combining marks keep their characters
        ("مُحَمَّد الكاظمي", "الكاظ", "mention", ["مُحَمَّد", "الكاظ", "مي"], 1),
        ("e\u0301te\u0301 x", "e\u0301t", "mention", ["e\u0301t", "e\u0301", "x"], 1),
    ],
)
def test_a_token_is_split_at_a_gold_span_edge(text: str, phrase: str, kind: str, tokens: list[str], split: int) -> None:
    start = text.index(phrase)
    layout = layout_document(gold(text, [(start, start + len(phrase), kind)]))
    assert [t.text for t in layout.tokens] == tokens
    assert layout.split_tokens == split
    assert not layout.cut and not layout.mention_overlaps and not layout.trigger_overlaps
    (aligned,) = layout.mentions or layout.triggers
    on_tokens = layout.tokens[aligned.tok_start : aligned.tok_end]
    assert (on_tokens[0].start, on_tokens[-1].end) == (start, start + len(phrase))
    check_formats(layout)


def test_the_first_piece_has_no_trailing_space() -> None:
    text = "Albanian rebel-held town"
    layout = layout_document(gold(text, [(0, len("Albanian rebel"), "mention")]))
    words, spaces = words_and_spaces(text, layout.tokens)
    assert list(zip(words, spaces, strict=True)) == [
        ("Albanian", True),
        ("rebel", False),
        ("-held", True),
        ("town", False),
    ]
    doc = make_doc(blank_vocab(), layout)
    assert [(t.text, t.whitespace_) for t in doc] == [("Albanian", " "), ("rebel", ""), ("-held", " "), ("town", "")]
    assert [(e.text, e.label_) for e in doc.ents] == [("Albanian rebel", "STATE")]


def test_every_edge_of_every_span_splits_and_nested_spans_are_the_only_cut() -> None:
    text = "pro-Iranian factions"
    spans = [
        (0, len("pro-Iranian"), "mention"),  # the whole token
        (4, 8, "mention"),  # "Iran", nested in it: IOB cannot hold both
        (4, 11, "trigger"),  # "Iranian"
    ]
    layout = layout_document(gold(text, spans))
    assert [t.text for t in layout.tokens] == ["pro-", "Iran", "ian", "factions"]
    assert layout.split_tokens == 1 and not layout.cut
    assert [(c.id, c.reason) for c in layout.mention_overlaps] == [("m1", "overlap")]
    assert [a.unit.text for a in layout.mentions] == ["pro-Iranian", "Iran"]  # both in doc.spans["actors"]
    check_formats(layout)


def test_cut_spans_split_no_token() -> None:
    text = "Al-Kazemi  met"
    spans = [(3, 10, "mention"), (3, 3, "mention"), (9, 11, "trigger")]  # "Kazemi " / "" / two blanks
    layout = layout_document(gold(text, spans))
    assert layout.tokens == tokenize(text) and layout.split_tokens == 0
    assert [(c.id, c.reason) for c in layout.cut] == [("m0", "whitespace"), ("m1", "empty"), ("e2", "empty")]


def test_splits_move_no_sentence_break() -> None:
    text = "They met in the U.S. The army left."
    start = text.index("U.S")
    layout = layout_document(gold(text, [(start, start + 3, "mention")]))
    assert [t.text for t in layout.tokens][4:6] == ["U.S", "."]
    assert len(layout.sentences) == 1  # as without the split: "U.S." is no sentence end
    text = "Kazemi met Ghaani.He left. Then Pompeo called."
    start = text.index("He")
    layout = layout_document(gold(text, [(start, start + 2, "mention")]))
    sentences = [text[layout.tokens[a].start : layout.tokens[b - 1].end] for a, b in layout.sentences]
    assert sentences == ["Kazemi met Ghaani.He left.", "Then Pompeo called."]


@pytest.mark.parametrize(
    ("tokens", "offsets", "pieces"),
    [
        ([Token("rebel-held", 0, 10)], [5], [("rebel", 0, 5), ("-held", 5, 10)]),
        ([Token("rebel-held", 0, 10)], [0, 10, 12], [("rebel-held", 0, 10)]),
        ([Token("abc", 2, 5), Token("de", 6, 8)], [3, 4, 7, 7], [("a", 2, 3), ("b", 3, 4), ("c", 4, 5), ("d", 6, 7),
                                                                 ("e", 7, 8)]),
        ([], [1, 2], []),
    ],
)  # fmt: skip
def test_split_tokens(tokens: list[Token], offsets: list[int], pieces: list[tuple[str, int, int]]) -> None:
    assert [(t.text, t.start, t.end) for t in split_tokens(tokens, offsets)] == pieces


@st.composite
def texts_with_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    """A text and non-overlapping spans whose first and last characters are not whitespace."""
    text = draw(word_texts() | st.text(max_size=80))
    visible = [i for i, ch in enumerate(text) if not ch.isspace()]
    if not visible:
        return text, []
    points = draw(st.lists(st.sampled_from(visible), unique=True, max_size=12).map(sorted))
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(points):
        kind = draw(st.sampled_from(["mention", "trigger"]))
        if i + 1 < len(points) and draw(st.booleans()):
            spans.append((points[i], points[i + 1] + 1, kind))
            i += 2
        else:
            spans.append((points[i], points[i] + 1, kind))
            i += 1
    return text, spans


@settings(max_examples=300, deadline=None)
@given(texts_with_spans())
def test_every_span_off_whitespace_is_a_token_range(case: tuple[str, list[tuple[int, int, str]]]) -> None:
    text, spans = case
    layout = layout_document(gold(text, spans))
    assert not layout.cut and not layout.mention_overlaps and not layout.trigger_overlaps
    tokens = layout.tokens
    starts = {t.start: i for i, t in enumerate(tokens)}
    ends = {t.end: i for i, t in enumerate(tokens)}
    for a, b, _ in spans:
        assert a in starts and b in ends  # exactly a token range
    assert len(layout.mentions) + len(layout.triggers) == len(spans)
    for aligned in (*layout.mentions, *layout.triggers):
        assert (tokens[aligned.tok_start].start, tokens[aligned.tok_end - 1].end) == (
            aligned.unit.start,
            aligned.unit.end,
        )
    # the tokens with their whitespace give the text back; a split leaves no space between pieces
    assert rebuild(text, tokens) == text
    words, spaces = words_and_spaces(text, tokens)
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True)) == text
    base = tokenize(text)
    assert "".join(t.text for t in tokens) == "".join(t.text for t in base)
    assert layout.split_tokens == sum(1 for t in base if any(t.start < a < t.end for s in spans for a in s[:2]))
    check_formats(layout)


def test_exports_carry_the_span_a_token_used_to_cut(tmp_path: Path) -> None:
    vocab = blank_vocab()
    from spacy.tokens import DocBin

    text = "Serbian forces shelled the Albanian rebel-held village of Likosane."
    start = text.index("Albanian rebel")
    doc = GoldDocument(
        article=Article(id="k1", text=text, language="en"),
        mentions=[
            Mention(id="m1", type="ARMED_GROUP", start=start, end=start + 14, text="Albanian rebel"),
            Mention(id="m2", type="ARMED_GROUP", start=0, end=14, text="Serbian forces"),
        ],
        events=[
            Event(
                id="e1",
                type="ASSAULT",
                trigger=Span(start=15, end=22, text="shelled"),
                arguments=[Argument(role="actor", mention="m2"), Argument(role="recipient", mention="m1")],
            )
        ],
        split="train",
    )
    folder = write_gold(tmp_path / "gold", [doc])
    for fmt in ("conll", "spacy", "hf"):
        summary = export_gold(folder, fmt, tmp_path / fmt, ["train"])
        assert summary.cut_spans == 0 and (tmp_path / fmt / "cut_spans.jsonl").read_text() == ""
        assert summary.splits["train"].split_tokens == 1 and summary.splits["train"].tokens == 11
    conll = (tmp_path / "conll" / "train.conll").read_text()
    assert "Serbian B-ARMED_GROUP O B-e1:actor\nforces I-ARMED_GROUP O I-e1:actor\n" in conll
    assert "Albanian B-ARMED_GROUP O B-e1:recipient\nrebel I-ARMED_GROUP O I-e1:recipient\n-held O O O\n" in conll
    offsets = json.loads((tmp_path / "conll" / "train.offsets.jsonl").read_text())
    assert [text[a:b] for a, b in offsets["offsets"]][4:7] == ["Albanian", "rebel", "-held"]
    (spacy_doc,) = DocBin().from_disk(tmp_path / "spacy" / "train.spacy").get_docs(vocab)
    assert [e.text for e in spacy_doc.ents] == ["Serbian forces", "Albanian rebel"]
    assert spacy_doc.text == text and spacy_doc[5].text == "rebel" and spacy_doc[5].whitespace_ == ""
    row = json.loads((tmp_path / "hf" / "train.jsonl").read_text())
    assert row["tokens"][4:7] == ["Albanian", "rebel", "-held"]
    assert [(m["token_start"], m["token_end"]) for m in row["mentions"]] == [(4, 6), (0, 2)]
