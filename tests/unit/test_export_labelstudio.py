"""``eventgold export --format labelstudio``: a gold version as Label Studio tasks.

No server here (the real round trip through Label Studio is
tests/integration/test_export_labelstudio.py): the tasks file is read back with the
reader ``push`` uses (:func:`eventgold.labelstudio.tasks_file.read_tasks_file`) and adjudicated
with ``--policy ground-truth`` in memory; ``push`` itself sending the file's tasks is
tests/unit/test_labelstudio_push_tasks_file.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.errors import ConfigError
from eventgold.export.labelstudio import TASKS_FILE, not_carried
from eventgold.export.run import export_gold
from eventgold.extractors.gazetteer import actor_candidates, load_gazetteer
from eventgold.gold.adjudicate import adjudicate, gold_units
from eventgold.gold.dataset import read_gold_version
from eventgold.gold.units import role_order
from eventgold.labelstudio.convert import TASK_KEYS, annotation_to_results, article_to_task_data
from eventgold.labelstudio.tasks_file import read_tasks_file
from eventgold.models import (
    SPLITS,
    Article,
    DocumentAnnotation,
    Event,
    GoldDocument,
    Mention,
    Origin,
    Provenance,
)
from eventgold.readers import read_predictions
from eventgold.resources import packaged_samples

from .export_fixtures import ONTOLOGY, event, mention, train_doc, write_gold

ORDER = role_order(ONTOLOGY)  # gold events list their arguments in the ontology's role order

SAMPLE = packaged_samples() / "gold" / "v1"

MentionKey = tuple[Any, ...]


def units(mentions: Iterable[Mention], events: Iterable[Event]) -> tuple[Counter[MentionKey], Counter[Any]]:
    """What a gold document says, ids left out: mentions with their attributes, events with theirs and roles."""
    mentions = list(mentions)
    key = {m.id: (m.start, m.end, m.text, m.type, m.canonical_id, m.country, m.sector) for m in mentions}
    return Counter(key.values()), Counter(
        (
            e.type,
            (e.trigger.start, e.trigger.end, e.trigger.text) if e.trigger else None,
            e.mode,
            e.date,
            tuple(sorted(e.contexts)),
            tuple(sorted(e.flags)),
            tuple(sorted((role, key[mid]) for role, mid in e.role_ids())),
        )
        for e in events
    )


def carried(doc: GoldDocument) -> tuple[Counter[MentionKey], Counter[Any]]:
    """The units of ``doc`` a Label Studio task can hold (offsets needed; roles to spanless mentions dropped)."""
    spanless = {m.id for m in doc.mentions if not m.has_span}
    events = [
        e.model_copy(update={"arguments": [a for a in e.arguments if a.mention not in spanless]})
        for e in doc.events
        if e.trigger is not None
    ]
    return units([m for m in doc.mentions if m.has_span], events)


def rebuilt_gold(tasks_json: Path) -> dict[str, tuple[Counter[MentionKey], Counter[Any]]]:
    """Read the tasks as ``push`` does and adjudicate their annotations with ``--policy ground-truth``."""
    tasks = read_tasks_file(tasks_json, ONTOLOGY)
    annotations = [a for found in tasks.annotations.values() for a in found]
    assert all(a.ground_truth for a in annotations)
    result = adjudicate(tasks.articles, annotations, ("ground-truth",), ontology=ONTOLOGY)
    assert result.conflicts == [] and result.decisions == Counter({"ground-truth": len(tasks.articles)})
    return {d.doc_id: units(d.mentions, d.events) for d in result.documents}


def load_tasks(folder: Path) -> list[dict[str, Any]]:
    tasks = json.loads((folder / TASKS_FILE).read_text(encoding="utf-8"))
    assert isinstance(tasks, list)
    return tasks


# ---------------------------------------------------------------------------
# the packaged sample gold
# ---------------------------------------------------------------------------


def test_sample_gold_becomes_one_task_per_document_with_push_task_data(tmp_path: Path) -> None:
    gold = read_gold_version(SAMPLE, ONTOLOGY)
    summary = export_gold(SAMPLE, "labelstudio", tmp_path / "ls")
    assert summary.files == ["manifest.json", TASKS_FILE] and summary.warnings == []
    tasks = load_tasks(tmp_path / "ls")
    ordered = [d for split in SPLITS for d in gold.documents if d.split == split]
    assert [t["data"]["doc_id"] for t in tasks] == [d.doc_id for d in ordered]
    gazetteer = load_gazetteer()
    for task, doc in zip(tasks, ordered, strict=True):
        assert set(task) == {"data", "annotations"}
        assert tuple(task["data"]) == TASK_KEYS
        candidates = actor_candidates(doc.article, gazetteer)
        assert task["data"] == article_to_task_data(doc.article, candidates)  # what `push` makes of the article
        [annotation] = task["annotations"]
        assert annotation["ground_truth"] is True and annotation["was_cancelled"] is False
        assert "completed_by" not in annotation  # Label Studio records the importing user
        by_id = {c["value"].split(" — ")[0]: c["value"] for c in candidates}
        gold_ann = DocumentAnnotation(
            doc_id=doc.doc_id, origin=Origin(kind="adjudicator", name="x"), mentions=doc.mentions, events=doc.events
        )
        assert annotation["result"] == annotation_to_results(gold_ann, doc.article.text, candidates=by_id)
        regions = {r["id"] for r in annotation["result"] if "id" in r}
        assert regions == {m.id for m in doc.mentions} | {e.id for e in doc.events}  # gold ids as region ids
    manifest = json.loads((tmp_path / "ls" / "manifest.json").read_text())
    assert manifest["format"] == "labelstudio" and manifest["gold"]["version"] == "v1"
    assert manifest["labelstudio"]["gold_as"] == "annotations" and manifest["labelstudio"]["ground_truth"] is True
    assert manifest["not_carried"] == [] and manifest["actor_dictionary"]["path"] == "actors.yaml"
    assert {s: c["records"] for s, c in manifest["splits"].items()} == {"train": 3, "dev": 1, "test": 1}


def test_sample_gold_reads_back_through_push_into_the_same_gold(tmp_path: Path) -> None:
    gold = read_gold_version(SAMPLE, ONTOLOGY)
    export_gold(SAMPLE, "labelstudio", tmp_path / "ls")
    tasks = read_tasks_file(tmp_path / "ls" / TASKS_FILE, ONTOLOGY)
    annotations = [a for found in tasks.annotations.values() for a in found]
    result = adjudicate(tasks.articles, annotations, ("ground-truth",), ontology=ONTOLOGY)
    rebuilt = {d.doc_id: d for d in result.documents}
    assert sorted(rebuilt) == sorted(d.doc_id for d in gold.documents)
    for doc in gold.documents:
        # gold unit ids derive from the units, so even the ids come back
        assert rebuilt[doc.doc_id].mentions == doc.mentions
        assert rebuilt[doc.doc_id].events == doc.events
        assert tasks.articles[doc.doc_id].text == doc.article.text


def test_as_predictions_names_the_gold_version(tmp_path: Path) -> None:
    gold = read_gold_version(SAMPLE, ONTOLOGY)
    assert main(["export", str(SAMPLE), "-f", "labelstudio", "-o", str(tmp_path / "p"), "--as-predictions"]) == 0
    tasks = load_tasks(tmp_path / "p")
    assert all(set(t) == {"data", "predictions"} and len(t["predictions"]) == 1 for t in tasks)
    assert {t["predictions"][0]["model_version"] for t in tasks} == {"gold@v1"}
    assert all("score" not in t["predictions"][0] for t in tasks)  # the gold has no scores
    export_gold(SAMPLE, "labelstudio", tmp_path / "a")
    by_doc = {t["data"]["doc_id"]: t for t in load_tasks(tmp_path / "a")}
    for task in tasks:  # the same result JSON either way
        assert task["predictions"][0]["result"] == by_doc[task["data"]["doc_id"]]["annotations"][0]["result"]
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert manifest["labelstudio"] | {"import": None} == {
        "tasks_file": TASKS_FILE,
        "gold_as": "predictions",
        "ground_truth": False,
        "model_version": "gold@v1",
        "import": None,
    }
    # push's reader and score's reader both give the gold's units back
    read = read_tasks_file(tmp_path / "p" / TASKS_FILE, ONTOLOGY)
    assert read.annotations == {}
    articles = {d.doc_id: d.article for d in gold.documents}
    scored = {a.doc_id: a for a in read_predictions(tmp_path / "p" / TASKS_FILE, articles=articles)}
    for doc in gold.documents:
        [prediction] = read.predictions[doc.doc_id]
        assert (prediction.origin.name, prediction.origin.version) == ("gold", "v1")
        assert gold_units(doc.doc_id, prediction, ORDER) == (doc.mentions, doc.events)
        assert gold_units(doc.doc_id, scored[doc.doc_id], ORDER) == (doc.mentions, doc.events)


def test_as_predictions_is_for_labelstudio_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError, match="as_predictions applies to fmt='labelstudio' only, not plover"):
        export_gold(SAMPLE, "plover", tmp_path / "x", as_predictions=True)
    assert main(["export", str(SAMPLE), "-f", "conll", "-o", str(tmp_path / "y"), "--as-predictions"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--as-predictions applies to --format labelstudio only, not conll" in err[0]
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


@pytest.mark.parametrize("as_predictions", [False, True], ids=["annotations", "predictions"])
def test_re_export_is_byte_identical_and_unchanged(tmp_path: Path, as_predictions: bool) -> None:
    first = export_gold(SAMPLE, "labelstudio", tmp_path / "a", as_predictions=as_predictions)
    export_gold(SAMPLE, "labelstudio", tmp_path / "b", as_predictions=as_predictions)
    assert first.status == "written"
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["manifest.json", TASKS_FILE]
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in files)
    again = export_gold(SAMPLE, "labelstudio", tmp_path / "a", as_predictions=as_predictions)
    assert again.status == "unchanged"
    other = export_gold(SAMPLE, "labelstudio", tmp_path / "a", as_predictions=not as_predictions)
    assert other.status == "written"  # the other mode replaces the earlier export whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]  # no temporary folder left


def test_tasks_file_is_one_task_per_line(tmp_path: Path) -> None:
    export_gold(SAMPLE, "labelstudio", tmp_path / "ls")
    lines = (tmp_path / "ls" / TASKS_FILE).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 5 + 2
    assert all(json.loads(line.rstrip(","))["data"]["doc_id"] for line in lines[1:-1])


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(SAMPLE), "-f", "labelstudio", "-o", str(tmp_path / "ls"), "--json", "-"]) == 0
    captured = capsys.readouterr()
    payload = json.loads(captured.out)  # stdout holds only the JSON
    assert payload["schema_version"] and payload["format"] == "labelstudio" and payload["status"] == "written"
    assert payload["files"] == ["manifest.json", TASKS_FILE] and payload["cut_spans"] == 0
    assert payload["splits"]["train"] == {
        "documents": 3, "tokens": 0, "mentions": 29, "events": 14, "records": 3, "cut": 0, "split_tokens": 0,
    }  # fmt: skip
    report = tmp_path / "r.json"
    assert main(["export", str(SAMPLE), "-f", "labelstudio", "-o", str(tmp_path / "ls"), "--json", str(report)]) == 0
    assert json.loads(report.read_text())["status"] == "unchanged"
    assert "labelstudio export of gold v1" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# edge cases
# ---------------------------------------------------------------------------

EMOJI_TEXT = "🇮🇶 Iraq’s PM 😀 met Pompeo in Baghdad. مُحَمَّد said “no” 👍🏽 to Tehran."


def _article(doc_id: str, text: str) -> Article:
    return Article(id=doc_id, title="t " + doc_id, text=text, source="wire", published=dt.date(2020, 11, 22))


def no_units() -> list[GoldDocument]:
    return [GoldDocument(article=_article("empty", "Nothing happened today."), split="train")]


def overlapping() -> list[GoldDocument]:
    t = "Iraqi officials met Pompeo in Baghdad and attacked, then struck back."
    return [
        GoldDocument(
            article=_article("overlap", t),
            mentions=[
                mention(t, "m1", "Iraqi officials", "GROUP"),
                mention(t, "m2", "Iraqi", "STATE", canonical_id="IRQ"),  # nested in m1
                mention(t, "m3", "Baghdad", "LOCATION", canonical_id="baghdad"),
                mention(t, "m4", "Baghdad", "STATE", canonical_id="IRQ", country="IRQ"),  # same offsets, other type
                mention(t, "m5", "Pompeo", "PERSON", canonical_id="pompeo_mike", sector="GOV"),
            ],
            events=[
                event(t, "e1", "met", "CONSULT", mode="visit", actors=["m5"], recipients=["m1"], locations=["m3"]),
                event(t, "e2", "met", "COOPERATE", actors=["m1", "m2"]),  # same trigger, other type
                event(t, "e3", "attacked, then struck", "ASSAULT", actors=["m1"], flags=["hypothetical"]),
                event(t, "e4", "struck back", "ASSAULT", recipients=["m4"], flags=["future", "negation"]),
            ],
            split="dev",
        )
    ]


def emoji() -> list[GoldDocument]:
    t = EMOJI_TEXT
    return [
        GoldDocument(
            article=_article("emoji-ü", t),
            mentions=[
                mention(t, "m1", "Iraq", "STATE", canonical_id="IRQ"),
                mention(t, "m2", "Pompeo", "PERSON", canonical_id="pompeo_mike"),
                mention(t, "m3", "مُحَمَّد", "PERSON", canonical_id="typed-id-not-in-dictionary"),
                mention(t, "m4", "Tehran", "STATE", canonical_id="IRN"),
                mention(t, "m5", "Baghdad", "LOCATION"),
            ],
            events=[
                event(
                    t,
                    "e1",
                    "met",
                    "CONSULT",
                    actors=["m2"],
                    recipients=["m1"],
                    locations=["m5"],
                    date=dt.date(2020, 11, 21),
                    contexts=["diplomatic"],
                ),
                event(t, "e2", "said “no” 👍🏽", "REJECT", actors=["m3"], recipients=["m4"]),
            ],
            split="test",
        )
    ]


def one_split_only() -> list[GoldDocument]:
    return [d.model_copy(update={"split": "train"}) for d in (*overlapping(), *emoji())]


def spanless() -> list[GoldDocument]:
    return [train_doc()]  # Kata'ib Hezbollah without offsets (an actor of e3), e4 without a trigger


EDGES: dict[str, Callable[[], list[GoldDocument]]] = {
    "no-units": no_units,
    "overlapping": overlapping,
    "emoji": emoji,
    "empty-splits": one_split_only,
    "spanless": spanless,
}


@pytest.mark.parametrize("case", list(EDGES))
@pytest.mark.parametrize("as_predictions", [False, True], ids=["annotations", "predictions"])
def test_edge_cases_round_trip(tmp_path: Path, case: str, as_predictions: bool) -> None:
    docs = sorted(EDGES[case](), key=lambda d: d.doc_id)  # gold order
    gold = write_gold(tmp_path / "gold" / "v3", docs, version="v3")
    summary = export_gold(gold, "labelstudio", tmp_path / "ls", as_predictions=as_predictions)
    tasks = load_tasks(tmp_path / "ls")
    assert [t["data"]["doc_id"] for t in tasks] == [d.doc_id for s in SPLITS for d in docs if d.split == s]
    for split in SPLITS:
        count = sum(d.split == split for d in docs)
        assert summary.splits[split].documents == summary.splits[split].records == count
        assert (f"split {split!r} has no documents" in " ".join(summary.warnings)) == (count == 0)
    key = "predictions" if as_predictions else "annotations"
    for task in tasks:
        text = task["data"]["text"]
        [item] = task[key]
        for r in item["result"]:  # offsets are Python str indices into the task text
            if r["type"] == "labels":  # (a per-region text area's value.text is what was typed)
                assert text[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]
    lost = [entry for d in docs for entry in not_carried(d)]
    manifest = json.loads((tmp_path / "ls" / "manifest.json").read_text())
    assert manifest["not_carried"] == lost
    assert any("cannot be Label Studio regions" in w for w in summary.warnings) == bool(lost)
    read = read_tasks_file(tmp_path / "ls" / TASKS_FILE, ONTOLOGY)
    if as_predictions:
        back = {doc_id: units(*gold_units(doc_id, p)) for doc_id, [p] in read.predictions.items()}
        assert {p.origin.version for [p] in read.predictions.values()} == {"v3"}
    else:
        back = rebuilt_gold(tmp_path / "ls" / TASKS_FILE)
    assert back == {d.doc_id: carried(d) for d in docs}


def test_what_cannot_be_a_region_is_listed() -> None:
    lost = not_carried(train_doc())
    assert [(e["kind"], e["id"], e["label"]) for e in lost] == [
        ("mention", "m7", "ARMED_GROUP"),
        ("role", "e3:actor:m7", "actor"),
        ("event", "e4", "ACCUSE"),
    ]
    assert all(e["doc_id"] == "t01" and e["split"] == "train" and e["reason"] for e in lost)


def test_emoji_offsets_are_code_points(tmp_path: Path) -> None:
    gold = write_gold(tmp_path / "gold", emoji())
    export_gold(gold, "labelstudio", tmp_path / "ls")
    [task] = load_tasks(tmp_path / "ls")
    result = task["annotations"][0]["result"]
    regions = {(r["from_name"], EMOJI_TEXT[r["value"]["start"] : r["value"]["end"]]): r["value"] for r in result
               if "value" in r and "start" in r["value"]}  # fmt: skip
    iraq = regions[("actor", "Iraq")]
    # the flag before it is two code points (four UTF-16 units): Python indices are written, as Label Studio counts
    assert (iraq["start"], iraq["end"]) == (EMOJI_TEXT.index("Iraq"), EMOJI_TEXT.index("Iraq") + 4) == (3, 7)
    assert regions[("event", "said “no” 👍🏽")]["text"] == "said “no” 👍🏽"
    assert regions[("actor_id_other", "مُحَمَّد")]["text"] == ["typed-id-not-in-dictionary"]
    assert regions[("actor_id", "Pompeo")]["choices"][0].startswith("pompeo_mike — ")


def test_all_splits_empty_gives_an_empty_list(tmp_path: Path) -> None:
    docs = [d.model_copy(update={"split": None}) for d in overlapping()]
    gold = write_gold(tmp_path / "gold", docs)
    summary = export_gold(gold, "labelstudio", tmp_path / "ls")
    assert (tmp_path / "ls" / TASKS_FILE).read_text() == "[]\n"
    assert summary.unsplit_documents == 1 and all(c.records == 0 for c in summary.splits.values())
    assert read_tasks_file(tmp_path / "ls" / TASKS_FILE, ONTOLOGY).articles == {}


def test_split_option_exports_only_those_splits(tmp_path: Path) -> None:
    export_gold(SAMPLE, "labelstudio", tmp_path / "ls", ["dev", "test"])
    tasks = load_tasks(tmp_path / "ls")
    gold = read_gold_version(SAMPLE, ONTOLOGY)
    assert [t["data"]["doc_id"] for t in tasks] == [
        d.doc_id for s in ("dev", "test") for d in gold.documents if d.split == s
    ]


def test_provenance_does_not_change_the_tasks(tmp_path: Path) -> None:
    [doc] = overlapping()
    other = doc.model_copy(update={"provenance": {"m1": Provenance(annotators=["z"], decision="single:z")}})
    export_gold(write_gold(tmp_path / "g1", [doc]), "labelstudio", tmp_path / "a")
    export_gold(write_gold(tmp_path / "g2", [other]), "labelstudio", tmp_path / "b")
    assert (tmp_path / "a" / TASKS_FILE).read_bytes() == (tmp_path / "b" / TASKS_FILE).read_bytes()
