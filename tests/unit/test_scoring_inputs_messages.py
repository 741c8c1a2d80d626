"""What ``load_gold`` and ``load_predictions`` say about each kind of bad line, word for word.

The readers validate whole lines in one pass and word errors on a slower path;
these cases pin the words (file, line, document, record, field, what to do) of
every path a line can take: bad JSON, a bad field, an id read twice (alike or
not), offsets that need a repair, labels the ontology lacks.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eventgold.errors import RecordError
from eventgold.ontology import load_ontology
from eventgold.records_io import DuplicateIdError
from eventgold.scoring.inputs import load_gold, load_predictions

TEXT = "Pompeo met Al-Kazemi in Baghdad."

Doc = dict[str, Any]
Change = Callable[[list[Doc]], list[str]]


def _units() -> tuple[list[Doc], list[Doc]]:
    mentions = [
        {"id": "m1", "type": "PERSON", "start": 0, "end": 6, "text": "Pompeo"},
        {"id": "m2", "type": "PERSON", "start": 11, "end": 20, "text": "Al-Kazemi"},
    ]
    events = [
        {
            "id": "e1",
            "type": "CONSULT",
            "trigger": {"start": 7, "end": 10, "text": "met"},
            "arguments": [{"role": "actor", "mention": "m1"}, {"role": "recipient", "mention": "m2"}],
        }
    ]
    return mentions, events


def _gold(doc_id: str) -> Doc:
    mentions, events = _units()
    return {"article": {"id": doc_id, "text": TEXT}, "mentions": mentions, "events": events, "split": "test"}


def _pred(doc_id: str) -> Doc:
    mentions, events = _units()
    return {"doc_id": doc_id, "origin": {"kind": "extractor", "name": "rules"}, "mentions": mentions, "events": events}


def _lines(docs: list[Doc]) -> list[str]:
    return [json.dumps(d) for d in docs]


def _units_of(doc: Doc) -> tuple[list[Doc], list[Doc]]:
    return doc["mentions"], doc["events"]


def _set(path: str, value: Any) -> Change:
    """Set ``path`` (dotted, list indices as numbers) in the second document."""

    def change(docs: list[Doc]) -> list[str]:
        *parents, last = path.split(".")
        node: Any = docs[1]
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
        return _lines(docs)

    return change


def _replace_line(text: str) -> Change:
    def change(docs: list[Doc]) -> list[str]:
        lines = _lines(docs)
        lines[1] = text
        return lines

    return change


def _repeat(reorder: bool, differ: bool) -> Change:
    def change(docs: list[Doc]) -> list[str]:
        again = json.loads(json.dumps(docs[0]))
        if differ:
            _units_of(again)[0][0]["type"] = "STATE"
        lines = _lines(docs)
        lines.append(json.dumps(again, sort_keys=reorder, indent=None if not reorder else 0).replace("\n", " "))
        return lines

    return change


def _legacy_event(docs: list[Doc]) -> list[str]:
    event = _units_of(docs[1])[1][0]
    del event["arguments"]
    event["actors"] = ["m1"]
    event["recipients"] = ["m2"]
    return _lines(docs)


# (case id, change, the error's type, or None for a file that reads, and its words)
BAD_LINES: list[tuple[str, Change, type[Exception], str]] = [
    (
        "not-json",
        _replace_line("{not json"),
        RecordError,
        "{file}:2: invalid JSON at column 2: Expecting property name enclosed in double quotes",
    ),
    (
        "truncated",
        _replace_line('{"doc_id": "d2"'),
        RecordError,
        "{file}:2: invalid JSON at column 1: Expecting ',' delimiter",
    ),
    (
        "nan",
        _set("mentions.0.score", float("nan")),
        RecordError,
        "{file}:2: NaN is not a JSON number (strict JSON "
        "has no NaN or Infinity); write null for a missing value, or a finite number",
    ),
    (
        "not-an-object",
        _replace_line("[1, 2]"),
        RecordError,
        "{file}:2: Input should be a valid dictionary or instance of {model} (got [1, 2])",
    ),
    (
        "end-before-start",
        _set("mentions.1.start", 30),
        RecordError,
        "{file}:2, document 'd2', field 'mentions.1': end (20) is before start (30)",
    ),
    (
        "length",
        _set("mentions.1.text", "Al-Kazem"),
        RecordError,
        "{file}:2, document 'd2', field 'mentions.1': text has 8 characters but the span covers 9 (11..20)",
    ),
    (
        "negative",
        _set("mentions.0.start", -1),
        RecordError,
        "{file}:2, document 'd2', field 'mentions.0.start': Input should be greater than or equal to 0 (got -1)",
    ),
    (
        "unknown-field",
        _set("mentions.0.colour", "red"),
        RecordError,
        "{file}:2, document 'd2', field "
        "'mentions.0.colour': unknown field (check its spelling against the record's fields) (got 'red')",
    ),
    (
        "missing-field",
        _set("events.0.type", None),
        RecordError,
        "{file}:2, document 'd2', field 'events.0.type': Input should be a valid string",
    ),
    (
        "id-twice",
        _set("mentions.1.id", "m1"),
        RecordError,
        "{file}:2, document 'd2', record 'm1', field 'id': id is not unique in the document (got 'm1')",
    ),
    (
        "dangling-argument",
        _set("events.0.arguments.1.mention", "m9"),
        RecordError,
        "{file}:2, document 'd2', record "
        "'e1', field 'arguments': argument 'recipient' refers to a mention that is not in the document (got 'm9')",
    ),
    (
        "legacy-role-field",
        _set("events.0.actors", "m1"),
        RecordError,
        "{file}:2, document 'd2', record 'e1', field "
        "'events.0.actors': schema 1.0 field 'actors' must be a list of mention ids, not str (schema 1.1 writes "
        "arguments: a list of {{role, mention}}) (got 'm1')",
    ),
    (
        "different-repeat",
        _repeat(reorder=False, differ=True),
        DuplicateIdError,
        "{file}: lines 1 and 3 hold two different {records}; {hint}",
    ),
    (
        "unknown-type",
        _set("mentions.0.type", "ROBOT"),
        RecordError,
        "{file}:2, document 'd2', record 'm1', field "
        "'type': unknown actor type; allowed: ARMED_GROUP, GROUP, LOCATION, ORGANIZATION, PERSON, STATE (got 'ROBOT')",
    ),
    (
        "unknown-event",
        _set("events.0.type", "PARTY"),
        RecordError,
        "{file}:2, document 'd2', record 'e1', field "
        "'type': unknown event type; allowed: ACCUSE, AGREE, AID, ASSAULT, COERCE, CONCEDE, CONSULT, COOPERATE, "
        "MOBILIZE, PROTEST, REJECT, REQUEST, RETREAT, SANCTION, SUPPORT, THREATEN (got 'PARTY')",
    ),
    (
        "bad-mode",
        _set("events.0.mode", "allege"),
        RecordError,
        "{file}:2, document 'd2', record 'e1', field 'mode': "
        "mode does not belong to CONSULT; allowed: visit, third-party, multilateral, phone (got 'allege')",
    ),
    (
        "unknown-context",
        _set("events.0.contexts", ["military", "space"]),
        RecordError,
        "{file}:2, document 'd2', "
        "record 'e1', field 'contexts': unknown context; see the ontology's contexts (got 'space')",
    ),
    (
        "unknown-flag",
        _set("events.0.flags", ["rumour"]),
        RecordError,
        "{file}:2, document 'd2', record 'e1', field "
        "'flags': flag not in the ontology; allowed: historical, future, hypothetical, negation (got 'rumour')",
    ),
    (
        "unknown-role",
        _set("events.0.arguments.0.role", "victim"),
        RecordError,
        "{file}:2, document 'd2', record "
        "'e1', field 'arguments': unknown role 'victim'; allowed: actor, recipient, location (got 'victim=m1')",
    ),
    (
        "whitespace-differs",
        _set("mentions.0", {"id": "m1", "type": "PERSON", "start": 0, "end": 10, "text": "Pompeo\tmet"}),
        RecordError,
        "{file}:2, document 'd2', "
        "record 'm1', field 'text': text[0:10] is 'Pompeo met', not the stored span text (got 'Pompeo\\tmet')",
    ),
    (
        "unknown-sector",
        _set("mentions.0.sector", "XYZ"),
        RecordError,
        "{file}:2, document 'd2', record 'm1', field 'sector': unknown sector; see the ontology's sectors (got 'XYZ')",
    ),
]
PRED_ONLY: list[tuple[str, Change, type[Exception], str]] = [
    (
        "past-the-end",
        _set("mentions.1", {"id": "m2", "type": "PERSON", "start": 30, "end": 40, "text": "Al-Kazemi."}),
        RecordError,
        "{file}:2, document 'd2', record 'm2', field 'start': offsets 30..40 run past the end of the text "
        "(32 characters) and fit no other offset unit for 'Al-Kazemi.'",
    ),
    (
        "no-unit-fits",
        _set("mentions.1.text", "Al-Kazemo"),
        RecordError,
        "{file}:2, document 'd2', record 'm2', field "
        "'start': offsets 11..20 slice 'Al-Kazemi' from the task text, but the region says 'Al-Kazemo', and no other "
        "offset unit (UTF-16, CRLF, whitespace) fits",
    ),
    (
        "blank",
        _set("mentions.1", {"id": "m2", "type": "PERSON", "start": 6, "end": 7, "text": " "}),
        RecordError,
        "{file}:2, document 'd2', record 'm2', field 'start': region 6..7 holds only whitespace",
    ),
    (
        "unknown-relevance",
        _set("relevance", "maybe"),
        RecordError,
        "{file}:2, document 'd2', field 'relevance': "
        "unknown relevance; allowed: relevant, not_relevant, duplicate (got 'maybe')",
    ),
]
GOLD_ONLY: list[tuple[str, Change, type[Exception], str]] = [
    (
        "past-the-end",
        _set("mentions.1", {"id": "m2", "type": "PERSON", "start": 30, "end": 40, "text": "Al-Kazemi."}),
        RecordError,
        "{file}:2, document 'd2', record 'm2', field 'start': offsets 30..40 run past the end of the text "
        "(32 characters) (got 40)",
    ),
    (
        "slice",
        _set("mentions.1.text", "Al-Kazemo"),
        RecordError,
        "{file}:2, document 'd2', record 'm2', field 'text': "
        "text[11:20] is 'Al-Kazemi', not the stored span text (got 'Al-Kazemo')",
    ),
    (
        "sha",
        _set("article.content_sha", "0" * 64),
        RecordError,
        "{file}:2, document 'd2', field 'content_sha': "
        "content_sha is not the sha256 of text; the text was edited after ingest (re-run `eventgold ingest`, or drop "
        "content_sha to recompute it) (got '0000000000000000000000000000000000000000000000000000000000000000')",
    ),
]

WHICH = {
    "gold": ("gold.jsonl", _gold, "GoldDocument", "gold documents with id 'd1'"),
    "pred": ("rules.jsonl", _pred, "DocumentAnnotation", "annotations of document 'd1'"),
}
HINTS = {
    "gold": "gold holds one document per article: remove one of them (or rebuild the gold version)",
    "pred": "one extractor's predictions hold one annotation per document: remove one of them "
    "(or give each origin a file of its own)",
}


def _read(which: str, tmp_path: Path, lines: list[str]) -> list[Any]:
    file, _make, _, _ = WHICH[which]
    path = tmp_path / file
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    onto = load_ontology()
    if which == "gold":
        return load_gold(path, onto)
    articles = {g["article"]["id"]: _article(g) for g in (_gold("d1"), _gold("d2"))}
    return load_predictions(path, articles=articles, ontology=onto).annotations


def _article(doc: Doc) -> Any:
    from eventgold.models import Article

    return Article.model_validate(doc["article"])


CASES = [
    pytest.param(which, change, error, words, id=f"{which}-{name}")
    for which, extra in (("gold", GOLD_ONLY), ("pred", PRED_ONLY))
    for name, change, error, words in [*BAD_LINES, *extra]
]


@pytest.mark.parametrize(("which", "change", "error", "words"), CASES)
def test_each_bad_line_is_worded_as_before(
    tmp_path: Path, which: str, change: Change, error: type[Exception], words: str
) -> None:
    file, make, model, records = WHICH[which]
    lines = change([make("d1"), make("d2")])
    with pytest.raises(error) as info:
        _read(which, tmp_path, lines)
    assert str(info.value) == words.format(file=tmp_path / file, model=model, records=records, hint=HINTS[which])


@pytest.mark.parametrize("which", ["gold", "pred"])
@pytest.mark.parametrize("reorder", [False, True], ids=["same-text", "keys-reordered"])
def test_an_exact_repeat_is_read_once_with_the_same_warning(tmp_path: Path, which: str, reorder: bool) -> None:
    file, make, _, _ = WHICH[which]
    lines = _repeat(reorder=reorder, differ=False)([make("d1"), make("d2")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = _read(which, tmp_path, lines)
    assert len(records) == 2
    noun = "gold document 'd1'" if which == "gold" else "annotation of document 'd1'"
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / file}: line 3 repeats line 1 exactly ({noun}); read once — delete the repeat"
    ]


@pytest.mark.parametrize(
    ("where", "start", "end", "expected"),
    [
        pytest.param("mentions.0", 0, 7, (0, 6, "Pompeo"), id="mention-trailing-blank"),
        pytest.param("mentions.1", 10, 20, (11, 20, "Al-Kazemi"), id="mention-leading-blank"),
        pytest.param("events.0.trigger", 6, 11, (7, 10, "met"), id="trigger-both-ends"),
    ],
)
def test_offsets_that_need_a_repair_are_repaired_and_counted(
    tmp_path: Path, where: str, start: int, end: int, expected: tuple[int, int, str]
) -> None:
    docs = [_pred("d1"), _pred("d2")]
    for field, value in (("start", start), ("end", end), ("text", TEXT[start:end])):
        _set(f"{where}.{field}", value)(docs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        annotations = _read("pred", tmp_path, _lines(docs))
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / 'rules.jsonl'}: 1 span(s) read after an unambiguous offset repair (trim 1; see eventgold.offsets)"
    ]
    repaired = annotations[1]
    index = int(where.split(".")[1])
    span = repaired.events[0].trigger if where.startswith("events") else repaired.mentions[index]
    assert span is not None
    assert (span.start, span.end, span.text) == expected
    assert annotations[0].mentions[0].text == "Pompeo"  # the first document needed no repair


@pytest.mark.parametrize("which", ["gold", "pred"])
def test_legacy_events_and_odd_but_valid_lines_read_as_before(tmp_path: Path, which: str) -> None:
    _file, make, _, _ = WHICH[which]
    docs = [make("d1"), make("d2")]
    lines = _legacy_event(docs)
    docs = [make("d1"), make("d2")]
    _units_of(docs[0])[0][0]["score"] = 1e400 if which == "gold" else None  # read as inf, as json does
    lines[0] = json.dumps(docs[0]).replace("Infinity", "1e400")
    lines.insert(1, "   ")  # blank lines are skipped
    records = _read(which, tmp_path, lines)
    assert [(a.role, a.mention) for a in records[1].events[0].arguments] == [("actor", "m1"), ("recipient", "m2")]
    assert (records[0].mentions[0].score == float("inf")) is (which == "gold")
