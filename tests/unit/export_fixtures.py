"""Gold version folders for the export tests: the sample fixture, or any GoldDocuments."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from hypothesis import strategies as st

from eventgold import __version__
from eventgold.gold.dataset import GoldCounts, Manifest, OntologyRef
from eventgold.gold.splits import SplitInfo
from eventgold.jsonl import read_jsonl, write_jsonl
from eventgold.labelstudio.label_config import render_label_config
from eventgold.models import SPLITS, Argument, Event, GoldDocument, Mention, Span, sha256_text
from eventgold.ontology import Ontology, load_ontology

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_GOLD = ROOT / "samples" / "fixture" / "gold.jsonl"
ONTOLOGY = load_ontology()


def fixture_docs() -> list[GoldDocument]:
    """The hand-made sample gold (three seed articles, test and dev)."""
    return list(read_jsonl(FIXTURE_GOLD, GoldDocument))


def _by_type(docs: Sequence[GoldDocument], kind: str) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for d in docs:
        for unit in d.mentions if kind == "mention" else d.events:
            counts.setdefault(unit.type, Counter())[d.split or "none"] += 1
    return {t: dict(c) for t, c in sorted(counts.items())}


def write_gold(folder: Path, docs: Sequence[GoldDocument], version: str = "v1", ontology: Ontology = ONTOLOGY) -> Path:
    """Write ``docs`` as a gold version folder (gold.jsonl + manifest.json) at ``folder``, built with ``ontology``."""
    docs = sorted(docs, key=lambda d: d.doc_id)
    split_counts = Counter(d.split or "none" for d in docs)
    manifest = Manifest(
        version=version,
        created=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC),
        tool_version=__version__,
        sources=[],
        ontology=OntologyRef(
            name=ontology.name,
            version=ontology.version,
            sha256=ontology.sha256(),
            label_config_sha256=sha256_text(render_label_config(ontology)),
        ),
        policy="adjudicator",
        include_conflicts=False,
        splits=SplitInfo(ratios=(0.7, 0.15, 0.15), seed=13, group_by=None, groups=len(docs), folds=1),
        counts=GoldCounts(
            documents={s: split_counts.get(s, 0) for s in SPLITS},
            mentions=_by_type(docs, "mention"),
            events=_by_type(docs, "event"),
            conflicts=0,
            excluded=0,
            annotations=0,
            cancelled=0,
            superseded=0,
            decisions={},
        ),
    )
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "gold.jsonl", docs)
    (folder / "manifest.json").write_text(json.dumps(manifest.model_dump(mode="json"), indent=2) + "\n")
    return folder


def fixture_gold(tmp_path: Path) -> Path:
    """The sample fixture gold plus one small train document, as a gold version folder."""
    return write_gold(tmp_path / "gold" / "v1", [*fixture_docs(), train_doc()])


TRAIN_TEXT = (
    "Iraqi officials met Pompeo in Baghdad on Monday. The U.S. envoy (Gen. Smith) arrived.\n"
    "Washington warned Tehran over the rocket attacks on the Green Zone."
)


def _span(text: str, phrase: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def mention(text: str, mid: str, phrase: str, type_: str, nth: int = 0, **kw: object) -> Mention:
    """A mention at the ``nth`` occurrence of ``phrase`` in ``text``."""
    s, e = _span(text, phrase, nth)
    return Mention(id=mid, type=type_, start=s, end=e, text=phrase, **kw)  # type: ignore[arg-type]


def event(text: str, eid: str, phrase: str, type_: str, nth: int = 0, **kw: object) -> Event:
    """An event triggered by the ``nth`` occurrence of ``phrase`` in ``text``."""
    s, e = _span(text, phrase, nth)
    return Event(id=eid, type=type_, trigger=Span(start=s, end=e, text=phrase), **kw)  # type: ignore[arg-type]


def roles(**mentions: list[str]) -> list[Argument]:
    """Arguments from role -> mention ids, in keyword order (``roles(actor=["m1"], recipient=["m2"])``)."""
    return [Argument(role=role, mention=mid) for role, ids in mentions.items() for mid in ids]


def train_doc() -> GoldDocument:
    """A small train document with a nested mention, a cut mention and an offset-less actor."""
    from eventgold.models import Article, Provenance

    t = TRAIN_TEXT
    return GoldDocument(
        article=Article(id="t01", title="Pompeo in Baghdad", text=t, source="wire", published=dt.date(2020, 10, 5)),
        mentions=[
            mention(t, "m1", "Iraqi officials", "GROUP"),
            mention(t, "m2", "Iraqi", "STATE", canonical_id="IRQ"),  # nested in m1: overlap
            mention(t, "m3", "Pompeo", "PERSON", canonical_id="pompeo_mike", country="USA", sector="GOV"),
            mention(t, "m4", "Baghdad", "LOCATION", canonical_id="baghdad"),
            mention(t, "m5", "Washington", "STATE", canonical_id="USA"),
            mention(t, "m6", "Tehr", "STATE"),  # cut inside the token "Tehran"
            Mention(id="m7", type="ARMED_GROUP", canonical_id="kataib_hezbollah", text="Kata'ib Hezbollah"),
            mention(t, "m8", "Green Zone", "LOCATION", canonical_id="green_zone"),
        ],
        events=[
            event(
                t,
                "e1",
                "met",
                "CONSULT",
                mode="visit",
                arguments=roles(actor=["m3"], recipient=["m1"], location=["m4"]),
                contexts=["diplomatic"],
                date=dt.date(2020, 10, 5),
            ),
            event(t, "e2", "warned", "THREATEN", arguments=roles(actor=["m5"], recipient=["m6"]), flags=["future"]),
            event(t, "e3", "rocket attacks", "ASSAULT", arguments=roles(actor=["m7"], location=["m8"])),
            Event(id="e4", type="ACCUSE", arguments=roles(actor=["m5"], recipient=["m7"])),
        ],
        split="train",
        provenance={"e1": Provenance(annotators=["alice", "bob"], decision="majority")},
    )


WORDS = [
    "Kazemi", "met", "Al-Kazemi", "U.S.", "Iraq", "Iraqi", "officials", "in", "Baghdad", "’s", "10:50", "pro-Iran",
    "Gen.", "Mr.", "the", "attack", "مُحَمَّد", "e\u0301te\u0301", "(", ")", ",", ".", "!", "?", '"', "3.5",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "", "\n", "  ", "\n\n", "\t", " \u00a0"]


@st.composite
def word_texts(draw: st.DrawFn) -> str:
    """Texts made of news-like words, punctuation and varied whitespace."""
    parts = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=25))
    lead = draw(st.sampled_from(["", " ", "\n"]))
    return lead + "".join(w + s for w, s in parts)


@st.composite
def word_gold_documents(draw: st.DrawFn, doc_id: str = "d1") -> GoldDocument:
    """Gold documents over word texts: spans mostly on token edges, sometimes anywhere."""
    from eventgold.export.tokenize import tokenize
    from eventgold.models import Article

    text = draw(word_texts())
    tokens = tokenize(text)
    n = len(text)

    def span() -> tuple[int, int]:
        if tokens and draw(st.integers(0, 4)) > 0:
            a = draw(st.integers(0, len(tokens) - 1))
            b = draw(st.integers(a, min(a + 3, len(tokens) - 1)))
            return tokens[a].start, tokens[b].end
        a = draw(st.integers(0, n))
        return a, draw(st.integers(a, n))

    actor_types = [t.name for t in ONTOLOGY.actor_types]
    event_types = [t.name for t in ONTOLOGY.event_types]
    mentions: list[Mention] = []
    for i in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 5)) == 0:
            mentions.append(Mention(id=f"m{i}", type=draw(st.sampled_from(actor_types)), canonical_id="IRQ"))
            continue
        a, b = span()
        mentions.append(
            Mention(
                id=f"m{i}",
                type=draw(st.sampled_from(actor_types)),
                start=a,
                end=b,
                text=text[a:b],
                canonical_id=draw(st.none() | st.sampled_from(["IRQ", "USA", "baghdad", "nobody"])),
            )
        )
    ids = [m.id for m in mentions]
    events: list[Event] = []
    for i in range(draw(st.integers(0, 4))):
        trigger = None
        if draw(st.integers(0, 4)) > 0:
            a, b = span()
            trigger = Span(start=a, end=b, text=text[a:b])
        events.append(
            Event(
                id=f"e{i}",
                type=draw(st.sampled_from(event_types)),
                trigger=trigger,
                arguments=[
                    Argument(role=role.name, mention=mid)
                    for role in ONTOLOGY.roles
                    for mid in (draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) if ids else [])
                ],
                date=draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1))),
            )
        )
    return GoldDocument(
        article=Article(id=doc_id, text=text, language="en"),
        mentions=mentions,
        events=events,
        split=draw(st.sampled_from(SPLITS)),
    )


@st.composite
def word_golds(draw: st.DrawFn) -> list[GoldDocument]:
    """One to four word-text gold documents with distinct ids."""
    count = draw(st.integers(1, 4))
    return [draw(word_gold_documents(doc_id=f"d{i}")) for i in range(count)]
