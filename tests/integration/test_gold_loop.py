"""Agreement, adjudication and the review round trip against a real Label Studio.

Three simulated annotators (real accounts, annotations created through the API
with ``completed_by``) annotate overlapping seed tasks with deliberate
disagreements; one of them is flagged ground truth on one task:

==========  =================  ==================================================
document    annotators         what they disagree on
==========  =================  ==================================================
000 (Kaz.)  ana, ben, cid      cid types Ghaani ARMED_GROUP, skips Baghdad, gives
                               mode third-party; only ana links the location
001 (Qaani) cid                (single annotator)
002 (FM)    ana, ben, cid      "Tehran": ana STATE/IRN recipient, ben
                               LOCATION/tehran location, cid does not mark it;
                               cid gives the visit no mode
004 (call)  ana (gt), ben      trigger "phone call" (ana) vs "call" (ben)
==========  =================  ==================================================

Every agreement figure asserted below is computed by hand in the comments.
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
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio.annotators import add_annotators
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.convert import TASK_KEYS, annotation_to_results
from eventgold.labelstudio.review import META_KEY, read_conflicts
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import Article, DocumentAnnotation, Event, Mention, Origin, Span
from tests.conftest import LiveServer

from .scenario import seed_articles

pytestmark = pytest.mark.integration

PROJECT = "gold loop"
REVIEW = "gold loop review"
ANA, BEN, CID, JUDGE = "ana@example.org", "ben@example.org", "cid@example.org", "judge@example.org"
D0, D1, D2, D4 = "000_87d7f54058e42e0b", "001_e03c588a3ee11681", "002_dad6e3c2e5782cf7", "004_7e88fb271410e547"


def locate(text: str, context: str, phrase: str) -> tuple[int, int]:
    """Offsets of ``phrase`` inside ``context``, which occurs once in ``text``."""
    assert text.count(context) == 1, context
    start = text.index(context) + context.index(phrase)
    return start, start + len(phrase)


class Builder:
    """One annotation under construction (offsets found by searching the text)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.mentions: list[Mention] = []
        self.events: list[Event] = []

    def m(self, context: str, phrase: str, type_: str, cid: str | None = None) -> str:
        start, end = locate(self.text, context, phrase)
        mid = f"m{len(self.mentions) + 1}"
        self.mentions.append(Mention(id=mid, type=type_, start=start, end=end, text=phrase, canonical_id=cid))
        return mid

    def e(self, context: str, phrase: str, type_: str, mode: str | None = None, **roles: list[str]) -> None:
        start, end = locate(self.text, context, phrase)
        span = Span(start=start, end=end, text=phrase)
        self.events.append(Event(id=f"e{len(self.events) + 1}", type=type_, trigger=span, mode=mode, **roles))

    def done(self, doc_id: str, who: str, kind: str = "annotator") -> DocumentAnnotation:
        return DocumentAnnotation(
            doc_id=doc_id,
            origin=Origin(kind=kind, name=who),
            mentions=self.mentions,
            events=self.events,
        )


def doc0(text: str, who: str) -> DocumentAnnotation:
    b = Builder(text)
    kaz = b.m("the Iraqi Prime Minister, Mustafa Al-Kazemi, met", "Mustafa Al-Kazemi", "PERSON", "kazemi_mustafa")
    gha = b.m(
        "commander, Ismail Ghaani, in Baghdad",
        "Ismail Ghaani",
        "ARMED_GROUP" if who == CID else "PERSON",
        "qaani_ismail",
    )
    roles = {"actors": [gha], "recipients": [kaz]}
    if who != CID:
        bag = b.m("Ismail Ghaani, in Baghdad.", "Baghdad", "LOCATION", "baghdad")
        if who == ANA:
            roles["locations"] = [bag]
    b.e("Mustafa Al-Kazemi, met with", "met", "CONSULT", "third-party" if who == CID else "visit", **roles)
    return b.done(D0, who)


def doc1(text: str, who: str) -> DocumentAnnotation:
    b = Builder(text)
    qaa = b.m("General Ismael Qaani, the commander", "Ismael Qaani", "PERSON", "qaani_ismail")
    bag = b.m("the Iraqi capital, Baghdad, to discuss", "Baghdad", "LOCATION", "baghdad")
    b.e("has once again arrived in", "arrived", "CONSULT", "visit", actors=[qaa], locations=[bag])
    return b.done(D1, who)


def doc2(text: str, who: str, kind: str = "annotator") -> DocumentAnnotation:
    b = Builder(text)
    hus = b.m("Foreign Minister Fouad Hussein concluded", "Fouad Hussein", "PERSON", "hussein_fuad")
    roles: dict[str, list[str]] = {"actors": [hus]}
    if who in (ANA, JUDGE):
        roles["recipients"] = [b.m("a visit to Tehran where", "Tehran", "STATE", "IRN")]
    elif who == BEN:
        roles["locations"] = [b.m("a visit to Tehran where", "Tehran", "LOCATION", "tehran")]
    b.m("Secretary of State Mike Pompeo warning", "Mike Pompeo", "PERSON", "pompeo_mike")
    b.e("concluded on Sunday a visit to", "visit", "CONSULT", None if who == CID else "visit", **roles)
    return b.done(D2, who, kind)


def doc4(text: str, who: str, kind: str = "annotator", mode: str = "phone") -> DocumentAnnotation:
    b = Builder(text)
    kaz = b.m("The Prime Minister, Mustafa Al-Kazemi, had received", "Mustafa Al-Kazemi", "PERSON", "kazemi_mustafa")
    pom = b.m("United States of America, Mike Pompeo .", "Mike Pompeo", "PERSON", "pompeo_mike")
    b.e(
        "2020), a phone call from",
        "call" if who == BEN else "phone call",
        "CONSULT",
        mode,
        actors=[pom],
        recipients=[kaz],
    )
    return b.done(D4, who, kind)


PLAN: dict[str, list[str]] = {D0: [ANA, BEN, CID], D1: [CID], D2: [ANA, BEN, CID], D4: [ANA, BEN]}
BUILDERS = {D0: doc0, D1: doc1, D2: doc2, D4: doc4}
LEAD = {ANA: 10.0, BEN: 40.0, CID: 5.0}


@dataclass
class Loop:
    """The annotated project: its snapshot, the people and a client."""

    live: LiveServer
    root: Path
    articles: dict[str, Article]
    users: dict[str, int]
    snapshot: Path

    def ls(self, *args: str) -> list[str]:
        return [*args, "--url", self.live.url, "--api-key", self.live.token]

    def client(self) -> LabelStudioClient:
        return self.live.client()


def _post(client: LabelStudioClient, task: int, ann: DocumentAnnotation, text: str, **extra: Any) -> None:
    client.post_json(f"/api/tasks/{task}/annotations", {"result": annotation_to_results(ann, text), **extra})


def annotated_project(
    live: LiveServer, root: Path, project: str, people: list[str]
) -> tuple[dict[str, Article], dict[str, int], LabelStudioClient]:
    """Push the seed corpus to ``project`` and post every annotation of :data:`PLAN` (accounts for ``people``).

    Returns:
        The articles by id, the accounts' user ids by e-mail, and a client.
    """
    articles = {a.id: a for a in seed_articles()[:5]}
    corpus = root / "corpus.jsonl"
    write_jsonl(corpus, articles.values())
    url = ["--url", live.url, "--api-key", live.token]
    assert main(["push", str(corpus), "--project", project, "--overlap", "3", *url]) == 0
    client = live.client()
    made = add_annotators(client, people, root / "passwords.json")
    users = {a.email: int(a.user_id) for a in made if a.user_id is not None}
    found = client.find_project(project)
    assert found is not None
    tasks = existing_tasks(client, int(found["id"]))
    for doc_id, annotators in PLAN.items():
        text = articles[doc_id].text
        for who in annotators:
            ann = BUILDERS[doc_id](text, who)
            _post(
                client,
                tasks[doc_id].id,
                ann,
                text,
                completed_by=users[who],
                lead_time=LEAD[who] + len(ann.mentions),
                ground_truth=who == ANA and doc_id == D4,
            )
    return articles, users, client


@pytest.fixture(scope="module")
def loop(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    root = tmp_path_factory.mktemp("gold-loop")
    url = ["--url", live_server.url, "--api-key", live_server.token]
    articles, users, _ = annotated_project(live_server, root, PROJECT, [ANA, BEN, CID, JUDGE])
    assert main(["pull", "--project", PROJECT, "-o", str(root / "raw"), "--json", str(root / "pull.json"), *url]) == 0
    snapshot = Path(json.loads((root / "pull.json").read_text())["snapshot"])
    yield Loop(live_server, root, articles, users, snapshot)


def test_pulled_snapshot_holds_every_annotation(loop: Loop) -> None:
    snap = read_snapshot(loop.snapshot)
    assert snap.problems == []
    assert sorted((a.doc_id, a.origin.name) for a in snap.annotations) == sorted(
        (d, who) for d, people in PLAN.items() for who in people
    )
    assert {a.origin.kind for a in snap.annotations} == {"annotator"}
    assert [a.ground_truth for a in snap.annotations].count(True) == 1


def test_agreement_matches_the_hand_computed_figures(loop: Loop) -> None:
    out = loop.root / "agreement.json"
    assert main(["agree", str(loop.snapshot), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["annotators"] == [ANA, BEN, CID]
    assert report["documents"] == 3  # 000, 002, 004 have two or more annotators
    spans = {(s["kind"], s["matching"]): s for s in report["spans"]}
    # mentions, strict = overlap: ana/ben tp 7 (3+2+2) fp 1 fn 1 (Tehran STATE vs LOCATION) -> 14/16;
    # ana/cid and ben/cid tp 3, only-a 3 (Ghaani PERSON, Baghdad, Tehran), only-b 1 (Ghaani AG) -> 6/10
    for matching in ("strict", "overlap"):
        assert spans[("mention", matching)]["macro_f1"] == pytest.approx((14 / 16 + 0.6 + 0.6) / 3)
    # triggers: ana/ben strict tp 2, "phone call" vs "call" one each -> 4/6; overlap 1; with cid 1
    assert spans[("event", "strict")]["macro_f1"] == pytest.approx((4 / 6 + 1 + 1) / 3)
    assert spans[("event", "overlap")]["macro_f1"] == pytest.approx(1.0)
    fields = {f["field"]: f for f in report["fields"]}
    # actor_type over 8 aligned mention units. ana/ben: 8 shared, po 7/8, pe (6*6 + 1*2)/64 -> 18/26;
    # ana/cid, ben/cid: 4 shared, all PERSON for ana/ben, po = pe = 3/4 -> 0.
    cohen = {(k["a"], k["b"]): k["kappa"] for k in fields["actor_type"]["cohen"]}
    assert cohen[(ANA, BEN)] == pytest.approx(18 / 26)
    assert cohen[(ANA, CID)] == pytest.approx(0.0) and cohen[(BEN, CID)] == pytest.approx(0.0)
    # Fleiss on the 4 units all three have: P-bar 10/12, P-e 122/144 -> -1/11
    assert (fields["actor_type"]["fleiss_units"], fields["actor_type"]["fleiss_raters"]) == (4, 3)
    assert fields["actor_type"]["fleiss"] == pytest.approx(-1 / 11)
    # alpha: 20 values (P 15, AG 1, L 3, S 1); D_o = 4/20, D_e = (400 - 236)/380 -> 22/41
    assert fields["actor_type"]["alpha"] == pytest.approx(22 / 41)
    # canonical_id: ana/ben po 7/8, pe 11/64 -> 45/53; with cid all 4 agree -> 1; Fleiss 1;
    # alpha D_o 2/20, sum n_c^2 = 74 -> D_e 326/380 -> 144/163
    cohen = {(k["a"], k["b"]): k["kappa"] for k in fields["canonical_id"]["cohen"]}
    assert cohen[(ANA, BEN)] == pytest.approx(45 / 53)
    assert cohen[(ANA, CID)] == pytest.approx(1.0)
    assert fields["canonical_id"]["cohen_mean"] == pytest.approx((45 / 53 + 2) / 3)
    assert fields["canonical_id"]["fleiss"] == pytest.approx(1.0)
    assert fields["canonical_id"]["alpha"] == pytest.approx(144 / 163)
    # event_type: every trigger is CONSULT, so no coefficient is defined
    assert fields["event_type"]["cohen_mean"] is None
    assert fields["event_type"]["fleiss"] is None and fields["event_type"]["alpha"] is None
    # mode: ana/ben agree on 3 units (visit, visit, phone) -> 1; with cid po 0, pe 0 -> 0;
    # Fleiss on [v,v,tp], [v,v,none]: P-bar 1/3, P-e 1/2 -> -1/3; alpha D_o 4/8, D_e 42/56 -> 1/3
    assert fields["mode"]["cohen_mean"] == pytest.approx(1 / 3)
    assert fields["mode"]["fleiss"] == pytest.approx(-1 / 3)
    assert fields["mode"]["alpha"] == pytest.approx(1 / 3)
    # roles on matched triggers: ana/ben tp 5 fp 2 fn 1 -> 10/13; ana/cid tp 3 fp 2 -> 6/8;
    # ben/cid tp 3 fp 1 -> 6/7
    assert report["roles"]["macro_f1"] == pytest.approx((10 / 13 + 6 / 8 + 6 / 7) / 3)
    # per role, in the ontology's order (counts summed over the pairs; macro_f1 the mean of the pairs):
    # actor: ana/ben 3 both, ana/cid 2, ben/cid 2 -> 7/0/0, F1 1;
    # recipient: ana/ben 2 both + Tehran only ana, ana/cid 1 both + Tehran only ana, ben/cid 1 both
    #   -> 4/2/0, F1 (4/5 + 2/3 + 1) / 3;
    # location: ana/ben Baghdad only ana + Tehran only ben, ana/cid Baghdad only ana, ben/cid Tehran
    #   only ben -> 0/3/1, F1 0
    per_role = report["roles"]["per_role"]
    assert list(per_role) == ["actor", "recipient", "location"]
    got = {r: (x["tp"], x["fp"], x["fn"], x["pairs"]) for r, x in per_role.items()}
    assert got == {"actor": (7, 0, 0, 3), "recipient": (4, 2, 0, 3), "location": (0, 3, 1, 3)}
    assert per_role["actor"]["macro_f1"] == pytest.approx(1.0)
    assert per_role["recipient"]["macro_f1"] == pytest.approx((4 / 5 + 2 / 3 + 1) / 3)
    assert per_role["location"]["macro_f1"] == pytest.approx(0.0)
    # the F1 of the summed counts: recipient 8 / (8 + 2), location 0
    assert (per_role["recipient"]["f1"], per_role["location"]["f1"]) == pytest.approx((0.8, 0.0))
    stats = {s["name"]: s for s in report["annotator_stats"]}
    assert {n: s["tasks"] for n, s in stats.items()} == {ANA: 3, BEN: 3, CID: 3}
    # lead time = base + number of mentions: ana 10+{3,3,2}, ben 40+{3,3,2}, cid 5+{2,2,2}
    assert stats[ANA]["median_lead_time"] == pytest.approx(13.0)
    assert stats[CID]["median_lead_time"] == pytest.approx(7.0)
    # ana with others, mentions and triggers pooled: vs ben tp 9 fp 2 fn 2, vs cid tp 5 fp 3 fn 1
    assert (stats[ANA]["with_others"]["tp"], stats[ANA]["with_others"]["fp"], stats[ANA]["with_others"]["fn"]) == (
        14,
        5,
        3,
    )
    # disagreements: Ghaani (type), Baghdad (presence), met (mode), Tehran, visit (mode);
    # the trigger offsets of 004 are no categorical field
    assert len(report["disagreements"]) == 5


def _build(loop: Loop, out: str, *snaps: Path, policy: str | None = None, version: str | None = None) -> dict[str, Any]:
    args = ["gold", "build", *map(str, snaps), "-o", str(loop.root / out), "--json", str(loop.root / f"{out}.json")]
    if policy:
        args += ["--policy", policy]
    if version:
        args += ["--version", version]
    assert main(args) == 0
    return dict(json.loads((loop.root / f"{out}.json").read_text())["manifest"])


def _doc(loop: Loop, out: str, doc_id: str) -> Any:
    return next(d for d in read_gold_version(loop.root / out).documents if d.doc_id == doc_id)


def test_each_policy_gives_the_expected_gold(loop: Loop) -> None:
    m = _build(loop, "majority", loop.snapshot, policy="majority")
    assert sum(m["counts"]["documents"].values()) == 2
    assert (m["counts"]["conflicts"], m["counts"]["excluded"], m["counts"]["decisions"]) == (2, 2, {"majority": 2})
    conflicts = read_conflicts(loop.root / "majority" / "conflicts.jsonl")
    assert [c.doc_id for c in conflicts] == [D2, D4]
    assert {(i.kind, i.field, i.text) for i in conflicts[0].issues} == {
        ("mention", "type", "Tehran"),
        ("mention", "canonical_id", "Tehran"),
    }
    assert [(i.kind, i.field) for i in conflicts[1].issues] == [("event", "offsets")]
    assert [v.origin.name for v in conflicts[0].versions] == [ANA, BEN, CID]
    # 000 by majority: Ghaani PERSON (2 of 3), Baghdad kept (2 of 3), mode visit, location role dropped (1 of 3)
    gold0 = _doc(loop, "majority", D0)
    assert [(x.text, x.type) for x in gold0.mentions] == [
        ("Mustafa Al-Kazemi", "PERSON"),
        ("Ismail Ghaani", "PERSON"),
        ("Baghdad", "LOCATION"),
    ]
    (met,) = gold0.events
    by_id = {x.id: x.text for x in gold0.mentions}
    assert (met.mode, [(role, by_id[i]) for role, i in met.role_ids()]) == (
        "visit",
        [("actor", "Ismail Ghaani"), ("recipient", "Mustafa Al-Kazemi")],
    )
    assert gold0.provenance[met.id].decision == "majority 3/3"
    assert gold0.provenance[gold0.mentions[2].id].annotators == [ANA, BEN]
    assert {p.decision for p in _doc(loop, "majority", D1).provenance.values()} == {"majority 1/1"}

    gt = _build(loop, "ground-truth", loop.snapshot, policy="ground-truth,majority")
    assert (gt["counts"]["conflicts"], gt["counts"]["decisions"]) == (1, {"ground-truth": 1, "majority": 2})
    gold4 = _doc(loop, "ground-truth", D4)
    assert [e.trigger.text for e in gold4.events if e.trigger] == ["phone call"]
    assert {p.decision for p in gold4.provenance.values()} == {f"ground-truth:{ANA}"}

    single = _build(loop, "single", loop.snapshot, policy="single")
    assert (single["counts"]["conflicts"], single["counts"]["decisions"]) == (3, {"single": 1})
    assert {p.decision for p in _doc(loop, "single", D1).provenance.values()} == {f"single:{CID}"}


def test_review_round_trip(loop: Loop, capsys: pytest.CaptureFixture[str]) -> None:
    _build(loop, "round1", loop.snapshot, policy="majority")
    conflicts = loop.root / "round1" / "conflicts.jsonl"
    out = loop.root / "review.json"
    assert main(loop.ls("review", "push", str(conflicts), "--project", REVIEW, "--json", str(out))) == 0
    first = json.loads(out.read_text())
    assert (first["documents"], first["created"], first["predictions_added"]) == (2, 2, 5)
    client = loop.client()
    project = client.find_project(REVIEW)
    assert project is not None and "[eventgold:review]" in project["description"]
    review_id = int(project["id"])
    tasks = existing_tasks(client, review_id)
    assert sorted(tasks) == [D2, D4]
    predictions = client.get_json("/api/predictions", project=review_id)
    versions = sorted((p["task"], p["model_version"]) for p in predictions)
    assert versions == sorted([(tasks[D2].id, w) for w in (ANA, BEN, CID)] + [(tasks[D4].id, w) for w in (ANA, BEN)])
    task = client.get_json(f"/api/tasks/{tasks[D2].id}")
    assert set(task["data"]) == set(TASK_KEYS)
    assert task["data"]["content_sha"] == loop.articles[D2].content_sha
    assert any("Tehran" in line for line in task["meta"][META_KEY]["issues"])

    # idempotent: nothing new the second time
    assert main(loop.ls("review", "push", str(conflicts), "--project", REVIEW, "--json", str(out))) == 0
    again = json.loads(out.read_text())
    assert (again["created"], again["unchanged"], again["predictions_added"], again["predictions_unchanged"]) == (
        0,
        2,
        0,
        5,
    )
    assert len(client.get_json("/api/predictions", project=review_id)) == 5
    # a version that changed since (a new round) updates its prediction in place
    edited = loop.root / "edited-conflicts.jsonl"
    rows = read_conflicts(conflicts)
    rows[1].versions[1] = doc4(loop.articles[D4].text, BEN, mode="visit").model_copy(
        update={"labelstudio": rows[1].versions[1].labelstudio}
    )
    write_jsonl(edited, rows)
    assert main(loop.ls("review", "push", str(edited), "--project", REVIEW, "--json", str(out))) == 0
    assert json.loads(out.read_text())["predictions_updated"] == 1
    # the annotation project is never taken for a review project
    assert main(loop.ls("review", "push", str(conflicts), "--project", PROJECT)) == 2
    assert "not an eventgold review project" in capsys.readouterr().err

    # the adjudicator resolves both documents in the review project
    for doc_id, build in ((D2, doc2), (D4, doc4)):
        text = loop.articles[doc_id].text
        _post(client, tasks[doc_id].id, build(text, JUDGE, "adjudicator"), text, completed_by=loop.users[JUDGE])
    pulled = loop.root / "pull-review.json"
    assert main(loop.ls("pull", "--project", REVIEW, "-o", str(loop.root / "raw"), "--json", str(pulled))) == 0
    summary = json.loads(pulled.read_text())
    assert summary["annotation_kind"] == "adjudicator" and summary["annotations"] == 2
    review_snapshot = Path(summary["snapshot"])
    assert {a.origin.kind for a in read_snapshot(review_snapshot).annotations} == {"adjudicator"}

    # with a policy that leaves adjudications out, the build says so
    capsys.readouterr()
    ignored = _build(loop, "ignored", loop.snapshot, review_snapshot, policy="majority")
    assert ignored["counts"]["conflicts"] == 2
    assert "2 adjudication(s) from a review project are ignored" in capsys.readouterr().err

    v2 = _build(loop, "v2", loop.snapshot, review_snapshot)
    assert (v2["counts"]["conflicts"], v2["counts"]["excluded"]) == (0, 0)
    assert v2["counts"]["decisions"] == {"adjudicator": 2, "majority": 2}
    assert sum(v2["counts"]["documents"].values()) == 4
    gold2 = _doc(loop, "v2", D2)
    tehran = next(x for x in gold2.mentions if x.text == "Tehran")
    assert (tehran.type, tehran.canonical_id) == ("STATE", "IRN")
    assert gold2.provenance[tehran.id].annotators == [f"adjudicator:{JUDGE}", ANA, BEN]
    assert {p.decision for p in gold2.provenance.values()} == {f"adjudicator:{JUDGE}"}
    (visit,) = gold2.events
    assert visit.mentions_in(["recipient"]) == [tehran.id]
    gold4 = _doc(loop, "v2", D4)
    assert [e.trigger.text for e in gold4.events if e.trigger] == ["phone call"]

    # determinism: building again gives the same files, hence the same gold ids
    assert _build(loop, "v2-again", loop.snapshot, review_snapshot, version="v2") == v2
    for name in ("gold.jsonl", "manifest.json", "agreement.json", "conflicts.jsonl", "README.md"):
        assert (loop.root / "v2" / name).read_bytes() == (loop.root / "v2-again" / name).read_bytes(), name

    def unit_ids(folder: str) -> list[list[str]]:
        docs = read_gold_version(loop.root / folder).documents
        return [[m.id for m in d.mentions] + [e.id for e in d.events] for d in docs]

    assert unit_ids("v2") == unit_ids("v2-again")
    assert main(["gold", "build", str(loop.snapshot), str(review_snapshot), "-o", str(loop.root / "v2")]) == 0
    assert "unchanged" in capsys.readouterr().out
