"""Reports to render in the report tests: the scoring fixture plus a hostile article, and an agreement case.

The hostile article holds HTML, Markdown and snippet-marker look-alikes, so
the tests can check that nothing from the data turns into markup.
"""

from __future__ import annotations

import functools
from pathlib import Path

from eventgold.gold.agreement import AgreementReport, compute_agreement
from eventgold.models import Article, DocumentAnnotation, Event, GoldDocument, Mention, Origin, Span
from eventgold.scoring.api import score
from eventgold.scoring.inputs import load_gold, load_predictions
from eventgold.scoring.report import ScoreReport

from .gold_fixtures import ann, article, event, mention

FIXTURE = Path(__file__).resolve().parents[2] / "samples" / "fixture"

HOSTILE_ID = "evil<b>doc</b>&amp;"
HOSTILE_TEXT = (
    'Officials said <script>alert("pwned")</script> | **bold** [[not a unit]] '
    'Hamas and Fatah <img src="https://evil.example/x.png" onerror="alert(1)"> met in Gaza on Monday.'
)


def _at(phrase: str, text: str = HOSTILE_TEXT) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def _mention(mid: str, phrase: str, type_: str) -> Mention:
    s, e = _at(phrase)
    return Mention(id=mid, type=type_, start=s, end=e, text=phrase)


def hostile_gold() -> GoldDocument:
    """A gold document whose text tries to inject HTML and Markdown."""
    s, e = _at("met")
    return GoldDocument(
        article=Article(id=HOSTILE_ID, text=HOSTILE_TEXT, source="evil"),
        mentions=[
            _mention("m1", "Hamas", "ARMED_GROUP"),
            _mention("m2", "Fatah", "ORGANIZATION"),
            _mention("m3", "Gaza", "LOCATION"),
        ],
        events=[
            Event(id="e1", type="CONSULT", trigger=Span(start=s, end=e, text="met"), actors=["m1"], recipients=["m2"])
        ],
        split="test",
    )


def hostile_prediction() -> DocumentAnnotation:
    """The tagger on the hostile document: a spurious mention over the script tag, Hamas right."""
    return DocumentAnnotation(
        doc_id=HOSTILE_ID,
        origin=Origin(kind="extractor", name="tagger"),
        mentions=[
            _mention("p1", '<script>alert("pwned")</script>', "PERSON"),
            _mention("p2", "Hamas", "ARMED_GROUP"),
        ],
    )


@functools.cache
def score_report() -> ScoreReport:
    """Two extractors (tagger, coder) on the fixture gold plus the hostile document, 200 resamples."""
    gold = [*load_gold(FIXTURE), hostile_gold()]
    tagger = load_predictions(FIXTURE / "pred_tagger.jsonl")
    coder = load_predictions(FIXTURE / "pred_coder.jsonl")
    report = score(
        gold,
        {"tagger": [*tagger.annotations, hostile_prediction()], "coder": coder.annotations},
        bootstrap=200,
        seed=1,
        gold_source=str(FIXTURE / "gold.jsonl"),
    )
    report.command = "eventgold score --gold samples/fixture --pred 'a b.jsonl' --html <r>.html"
    return report


AGREE_TEXT = "Kazemi met Ghaani in <script>alert(1)</script> Baghdad. Pompeo called Iraq later."


@functools.cache
def agreement_report() -> AgreementReport:
    """Three annotators on two documents, with a disagreement inside hostile text."""
    arts = {"d1": article("d1", AGREE_TEXT), "d2": article("d2", AGREE_TEXT)}

    def m(mid: str, word: str, type_: str = "PERSON") -> Mention:
        return mention(mid, word, type_, AGREE_TEXT)

    def e(eid: str, word: str, **kw: object) -> Event:
        return event(eid, word, "CONSULT", AGREE_TEXT, **kw)  # type: ignore[arg-type]

    anns = []
    for doc in ("d1", "d2"):
        anns.append(ann("alice", doc, [m("m1", "Kazemi"), m("m2", "Ghaani")], [e("e1", "met", actors=["m1"])]))
        anns.append(ann("bob", doc, [m("m1", "Kazemi"), m("m2", "Ghaani", "ARMED_GROUP")], [e("e1", "met")]))
        anns.append(ann("carol", doc, [m("m1", "Kazemi"), m("m3", "<script>alert(1)</script>", "ORGANIZATION")], []))
    report = compute_agreement(anns, arts)
    report.command = "eventgold agree exports/raw/p1.json --html a.html"
    return report
