"""The rules baseline: finds the seed articles' key events, outputs valid records."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventgold.commands.options import FLAGS
from eventgold.errors import ConfigError
from eventgold.extractors.rules import RulesExtractor, load_lexicon, split_sentences
from eventgold.models import Article, DocumentAnnotation, check_annotation
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_samples

SEEDS = packaged_samples() / "articles"


def seed(prefix: str) -> Article:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return Article(id=path.stem, text=path.read_text(encoding="utf-8").replace("\r\n", "\n"))


@pytest.fixture(scope="module")
def rules() -> RulesExtractor:
    return RulesExtractor()


@pytest.fixture(scope="module")
def outputs(rules: RulesExtractor) -> dict[str, tuple[Article, DocumentAnnotation]]:
    articles = [seed(p) for p in ("000", "001", "002", "003", "004")]
    return {a.id[:3]: (a, ann) for a, ann in zip(articles, rules.extract(articles), strict=True)}


EventRow = tuple[str, str | None, str, list[str], list[str], list[str]]


def events_of(pair: tuple[Article, DocumentAnnotation]) -> list[EventRow]:
    _, ann = pair
    ids = {m.id: m.canonical_id or "" for m in ann.mentions}
    return [
        (
            e.type,
            e.mode,
            e.trigger.text if e.trigger else "",
            [ids[i] for i in e.mentions_in(["actor"])],
            [ids[i] for i in e.mentions_in(["recipient"])],
            [ids[i] for i in e.mentions_in(["location"])],
        )
        for e in ann.events
    ]


def test_meeting_kazemi_ghaani_seed_000(outputs: dict) -> None:
    events = events_of(outputs["000"])
    assert ("CONSULT", None, "met", ["kazemi_mustafa"], ["qaani_ismail"], ["baghdad"]) in events
    # "This meeting between Kazemi and Ghaani"
    assert ("CONSULT", None, "meeting", ["kazemi_mustafa"], ["qaani_ismail"], []) in events


def test_withdrawal_of_500_troops_seed_000(outputs: dict) -> None:
    article, _ = outputs["000"]
    events = events_of(outputs["000"])
    assert ("RETREAT", "withdraw", "withdrawing", ["usa_military"], [], []) in events
    ann = outputs["000"][1]
    (trigger,) = [e.trigger for e in ann.events if e.trigger and e.trigger.text == "withdrawing"]
    assert article.text[trigger.end : trigger.end + 11] == " 500 troops"


def test_visit_of_hussein_to_tehran_seed_002(outputs: dict) -> None:
    events = events_of(outputs["002"])
    visits = [e for e in events if e[:3] == ("CONSULT", "visit", "visit")]
    # "a visit to Tehran": the host government (IRN) is the recipient, as the guidelines ask
    assert any(e[3] == ["hussein_fuad"] and e[4] == ["IRN"] for e in visits), visits


def test_phone_call_pompeo_to_kazemi_seed_004(outputs: dict) -> None:
    events = events_of(outputs["004"])
    # "Al-Kazemi ... received ... a phone call from ... Mike Pompeo": the caller acts
    assert ("CONSULT", "phone", "phone call", ["pompeo_mike"], ["kazemi_mustafa"], []) in events


def test_outputs_are_valid_records_with_unique_ids(outputs: dict, rules: RulesExtractor) -> None:
    onto = load_ontology()
    for article, ann in outputs.values():
        check_annotation(ann, onto, article)
        ids = [m.id for m in ann.mentions] + [e.id for e in ann.events]
        assert len(ids) == len(set(ids))
        assert ann.origin.kind == "extractor"
        assert ann.origin.name == "rules"
        assert ann.origin.version == rules.version
        assert "lexicon." in rules.version and "actors." in rules.version


def test_triggers_inside_actor_names_are_ignored(rules: RulesExtractor) -> None:
    mentions, events = rules.annotate("The Popular Mobilization Forces met Hadi Al-Amiri.")
    assert [e.trigger.text for e in events if e.trigger] == ["met"]
    assert [m.canonical_id for m in mentions] == ["irq_pmf", "amiri_hadi"]


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("Pompeo will visit Baghdad.", ["future"]),
        ("Pompeo did not visit Baghdad.", ["negation"]),
        ("Pompeo visited Baghdad.", []),
    ],
)
def test_future_and_negation_flags(rules: RulesExtractor, text: str, flags: list[str]) -> None:
    _, events = rules.annotate(text)
    assert events[0].flags == flags


def test_baseline_says_so(rules: RulesExtractor) -> None:
    from eventgold.extractors import rules as module

    assert "BASELINE" in rules.description
    assert "BASELINE" in (module.__doc__ or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("The U.S. military left. Then more.", ["The U.S. military left.", "Then more."]),
        ("Gen. Soleimani died. Yes.", ["Gen. Soleimani died.", "Yes."]),
        ("a line\nanother line", ["a line", "another line"]),
        ("no end", ["no end"]),
        ("", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("triggers:\n  - {type: NOPE, patterns: [x]}\n", "not an event type"),
        ("triggers:\n  - {type: CONSULT, mode: drone, patterns: [x]}\n", "not a mode of CONSULT"),
        ("triggers:\n  - {type: CONSULT, patterns: ['(']}\n", "does not compile"),
        ("triggers:\n  - {type: CONSULT, patterns: ['(a)']}\n", "capturing group"),
        ("triggers:\n  - {type: CONSULT, patterns: []}\n", "triggers.0.patterns"),
        (
            "triggers:\n  - {type: CONSULT, patterns: [met]}\npreferred_types: [WIZARD]\n",
            "preferred_types.0: 'WIZARD' is not an actor type",
        ),
        ("triggers:\n  - {type: CONSULT, patterns: [met]}\nplace_types: [TOWN]\n", "place_types.0: 'TOWN'"),
        (
            "triggers:\n  - {type: CONSULT, patterns: [met]}\nflags: [{flag: maybe, pattern: x}]\n",
            "flags.0: 'maybe' is not a flag",
        ),
        (
            "triggers:\n  - {type: CONSULT, patterns: [met]}\nflags: [{flag: future, pattern: '('}]\n",
            "flags.0: pattern '\\(' does not compile",
        ),
    ],
)
def test_bad_lexicon_is_a_config_error(tmp_path: Path, body: str, message: str) -> None:
    file = tmp_path / "lex.yaml"
    file.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_lexicon(file)


def test_custom_lexicon(tmp_path: Path) -> None:
    file = tmp_path / "lex.yaml"
    file.write_text("triggers:\n  - {type: AGREE, patterns: ['shook hands']}\n", encoding="utf-8")
    ex = RulesExtractor(lexicon=file)
    _, events = ex.annotate("Pompeo shook hands with Al-Kazemi and met him.")
    assert [(e.type, e.trigger.text if e.trigger else None) for e in events] == [("AGREE", "shook hands")]


def test_custom_lexicon_names_its_own_types_and_flags(tmp_path: Path) -> None:
    """preferred_types, place_types and flags come from the lexicon, not from code."""
    file = tmp_path / "lex.yaml"
    file.write_text(
        "triggers:\n  - {type: CONSULT, patterns: [met]}\n"
        "preferred_types: [STATE]\nplace_types: []\n"
        "flags: [{flag: hypothetical, pattern: '\\bmight\\s+$'}]\n",
        encoding="utf-8",
    )
    ex = RulesExtractor(lexicon=file)
    mentions, events = ex.annotate("Iraq said Pompeo might met Al-Kazemi in Baghdad.")
    ids = {m.id: m.canonical_id for m in mentions}
    (event,) = events
    assert event.flags == ["hypothetical"]
    # STATE preferred over the nearer PERSON; no place types: Baghdad may be a recipient, never a location
    assert [(role, ids[m]) for role, m in event.role_ids()] == [("actor", "IRQ"), ("recipient", "kazemi_mustafa")]


def test_a_lexicon_without_the_keys_takes_the_packaged_ones(tmp_path: Path) -> None:
    file = tmp_path / "lex.yaml"
    file.write_text("triggers:\n  - {type: CONSULT, patterns: [met]}\n", encoding="utf-8")
    packaged = load_lexicon()
    lexicon = load_lexicon(file)
    assert (lexicon.preferred_types, lexicon.place_types, lexicon.flags) == (
        packaged.preferred_types,
        packaged.place_types,
        packaged.flags,
    )
    # names the ontology lacks are left out of what is taken over
    onto = load_ontology()
    narrowed = type(onto).model_validate({**onto.model_dump(), "flags": ["historical"]})
    assert [c.flag for c in load_lexicon(file, narrowed).flags or ()] == []


def test_roles_follow_the_coder_mapping(tmp_path: Path) -> None:
    """The actor fills the first coder.source role, the recipient the first coder.target role."""
    import yaml

    from eventgold.config import ONTOLOGY_FILE
    from eventgold.resources import packaged_label_config

    raw = yaml.safe_load((packaged_label_config() / ONTOLOGY_FILE).read_text(encoding="utf-8"))
    raw["roles"] = [{"name": "source"}, {"name": "target"}, {"name": "where"}]
    raw["coder"] = {"source": ["source"], "target": ["target"], "location": ["where"]}
    (tmp_path / "o.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    ex = RulesExtractor(ontology=load_ontology(tmp_path / "o.yaml"))
    mentions, events = ex.annotate("Pompeo met Al-Kazemi in Baghdad.")
    ids = {m.id: m.canonical_id for m in mentions}
    assert [(role, ids[m]) for role, m in events[0].role_ids()] == [
        ("source", "pompeo_mike"),
        ("target", "kazemi_mustafa"),
        ("where", "baghdad"),
    ]
    # an ontology without coder.target: the recipient is left out
    raw["coder"] = {"source": ["source"], "location": ["where"]}
    (tmp_path / "o.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    ex = RulesExtractor(ontology=load_ontology(tmp_path / "o.yaml"))
    _, events = ex.annotate("Pompeo met Al-Kazemi in Baghdad.")
    assert [role for role, _ in events[0].role_ids()] == ["source", "where"]


def test_output_on_the_samples_is_unchanged(rules: RulesExtractor) -> None:
    """The seed articles give exactly the events recorded before roles came from the ontology (#15).

    ``data/rules_samples.jsonl`` was written by the rules extractor of schema 1.0
    (fixed actor / recipient / location lists); the roles now come through the
    coder mapping, flags and mention types through the lexicon, and nothing moved.
    If the lexicon or actors.yaml changes on purpose, regenerate the file.
    """
    import json

    onto = load_ontology()
    got = []
    for path in sorted(SEEDS.glob("*.txt")):
        article = seed(path.name[:3])
        mentions, events = rules.annotate(article.text)
        ids = {m.id: [m.canonical_id, m.type, m.start, m.end] for m in mentions}
        for e in events:
            assert e.trigger is not None
            got.append({
                "doc": article.id, "type": e.type, "mode": e.mode, "trigger": [e.trigger.start, e.trigger.end],
                "actor": [ids[i] for i in e.mentions_in(onto.coder.source)],
                "recipient": [ids[i] for i in e.mentions_in(onto.coder.target)],
                "location": [ids[i] for i in e.mentions_in(onto.coder.location)],
                "flags": e.flags,
            })  # fmt: skip
    golden = Path(__file__).parent / "data" / "rules_samples.jsonl"
    expected = [json.loads(line) for line in golden.read_text(encoding="utf-8").splitlines()]
    assert len(got) == len(expected) == 97
    assert got == expected


def test_a_lexicon_of_another_ontology_is_refused_in_one_line_saying_what_to_do() -> None:
    from tests.unit.ace_fixtures import ACE

    with pytest.raises(ConfigError) as info:
        load_lexicon(ontology=ACE)
    message = str(info.value)
    assert "(ACCUSE, AGREE, AID, ASSAULT, COERCE, ...) are each not an event type of the ontology ACE2005" in message
    assert "(lexicon=PATH, shaped like" in message and "\n" not in message
    assert "(--lexicon FILE, shaped like" in info.value.render(FLAGS)
