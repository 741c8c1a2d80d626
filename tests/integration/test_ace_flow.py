"""Another ontology end to end: ACE 2005 on a real Label Studio, without code changes.

A project made with ``eventgold init --ontology ace2005`` renders ACE's labeling
config, pushes two articles, and two annotators (real accounts, annotations
posted through the API) tag them with ACE roles:

=======  ===========================================  ==============================
doc      both annotators                              where they differ
=======  ===========================================  ==============================
kirkuk   Attack "attacked": Attacker Rebels, Target   (nothing)
         army base, Place Kirkuk; Die "died": Victim
         soldiers
mosul    Attack "shot": Attacker Gunmen, Target       ana also gives the Attack its
         patrol; Injure "injuring": Victim officers,  Place Mosul (ana is ground
         Place Mosul                                  truth on mosul)
=======  ===========================================  ==============================

The pulled snapshot goes through agree, gold build, score (a prediction file
with ACE roles) and the conll, hf and spacy exports. Every figure asserted is
computed by hand in the comments.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.gold.dataset import read_gold_version
from eventgold.jsonl import read_jsonl, write_jsonl
from eventgold.labelstudio.annotators import add_annotators
from eventgold.labelstudio.convert import annotation_to_results
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import Argument, Article, DocumentAnnotation, Event, Mention, Origin, Span
from tests.conftest import LiveServer

pytestmark = pytest.mark.integration

PROJECT = "ace flow"
ANA, BEN = "ana.ace@example.org", "ben.ace@example.org"
KIRKUK = "Rebels attacked an army base in Kirkuk on Monday. Two soldiers died in the attack.\n"
MOSUL = "Gunmen shot at a police patrol in Mosul on Tuesday, injuring three officers.\n"


class Builder:
    """One annotation under construction; mentions found by their (unique) phrase."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.mentions: list[Mention] = []
        self.events: list[Event] = []

    def m(self, phrase: str, type_: str) -> str:
        assert self.article.text.count(phrase) == 1, phrase
        start = self.article.text.index(phrase)
        mid = f"m{len(self.mentions) + 1}"
        self.mentions.append(Mention(id=mid, type=type_, start=start, end=start + len(phrase), text=phrase))
        return mid

    def e(self, phrase: str, type_: str, *arguments: tuple[str, str]) -> None:
        start = self.article.text.index(phrase)
        self.events.append(
            Event(
                id=f"e{len(self.events) + 1}",
                type=type_,
                trigger=Span(start=start, end=start + len(phrase), text=phrase),
                arguments=[Argument(role=role, mention=mention) for role, mention in arguments],
            )
        )

    def done(self, who: str, kind: str = "annotator") -> DocumentAnnotation:
        return DocumentAnnotation(
            doc_id=self.article.id, origin=Origin(kind=kind, name=who), mentions=self.mentions, events=self.events
        )


def kirkuk(article: Article, who: str, kind: str = "annotator") -> DocumentAnnotation:
    b = Builder(article)
    rebels, base, city, soldiers = (
        b.m("Rebels", "ORG"),
        b.m("army base", "FAC"),
        b.m("Kirkuk", "GPE"),
        b.m("soldiers", "PER"),
    )
    b.e("attacked", "Attack", ("Attacker", rebels), ("Target", base), ("Place", city))
    b.e("died", "Die", ("Victim", soldiers))
    return b.done(who, kind)


def mosul(article: Article, who: str, kind: str = "annotator") -> DocumentAnnotation:
    b = Builder(article)
    gunmen, patrol, city, officers = (
        b.m("Gunmen", "PER"),
        b.m("police patrol", "ORG"),
        b.m("Mosul", "GPE"),
        b.m("officers", "PER"),
    )
    attack = [("Attacker", gunmen), ("Target", patrol)]
    if who == ANA:
        attack.append(("Place", city))
    b.e("shot", "Attack", *attack)
    b.e("injuring", "Injure", ("Victim", officers), ("Place", city))
    return b.done(who, kind)


def predictions(articles: dict[str, Article]) -> list[DocumentAnnotation]:
    """An extractor's output: some roles right, some swapped, one event missed."""
    k = Builder(articles["kirkuk"])
    rebels, base, soldiers = k.m("Rebels", "ORG"), k.m("army base", "FAC"), k.m("soldiers", "PER")
    k.e("attacked", "Attack", ("Attacker", rebels), ("Place", base))  # Place wrong: the base is the Target
    k.e("died", "Die", ("Victim", soldiers))
    m = Builder(articles["mosul"])
    gunmen, patrol, city = m.m("Gunmen", "PER"), m.m("police patrol", "ORG"), m.m("Mosul", "GPE")
    m.e("shot", "Attack", ("Attacker", patrol), ("Target", gunmen), ("Place", city))  # roles swapped
    return [k.done("toy", "extractor"), m.done("toy", "extractor")]


@dataclass
class Flow:
    live: LiveServer
    root: Path
    articles: dict[str, Article]
    snapshot: Path

    def url(self) -> list[str]:
        return ["--url", self.live.url, "--api-key", self.live.token]


@pytest.fixture(scope="module")
def flow(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    root = tmp_path_factory.mktemp("ace-flow")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        assert main(["init", ".", "--ontology", "ace2005", "--no-samples"]) == 0
        assert main(["config", "validate"]) == 0
        (root / "articles").mkdir()
        (root / "articles" / "kirkuk.txt").write_text(KIRKUK, encoding="utf-8")
        (root / "articles" / "mosul.txt").write_text(MOSUL, encoding="utf-8")
        assert main(["ingest", "articles", "-o", "corpus.jsonl"]) == 0
        corpus = list(read_jsonl(root / "corpus.jsonl", Article))
        by_name = {("kirkuk" if "Rebels" in a.text else "mosul"): a for a in corpus}
        url = ["--url", live_server.url, "--api-key", live_server.token]
        assert main(["push", "corpus.jsonl", "--project", PROJECT, "--overlap", "2", *url]) == 0
        client = live_server.client()
        made = add_annotators(client, [ANA, BEN], root / "passwords.json")
        users = {a.email: int(a.user_id) for a in made if a.user_id is not None}
        project = client.find_project(PROJECT)
        assert project is not None
        tasks = existing_tasks(client, int(project["id"]))
        for name, build in (("kirkuk", kirkuk), ("mosul", mosul)):
            article = by_name[name]
            for who in (ANA, BEN):
                body: dict[str, Any] = {
                    "result": annotation_to_results(build(article, who), article.text),
                    "completed_by": users[who],
                    "ground_truth": who == ANA and name == "mosul",
                }
                client.post_json(f"/api/tasks/{tasks[article.id].id}/annotations", body)
        assert main(["pull", "--project", PROJECT, "-o", "raw", "--json", "pull.json", *url]) == 0
        snapshot = Path(json.loads((root / "pull.json").read_text())["snapshot"])
        yield Flow(live_server, root, by_name, snapshot)


@pytest.fixture
def in_project(flow: Flow, monkeypatch: pytest.MonkeyPatch) -> Flow:
    monkeypatch.chdir(flow.root)
    return flow


def test_pulled_annotations_keep_the_ace_roles(in_project: Flow) -> None:
    from eventgold.labelstudio.snapshot import read_snapshot

    snap = read_snapshot(in_project.snapshot)
    assert snap.problems == []
    got = {
        (a.origin.name, a.doc_id): sorted((e.type, role) for e in a.events for role, _ in e.role_ids())
        for a in snap.annotations
    }
    k, m = in_project.articles["kirkuk"].id, in_project.articles["mosul"].id
    kirkuk_roles = [("Attack", "Attacker"), ("Attack", "Place"), ("Attack", "Target"), ("Die", "Victim")]
    assert got[(ANA, k)] == got[(BEN, k)] == kirkuk_roles
    assert got[(BEN, m)] == [("Attack", "Attacker"), ("Attack", "Target"), ("Injure", "Place"), ("Injure", "Victim")]
    assert got[(ANA, m)] == sorted([*got[(BEN, m)], ("Attack", "Place")])


def test_agreement_gives_role_f1_per_role(in_project: Flow) -> None:
    assert main(["agree", str(in_project.snapshot), "--json", "agreement.json"]) == 0
    report = json.loads((in_project.root / "agreement.json").read_text())
    per_role = report["roles"]["per_role"]
    # One pair (ana, ben) over the four matched triggers. Attacker, Target, Victim: both
    # annotators give the same arguments (2, 2, 2 each) -> F1 1. Place: ana 3 (kirkuk
    # Attack, mosul Attack, mosul Injure), ben 2, shared 2 -> F1 = 2*2 / (3+2) = 0.8.
    f1 = {role: row["f1"] for role, row in per_role.items()}
    assert f1 == pytest.approx({"Attacker": 1.0, "Target": 1.0, "Victim": 1.0, "Place": 0.8})


@pytest.fixture
def gold(in_project: Flow) -> Path:
    out = in_project.root / "gold" / "v1"
    if not out.exists():
        assert main(["gold", "build", str(in_project.snapshot), "-o", str(out), "--split-ratios", "100,0,0"]) == 0
    return out


def test_gold_takes_the_agreed_and_the_ground_truth_arguments(in_project: Flow, gold: Path) -> None:
    docs = {d.doc_id: d for d in read_gold_version(gold).documents}
    names = {d.doc_id: d for d in docs.values()}
    assert len(names) == 2

    def roles(doc_id: str) -> list[tuple[str, str, str]]:
        d = docs[doc_id]
        text = {m.id: m.text or "" for m in d.mentions}
        return sorted((e.type, role, text[mid]) for e in d.events for role, mid in e.role_ids())

    assert roles(in_project.articles["kirkuk"].id) == [
        ("Attack", "Attacker", "Rebels"),
        ("Attack", "Place", "Kirkuk"),
        ("Attack", "Target", "army base"),
        ("Die", "Victim", "soldiers"),
    ]
    assert roles(in_project.articles["mosul"].id) == [
        ("Attack", "Attacker", "Gunmen"),
        ("Attack", "Place", "Mosul"),
        ("Attack", "Target", "police patrol"),
        ("Injure", "Place", "Mosul"),
        ("Injure", "Victim", "officers"),
    ]


def test_score_gives_argument_classification_per_role(in_project: Flow, gold: Path) -> None:
    pred = in_project.root / "pred.jsonl"
    write_jsonl(pred, predictions(in_project.articles))
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--bootstrap", "0", "--json", "score.json"]) == 0
    report = json.loads((in_project.root / "score.json").read_text())
    events = report["extractors"][0]["events"]
    # Gold arguments (9): kirkuk Attack Attacker/Target/Place, Die Victim; mosul Attack
    # Attacker/Target/Place, Injure Victim/Place. Predicted (6): kirkuk Attack Attacker
    # (right), Place=army base (wrong role); Die Victim (right); mosul Attack
    # Attacker=patrol and Target=Gunmen (swapped), Place Mosul (right); no Injure.
    #   role      tp  predicted  gold    precision  recall  F1
    #   Attacker   1      2        2       1/2       1/2    1/2
    #   Target     0      1        2       0         0      0
    #   Place      1      2        3       1/2       1/3    2/5
    #   Victim     1      1        2       1         1/2    2/3
    # Argument identification ignores the role: 6 predicted offsets are all gold ones.
    expected = {
        "Attacker": (1, 2, 2, 0.5, 0.5, 0.5),
        "Target": (0, 1, 2, 0.0, 0.0, 0.0),
        "Place": (1, 2, 3, 0.5, 1 / 3, 0.4),
        "Victim": (1, 1, 2, 1.0, 0.5, 2 / 3),
    }
    per_role = events["arg_cls_per_role"]
    got = {
        role: (row["tp"], row["tp"] + row["fp"], row["tp"] + row["fn"], row["precision"], row["recall"], row["f1"])
        for role, row in per_role.items()
    }
    assert got.keys() == expected.keys()
    for role, row in expected.items():
        assert got[role] == pytest.approx(row), role
    assert (events["arg_cls"]["tp"], events["arg_cls"]["fp"], events["arg_cls"]["fn"]) == (3, 3, 6)
    assert (events["arg_id"]["tp"], events["arg_id"]["fp"], events["arg_id"]["fn"]) == (6, 0, 3)


@pytest.mark.parametrize("fmt", ["conll", "hf", "spacy"])
def test_exports_carry_the_ace_roles(in_project: Flow, gold: Path, fmt: str) -> None:
    out = in_project.root / "exports" / fmt
    assert main(["export", str(gold), "--format", fmt, "-o", str(out)]) == 0
    roles = _exported_roles(out, fmt)
    assert roles == {"Attacker", "Target", "Place", "Victim"}


def _exported_roles(folder: Path, fmt: str) -> set[str]:
    """The role names an export folder holds, read back with the format's own reader."""
    if fmt == "spacy":
        import spacy
        from spacy.tokens import DocBin

        nlp = spacy.blank("en")
        found: set[str] = set()
        for path in folder.glob("*.spacy"):
            for doc in DocBin().from_disk(path).get_docs(nlp.vocab):
                for event in doc.user_data.get("events", []):
                    found.update(a["role"] for a in event["arguments"])
        return found
    if fmt == "hf":
        found = set()
        for path in folder.glob("*.jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                for event in json.loads(line)["events"]:
                    found.update(a["role"] for a in event["arguments"])
        return found
    found = set()
    for path in folder.glob("*.conll"):
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split(" ")
            if len(cells) == 4 and cells[3] != "O":
                found.update(tag.rsplit(":", 1)[1] for tag in cells[3].split("|"))
    return found
