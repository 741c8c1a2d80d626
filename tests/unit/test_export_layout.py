"""Gold spans on tokens: alignment, cut reasons, the non-overlapping choice, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from eventgold.export.bio import decode_bio, encode_bio
from eventgold.export.layout import layout_document, span_units
from eventgold.export.sentences import split_sentences
from eventgold.export.tokenize import tokenize
from eventgold.models import Article, GoldDocument, Mention

from .export_fixtures import fixture_docs, train_doc, word_gold_documents
from .strategies import gold_documents

TEXT = "Iraqi officials met Al-Kazemi in Baghdad .\nThe U.S. left."


def doc_with(*spans: tuple[int, int, str]) -> GoldDocument:
    return GoldDocument(
        article=Article(id="d", text=TEXT),
        mentions=[Mention(id=f"m{i}", type=t, start=a, end=b, text=TEXT[a:b]) for i, (a, b, t) in enumerate(spans)],
    )


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.mark.parametrize(
    ("span", "reason", "detail"),
    [
        ((at("Baghdad")[0], at("Baghdad")[1] + 1), "whitespace", "end 41 is in whitespace"),
        ((at("Baghdad")[0] - 1, at("Baghdad")[1]), "whitespace", "start 32 is in whitespace"),
        ((5, 5), "empty", "covers no token"),
        ((at(".\n")[0] + 1, at(".\n")[0] + 2), "empty", "covers no token"),
        # one edge inside a token, the other in whitespace: cut for the blank, and no token is split
        ((at("Kazemi")[0], at("Kazemi")[1] + 1), "whitespace", "end 30 is in whitespace"),
        ((at("met")[0] - 1, at("met")[0] + 2), "whitespace", "start 15 is in whitespace"),
    ],
)
def test_cut_reasons(span: tuple[int, int], reason: str, detail: str) -> None:
    layout = layout_document(doc_with((span[0], span[1], "PERSON")))
    assert not layout.mentions and not layout.ner
    (cut,) = layout.cut
    assert cut.reason == reason and detail in cut.detail
    assert cut.text == TEXT[span[0] : span[1]]
    assert layout.split_tokens == 0 and layout.tokens == tokenize(TEXT)


def test_covering_tokens_are_reported() -> None:
    (cut,) = layout_document(doc_with((at("Kazemi")[0], at("Kazemi")[1] + 1, "PERSON"))).cut
    assert (cut.covering_start, cut.covering_end, cut.covering_text) == (20, 29, "Al-Kazemi")


def test_longest_span_wins_an_overlap_and_duplicates_are_silent() -> None:
    layout = layout_document(
        doc_with((*at("Iraqi officials"), "GROUP"), (*at("Iraqi"), "STATE"), (*at("Iraqi officials"), "GROUP"))
    )
    assert [a.unit.id for a in layout.ner] == ["m0"]
    assert [a.unit.id for a in layout.mentions] == ["m0", "m1", "m2"]
    (overlap,) = layout.mention_overlaps
    assert overlap.id == "m1" and overlap.reason == "overlap" and "'m0'" in overlap.detail


def test_fixture_cuts() -> None:
    layouts = {d.doc_id: layout_document(d) for d in [*fixture_docs(), train_doc()]}
    assert not [c for lay in layouts.values() for c in lay.cut]
    # the spans a tokenizer token used to cut now sit on its pieces
    pieces = {
        (doc_id, lay.by_id[unit_id].unit.text, tuple(t.text for t in lay.tokens[lay.by_id[unit_id].tok_start - 1 :
                                                                                 lay.by_id[unit_id].tok_end + 1]))
        for doc_id, unit_id in (("000_87d7f54058e42e0b", "m6"), ("002_dad6e3c2e5782cf7", "e1"), ("t01", "m6"))
        for lay in [layouts[doc_id]]
    }  # fmt: skip
    assert pieces == {
        ("000_87d7f54058e42e0b", "Iraq", ("the", "Iraq", "i")),
        ("002_dad6e3c2e5782cf7", "visit", ("The", "visit", "s")),
        ("t01", "Tehr", ("warned", "Tehr", "an")),
    }
    assert {d: lay.split_tokens for d, lay in layouts.items()} == {
        "000_87d7f54058e42e0b": 1,
        "002_dad6e3c2e5782cf7": 1,
        "004_7e88fb271410e547": 0,
        "t01": 1,
    }
    assert [c.id for c in layouts["t01"].mention_overlaps] == ["m2"]


def _check_layout(doc: GoldDocument) -> None:
    layout = layout_document(doc)
    text = doc.article.text
    tokens = layout.tokens
    mentions, triggers = span_units(doc)
    # every gold span is either on tokens (and then maps back exactly) or reported as cut
    aligned_ids = {a.unit.id for a in (*layout.mentions, *layout.triggers)}
    cut_ids = {c.id for c in layout.cut}
    assert aligned_ids | cut_ids == {u.id for u in (*mentions, *triggers)}
    assert not aligned_ids & cut_ids
    for a in (*layout.mentions, *layout.triggers):
        assert text[tokens[a.tok_start].start : tokens[a.tok_end - 1].end] == a.unit.text
        assert (tokens[a.tok_start].start, tokens[a.tok_end - 1].end) == (a.unit.start, a.unit.end)
    for c in layout.cut:
        assert text[c.start : c.end] == c.text
        assert c.reason != "boundary"  # tokens are split at gold span edges
        if c.reason == "whitespace":
            assert text[c.start : c.start + 1].isspace() or text[c.end - 1 : c.end].isspace() or c.start == len(text)
    # the tokens are the tokenizer's, split at span edges only: same characters, whitespace untouched
    base = tokenize(text)
    assert "".join(t.text for t in tokens) == "".join(t.text for t in base)
    edges = {e for u in (*mentions, *triggers) for e in (u.start, u.end)}
    assert all(t.start in edges for t in tokens if t.start not in {b.start for b in base})
    assert all(tokens[i].end == tokens[i + 1].start for i in range(len(tokens) - 1) if tokens[i].end not in
               {b.end for b in base})  # fmt: skip
    # sentence breaks fall where the tokenizer's tokens put them (splits move none)
    base_breaks = {base[a].start for a, _ in split_sentences(text, base)}
    assert {tokens[a].start for a, _ in layout.sentences} <= base_breaks
    # the tag choice: non-overlapping; every aligned span is kept, overlapping or a silent duplicate
    for kept, lost, every in (
        (layout.ner, layout.mention_overlaps, layout.mentions),
        (layout.trigger_tags, layout.trigger_overlaps, layout.triggers),
    ):
        tags = encode_bio(len(tokens), [(a.tok_start, a.tok_end, a.unit.label) for a in kept])
        assert decode_bio(tags) == [(a.tok_start, a.tok_end, a.unit.label) for a in kept]
        kept_keys = {(a.unit.start, a.unit.end, a.unit.label) for a in kept}
        lost_ids = {c.id for c in lost}
        for a in every:
            assert a.unit.id in lost_ids or (a.unit.start, a.unit.end, a.unit.label) in kept_keys
    # sentences partition the tokens and never cut a tagged span
    assert [i for s, e in layout.sentences for i in range(s, e)] == list(range(len(tokens)))
    starts = {s for s, _ in layout.sentences}
    for a in (*layout.ner, *layout.trigger_tags):
        assert not any(a.tok_start < b < a.tok_end for b in starts)


@settings(max_examples=200, deadline=None)
@given(word_gold_documents())
def test_layout_invariants_on_word_texts(doc: GoldDocument) -> None:
    _check_layout(doc)


@settings(max_examples=200, deadline=None)
@given(gold_documents())
def test_layout_invariants_on_any_text(doc: GoldDocument) -> None:
    _check_layout(doc)
