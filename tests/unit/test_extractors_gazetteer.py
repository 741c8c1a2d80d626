"""The gazetteer: dictionary names found in text, offsets exact, variants folded to one id."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.actors.dictionary import load_actor_dictionary
from eventgold.extractors.gazetteer import (
    Gazetteer,
    GazetteerExtractor,
    actor_candidates,
    fold,
    load_gazetteer,
)
from eventgold.models import Article, check_annotation
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_samples

SEEDS = packaged_samples() / "articles"


def seed(prefix: str) -> Article:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return Article(id=path.stem, text=path.read_text(encoding="utf-8").replace("\r\n", "\n"))


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def found(gaz: Gazetteer, text: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.canonical_id, m.type) for m in gaz.find(text)]


def test_ghaani_and_qaani_spellings_are_one_canonical_id(gaz: Gazetteer) -> None:
    texts = {m.text for a in (seed("000"), seed("001")) for m in gaz.find(a.text)
             if m.canonical_id == "qaani_ismail"}
    assert {"Ismail Ghaani", "Ghaani", "Ismael Qaani"} <= texts
    for variant in ("Esmail Qaani", "Ismail Ghani", "Ismael Qani", "Qa'ani", "QAANI"):
        assert found(gaz, f"Then {variant} arrived.") == [(variant, "qaani_ismail", "PERSON")]


def test_bare_ghani_is_not_qaani(gaz: Gazetteer) -> None:
    assert found(gaz, "Ashraf Ghani spoke.") == []


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("met Al-Kazemi today", "Al-Kazemi"),
        ("met al-Kazemi today", "al-Kazemi"),
        ("met Al Kazemi today", "Al Kazemi"),
        ("met AL-KAZEMI today", "AL-KAZEMI"),
        ("met Kazemi today", "Kazemi"),
        ("met Al–Kazemi today", "Al–Kazemi"),  # en dash
        ("met Al-Kadhimi today", "Al-Kadhimi"),
        ("met Mustafa al-Kāẓemi today", "Mustafa al-Kāẓemi"),  # diacritics
    ],
)
def test_article_hyphen_case_and_diacritic_variants(gaz: Gazetteer, text: str, surface: str) -> None:
    assert found(gaz, text) == [(surface, "kazemi_mustafa", "PERSON")]


def test_offsets_slice_the_original_text_with_diacritics_before(gaz: Gazetteer) -> None:
    text = "Ṣūrat ﬁrst — Ismāʿīl Qāʾānī met Pompeo, then Kata’ib Ḥezbollah"
    matches = gaz.find(text)
    for m in matches:
        assert text[m.start : m.end] == m.text
    assert [(m.text, m.canonical_id) for m in matches] == [
        ("Qāʾānī", "qaani_ismail"), ("Pompeo", "pompeo_mike"),
        ("Kata’ib Ḥezbollah", "kataib_hezbollah"),
    ]


def test_longest_match_wins(gaz: Gazetteer) -> None:
    assert found(gaz, "near Baghdad International Airport.") == [
        ("Baghdad International Airport", "baghdad_airport", "LOCATION")
    ]
    assert found(gaz, "the Revolutionary Guards Quds Force commander")[0][1] == "irn_quds_force"
    assert found(gaz, "U.S. military officials")[0] == ("U.S. military", "usa_military", "ARMED_GROUP")


def test_word_boundaries(gaz: Gazetteer) -> None:
    assert found(gaz, "Iraqis and Iranians in Tehrani cafes") == []


def test_cased_aliases_need_their_case(gaz: Gazetteer) -> None:
    assert found(gaz, "the US said") == [("US", "USA", "STATE")]
    assert found(gaz, "let us go") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Washington may close its embassy", ("USA", "STATE")),
        ("talks in Washington ended", ("washington", "LOCATION")),
        ("a visit to Tehran", ("IRN", "STATE")),
        ("his trip to the Tehran", ("IRN", "STATE")),
        ("he flew to Tehran", ("tehran", "LOCATION")),
        ("Tehran has been firm", ("IRN", "STATE")),
        ("demanding Baghdad work to remove", ("IRQ", "STATE")),
        ("arrived from Baghdad", ("baghdad", "LOCATION")),
        ("the Iraqi capital, Baghdad, to discuss", ("baghdad", "LOCATION")),
    ],
)
def test_capital_metonymy_rule(gaz: Gazetteer, text: str, expected: tuple[str, str]) -> None:
    (match,) = gaz.find(text)
    assert (match.canonical_id, match.type) == expected


def test_actor_candidates_format_dedup_and_order(gaz: Gazetteer) -> None:
    article = Article(id="x", text="Pompeo called Al-Kazemi. Pompeo and Mike Pompeo; then Iraq.")
    assert actor_candidates(article, gaz) == [
        {"value": "pompeo_mike — Mike Pompeo"},
        {"value": "kazemi_mustafa — Mustafa Al-Kazemi"},
        {"value": "IRQ — Iraq"},
    ]
    assert actor_candidates(article) == actor_candidates(article, gaz)


def test_extractor_output_validates_on_every_seed(gaz: Gazetteer) -> None:
    onto = load_ontology()
    ex = GazetteerExtractor(gazetteer=gaz)
    articles = [seed(p) for p in ("000", "001", "002", "003", "004")]
    annotations = list(ex.extract(articles))
    assert [a.doc_id for a in annotations] == [a.id for a in articles]
    for annotation, article in zip(annotations, articles, strict=True):
        assert annotation.origin.kind == "extractor"
        assert annotation.origin.name == "gazetteer"
        assert annotation.origin.version
        check_annotation(annotation, onto, article)
        assert annotation.mentions


def test_ambiguous_name_in_dictionary_is_a_config_error(tmp_path: Path) -> None:
    from eventgold.errors import ConfigError

    file = tmp_path / "actors.yaml"
    file.write_text(
        "a_one:\n  name: Ali Hassan\n  type: PERSON\nb_two:\n  name: ali-hassan\n  type: PERSON\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="names both a_one and b_two"):
        Gazetteer(load_actor_dictionary(file))


@given(st.text(max_size=60))
def test_fold_preserves_length(text: str) -> None:
    assert len(fold(text)) == len(text)


NAMES = ["Ismael Qaani", "Al-Kazemi", "Mike Pompeo", "Quds Force", "Washington", "US"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(alphabet=" .,;é—-’\nab", max_size=6), st.sampled_from(NAMES)),
        max_size=6,
    )
)
def test_matches_always_slice_the_text_and_find_every_inserted_name(
    parts: list[tuple[str, str]],
) -> None:
    gaz = load_gazetteer()
    text = "".join(f" {filler} {name} " for filler, name in parts)
    matches = gaz.find(text)
    for m in matches:
        assert text[m.start : m.end] == m.text
    assert [m.start for m in matches] == sorted(m.start for m in matches)
    assert all(a.end <= b.start for a, b in pairwise(matches))
    assert len(matches) >= len(parts)
