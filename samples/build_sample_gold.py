"""Build the packaged sample gold (``src/eventgold/data/samples/gold/v1``) through Label Studio, as a team would.

The five seed articles (``src/eventgold/data/samples/articles``, read by ``eventgold.ingest`` exactly as
``eventgold up`` reads them) are pushed to a Label Studio project with two annotators
per task. Two annotators (``ana@example.org``, ``ben@example.org``: real accounts made
through the invite link) annotate every article by hand following
``label_config/GUIDELINES.md``; their annotations are created through the API with
``completed_by``, as if submitted in the UI. They agree on two articles and disagree,
realistically, on three (a capital read as STATE or LOCATION, which of two triggers
names an event, a mode, a date, a flag, an actor type). Then:

1. pull the project -> ``samples/raw/eventgold-sample-<time>.json`` (+ sidecars);
2. ``gold build --policy majority``: the two articles they agree on become gold, the
   three others are conflicts (``samples/raw/conflicts-round1.jsonl``);
3. ``review push``: the conflicts go to the review project, each annotator's version as
   a prediction; the adjudicator (``ada@example.org``) submits one annotation per task;
4. pull the review project -> ``samples/raw/eventgold-sample-review-<time>.json``, whose
   annotations are adjudications;
5. ``gold build`` (default policy ``adjudicator,ground-truth,majority``) from both
   snapshots -> ``src/eventgold/data/samples/gold/v1`` (gold.jsonl, manifest.json, agreement.json,
   conflicts.jsonl, README.md). Rebuilding from the two snapshots gives the same bytes
   (``tests/unit/test_samples_gold.py`` checks it without a server).

Offsets are found by searching the article text (a unique context, then the phrase
inside it), never typed; canonical ids come from the packaged ``label_config/actors.yaml``.

Run (starts a throw-away Label Studio from the managed server venv, ~40 s)::

    .venv/bin/python samples/build_sample_gold.py

or against a running server: ``--url http://127.0.0.1:8080 --api-key TOKEN`` (or
``LABEL_STUDIO_URL`` / ``LABEL_STUDIO_API_KEY``). Gold versions are never overwritten:
delete ``src/eventgold/data/samples/gold/v1`` and ``samples/raw`` first to rebuild.

When eventgold changes what it writes but not what was annotated (schema 1.1 wrote
events' ``arguments`` where 1.0 wrote ``actors``/``recipients``/``locations``), rebuild
steps 2 and 5 from the committed snapshots, without a server, and check that only the
shape changed::

    mv src/eventgold/data/samples/gold/v1 /tmp/v1-old
    .venv/bin/python samples/build_sample_gold.py --rebuild
    .venv/bin/eventgold gold diff /tmp/v1-old src/eventgold/data/samples/gold/v1
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from eventgold.commands.labelstudio import label_config_and_instructions
from eventgold.config import Connection
from eventgold.extractors.gazetteer import actor_candidates, load_gazetteer
from eventgold.gold.adjudicate import Conflict
from eventgold.gold.dataset import BuildOptions, build_gold, write_gold_version
from eventgold.ingest import ingest_to_file
from eventgold.jsonl import read_jsonl, write_jsonl
from eventgold.labelstudio import server
from eventgold.labelstudio.annotators import add_annotators
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.convert import annotation_to_results
from eventgold.labelstudio.pull import pull_snapshot
from eventgold.labelstudio.push import existing_tasks, push_articles
from eventgold.labelstudio.review import (
    articles_from_label_studio,
    push_review,
    review_instructions,
)
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.models import (
    Argument,
    Article,
    DocumentAnnotation,
    Event,
    Mention,
    Origin,
    Span,
    check_annotation,
)
from eventgold.ontology import Ontology, load_ontology
from eventgold.resources import packaged_label_config, packaged_samples

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ARTICLES = packaged_samples() / "articles"
ACTORS = packaged_label_config() / "actors.yaml"
ANNOTATION_PROJECT = "eventgold sample"
REVIEW_PROJECT = "eventgold sample review"
ANA, BEN, ADA = "ana@example.org", "ben@example.org", "ada@example.org"

_DICTIONARY: dict[str, dict[str, Any]] = yaml.safe_load(ACTORS.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# the hand annotation: a tiny builder that finds offsets by searching the text
# ---------------------------------------------------------------------------


def locate(text: str, context: str, phrase: str) -> tuple[int, int]:
    """Offsets of ``phrase`` inside ``context``, which must occur exactly once in ``text``."""
    if text.count(context) != 1:
        raise ValueError(f"context {context!r} occurs {text.count(context)} times, not once")
    if context.count(phrase) != 1:
        raise ValueError(f"phrase {phrase!r} occurs {context.count(phrase)} times in {context!r}")
    start = text.index(context) + context.index(phrase)
    return start, start + len(phrase)


@dataclass
class Doc:
    """One person's annotation of one article under construction."""

    text: str
    mentions: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def m(
        self,
        context: str,
        phrase: str,
        cid: str | None,
        *,
        type_: str | None = None,
        country: str | None = None,
        sector: str | None = None,
    ) -> str:
        """Add an actor mention; type, country and sector default to the dictionary entry of ``cid``."""
        entry = _DICTIONARY[cid] if cid is not None else {}
        kind = type_ or entry["type"]
        start, end = locate(self.text, context, phrase)
        mid = f"m{len(self.mentions) + 1}"
        default_sector = entry.get("sector") if kind != "LOCATION" else None
        self.mentions.append(
            Mention(
                id=mid,
                type=kind,
                start=start,
                end=end,
                text=phrase,
                canonical_id=cid,
                country=country or entry.get("country"),
                sector=sector or default_sector,
            )
        )
        return mid

    def e(
        self,
        context: str,
        phrase: str,
        type_: str,
        *,
        mode: str | None = None,
        actors: Sequence[str] = (),
        recipients: Sequence[str] = (),
        locations: Sequence[str] = (),
        date: dt.date | None = None,
        contexts: Sequence[str] = (),
        flags: Sequence[str] = (),
    ) -> None:
        """Add an event with its trigger, attributes and arguments (PLOVER roles, in this order)."""
        start, end = locate(self.text, context, phrase)
        arguments = [
            Argument(role=role, mention=mention)
            for role, ids in (("actor", actors), ("recipient", recipients), ("location", locations))
            for mention in ids
        ]
        self.events.append(
            Event(
                id=f"e{len(self.events) + 1}",
                type=type_,
                trigger=Span(start=start, end=end, text=phrase),
                mode=mode,
                arguments=arguments,
                date=date,
                contexts=list(contexts),
                flags=list(flags),
            )
        )


def doc_000(d: Doc, who: str) -> str | None:
    """RT Arabic, 2020-11-22: the Kazemi-Ghaani meeting, the U.S. withdrawal, Soleimani."""
    kaz = d.m("the Iraqi Prime Minister, Mustafa Al-Kazemi, met", "Mustafa Al-Kazemi", "kazemi_mustafa")
    gha = d.m("commander, Ismail Ghaani, in Baghdad", "Ismail Ghaani", "qaani_ismail")
    bag = d.m("Ismail Ghaani, in Baghdad.", "Baghdad", "baghdad")
    d.e("Mustafa Al-Kazemi, met with", "met", "CONSULT", mode="visit", actors=[gha], recipients=[kaz],
        locations=[bag], contexts=["diplomatic"])
    kaz = d.m("Al-Kazemi invited Ghaani", "Al-Kazemi", "kazemi_mustafa")
    gha = d.m("Al-Kazemi invited Ghaani", "Ghaani", "qaani_ismail")
    d.e("Al-Kazemi invited Ghaani", "invited", "REQUEST", mode="meet", actors=[kaz], recipients=[gha],
        contexts=["diplomatic"])
    kaz = d.m("and Al-Kazemi asked Ghaani", "Al-Kazemi", "kazemi_mustafa")
    gha = d.m("Al-Kazemi asked Ghaani to work", "Ghaani", "qaani_ismail")
    # disagreement: asking Ghaani to get the factions to reduce tensions -- aid, or a change of behaviour?
    d.e("Al-Kazemi asked Ghaani", "asked", "REQUEST", mode="assist" if who == ANA else "change",
        actors=[kaz], recipients=[gha], contexts=["diplomatic"])
    if who == BEN:
        # disagreement: the first mention of the withdrawal, tagged as a second event
        usm = d.m("the U.S. military began their troop reduction", "U.S. military", "usa_military")
        d.e("began their troop reduction inside", "troop reduction", "RETREAT", mode="withdraw", actors=[usm],
            contexts=["military"])
    usm = d.m("the U.S. military began withdrawing", "U.S. military", "usa_military")
    d.e("began withdrawing 500 troops", "withdrawing", "RETREAT", mode="withdraw", actors=[usm],
        contexts=["military"])
    sol = d.m("Major General Qassem Soleimani", "Qassem Soleimani", "soleimani_qassem")
    bia = d.m("near Baghdad International Airport by", "Baghdad International Airport", "baghdad_airport")
    usf = d.m("by the U.S. forces on January", "U.S. forces", "usa_military")
    # disagreement: Ben leaves the date empty although the text gives it
    d.e("following his assassination near", "assassination", "ASSAULT", mode="targeted", actors=[usf],
        recipients=[sol], locations=[bia], date=None if who == BEN else dt.date(2020, 1, 3),
        flags=["historical"], contexts=["military"])
    if who == ADA:
        return ("asked: REQUEST change (asked to get the factions to reduce tensions, not for aid); "
                "'troop reduction' and 'withdrawing' are one withdrawal, tagged once at 'withdrawing' "
                "(guidelines example); assassination date 2020-01-03 is in the text")
    return None


def doc_001(d: Doc, who: str) -> str | None:
    """Qaani back in Baghdad: his visit, the talks he is to hold, the Iraqi delegation's visit to the US."""
    qaa = d.m("General Ismael Qaani, the commander", "Ismael Qaani", "qaani_ismail")
    bag = d.m("the Iraqi capital, Baghdad, to discuss", "Baghdad", "baghdad")
    gov = d.m("with the Iraqi government and political leaders", "Iraqi government", "IRQ")
    d.e("has once again arrived in", "arrived", "CONSULT", mode="visit", actors=[qaa], recipients=[gov],
        locations=[bag], contexts=["diplomatic"])
    qaa = d.m("” Ismael Qaani will discuss", "Ismael Qaani", "qaani_ismail")
    sud = d.m("with Prime Minister Mohammed Shia’ Al-Sudani and the leaders", "Mohammed Shia’ Al-Sudani",
              "sudani_mohammed_shia")
    fra = d.m("the leaders of the coordinating framework the recent", "coordinating framework",
              "irq_coordination_framework")
    d.e("Ismael Qaani will discuss with", "discuss", "CONSULT", mode="visit", actors=[qaa], recipients=[sud, fra],
        flags=["future"], contexts=["diplomatic"])
    dlg = d.m("visit by an Iraqi military delegation including", "Iraqi military delegation", None,
              type_="GROUP", country="IRQ", sector="MIL")
    usa = d.m("Foreign Affairs to the United States to discuss", "United States", "USA")
    d.e("following a visit by an Iraqi", "visit", "CONSULT", mode="visit", actors=[dlg], recipients=[usa],
        contexts=["diplomatic", "military"])
    return None


def doc_002(d: Doc, who: str) -> str | None:
    """Asharq Al-Awsat, 2020-09-28: Fouad Hussein in Tehran, the embassy threat, rockets, Soleimani."""
    hus = d.m("Foreign Minister Fouad Hussein concluded", "Fouad Hussein", "hussein_fuad")
    # disagreement: "a visit to Tehran" -- the guidelines read the host government (STATE,
    # recipient), the dictionary's capital rule a place (LOCATION, location)
    if who == BEN:
        teh = d.m("a visit to Tehran where", "Tehran", "tehran")
        d.e("concluded on Sunday a visit to", "visit", "CONSULT", mode="visit", actors=[hus], locations=[teh],
            contexts=["diplomatic"])
    else:
        teh = d.m("a visit to Tehran where", "Tehran", "IRN")
        d.e("concluded on Sunday a visit to", "visit", "CONSULT", mode="visit", actors=[hus], recipients=[teh],
            contexts=["diplomatic"])
    # disagreement: the threat tagged at "close" (guidelines) or at Pompeo's "warning"
    if who == BEN:
        pom = d.m("Mike Pompeo warning Iraqi officials", "Mike Pompeo", "pompeo_mike")
        off = d.m("Pompeo warning Iraqi officials that", "Iraqi officials", "irq_officials")
        d.e("Mike Pompeo warning Iraqi", "warning", "THREATEN", mode="relations", actors=[pom], recipients=[off],
            contexts=["diplomatic"])
    else:
        was = d.m("that Washington may close", "Washington", "USA")
        d.e("Washington may close its embassy", "close", "THREATEN", mode="relations", actors=[was],
            flags=["hypothetical"], contexts=["diplomatic"])
    fac = d.m("rocket attacks by pro-Iran factions", "pro-Iran factions", "irq_pro_iran_factions")
    d.e("come under rocket attacks by", "rocket attacks", "ASSAULT", mode="heavy-weapons", actors=[fac],
        contexts=["military"])
    gzn = d.m("against the Green Zone in Baghdad", "Green Zone", "green_zone")
    # disagreement: the attacks "ceased" -- reported as not happening (negation) or not flagged
    d.e("rocket attacks against the Green Zone", "rocket attacks", "ASSAULT", mode="heavy-weapons",
        locations=[gzn], flags=[] if who == BEN else ["negation"], contexts=["military"])
    hus = d.m("Awsat that Hussein relayed", "Hussein", "hussein_fuad")
    irn = d.m("relayed to the Iranians the", "Iranians", "irn_officials")
    d.e("asking them to wield", "asking", "REQUEST", mode="change", actors=[hus], recipients=[irn],
        contexts=["diplomatic"])
    teh = d.m("even though Tehran has been firm", "Tehran", "IRN")
    d.e("seeking to avenge the killing", "avenge", "THREATEN", mode="violence", actors=[teh],
        contexts=["military"])
    sol = d.m("Quds Force commander Qassem Soleimani.", "Qassem Soleimani", "soleimani_qassem")
    bap = d.m("near Baghdad airport in January", "Baghdad airport", "baghdad_airport")
    # disagreement: the killing tagged at "killed" or at "drone strike"
    if who == BEN:
        d.e("The top general was killed by", "killed", "ASSAULT", mode="drone", recipients=[sol],
            locations=[bap], flags=["historical"], contexts=["military"])
    else:
        d.e("an American drone strike near", "drone strike", "ASSAULT", mode="drone", recipients=[sol],
            locations=[bap], flags=["historical"], contexts=["military"])
    nez = d.m("In Baghdad, Nezami met", "Nezami", "nezami_ghadir")
    sad = d.m("Defense Minister Juma Anad Saadoun", "Juma Anad Saadoun", "saadoun_juma_anad")
    bag = d.m("In Baghdad, Nezami", "Baghdad", "baghdad")
    d.e("Nezami met with Defense", "met", "CONSULT", mode="visit", actors=[nez], recipients=[sad],
        locations=[bag], contexts=["diplomatic", "military"])
    if who == ADA:
        return ("Tehran: STATE (the host government, guidelines' worked example), recipient; threat "
                "tagged at 'close' with Washington (guidelines), not at 'warning'; attacks that 'ceased' "
                "are flagged negation; the killing is the 'drone strike'")
    return None


def doc_003(d: Doc, who: str) -> str | None:
    """Shafaq News, 2020-08-24: the summit to come, the visit to the US, parliament, Soleimani."""
    kaz = d.m("Prime Minister, Mustafa Al-Kazemi, and all political forces", "Mustafa Al-Kazemi",
              "kazemi_mustafa")
    pol = d.m("Al-Kazemi, and all political forces, to discuss", "political forces", None, type_="GROUP",
              country="IRQ", sector="PTY")
    d.e("that a meeting will be held", "meeting", "CONSULT", mode="multilateral", actors=[kaz], recipients=[pol],
        flags=["future"], contexts=["political_institutions"])
    kaz = d.m("Al-Kazemi and a high-level government delegation", "Al-Kazemi", "kazemi_mustafa")
    dlg = d.m("a high-level government delegation recently", "high-level government delegation", None,
              type_="GROUP", country="IRQ", sector="GOV")
    usa = d.m("recently visited the United States", "United States", "USA")
    d.e("delegation recently visited the", "visited", "CONSULT", mode="visit", actors=[kaz, dlg],
        recipients=[usa], contexts=["diplomatic"])
    par = d.m("the Iraqi parliament voted", "Iraqi parliament", "irq_parliament")
    bag = d.m("demanding Baghdad work to remove", "Baghdad", "IRQ")
    d.e("a resolution demanding Baghdad", "demanding", "REQUEST", mode="change", actors=[par], recipients=[bag],
        date=dt.date(2020, 1, 5), flags=["historical"], contexts=["legislative", "military"])
    was = d.m("after Washington assassinated", "Washington", "USA")
    sol = d.m("Quds Force, Qassem Soleimani, and", "Qassem Soleimani", "soleimani_qassem")
    muh = d.m("Forces, Abu Mahdi Al-Muhandis, in", "Abu Mahdi Al-Muhandis", "muhandis_abu_mahdi")
    bap = d.m("near Baghdad airport .", "Baghdad airport", "baghdad_airport")
    d.e("Washington assassinated the commander", "assassinated", "ASSAULT", mode="aerial", actors=[was],
        recipients=[sol, muh], locations=[bap], date=dt.date(2020, 1, 3), flags=["historical"],
        contexts=["military"])
    usf = d.m("The US forces have withdrawn", "US forces", "usa_military")
    coa = d.m("Washington-led coalition forces", "coalition forces", "global_coalition")
    d.e("US forces have withdrawn", "withdrawn", "RETREAT", mode="withdraw", actors=[usf, coa],
        contexts=["military"])
    return None


def doc_004(d: Doc, who: str) -> str | None:
    """Baghdad Today, 2020-11-22: Pompeo's support, the phone call, the withdrawal of 500, the Green Zone."""
    pom = d.m("US Secretary of State Mike Pompeo confirmed", "Mike Pompeo", "pompeo_mike")
    kaz = d.m("the Prime Minister, Mustafa Al-Kazemi and his team", "Mustafa Al-Kazemi", "kazemi_mustafa")
    d.e("confirmed the support of", "support", "SUPPORT", actors=[pom], recipients=[kaz],
        date=dt.date(2020, 11, 22), contexts=["diplomatic"])
    kaz = d.m("The Prime Minister, Mustafa Al-Kazemi, had received", "Mustafa Al-Kazemi", "kazemi_mustafa")
    pom = d.m("United States of America, Mike Pompeo .", "Mike Pompeo", "pompeo_mike")
    d.e("2020), a phone call from", "phone call", "CONSULT", mode="phone", actors=[pom], recipients=[kaz],
        date=dt.date(2020, 11, 17), contexts=["diplomatic"])
    usa = d.m("that the United States’ decision to withdraw", "United States", "USA")
    # disagreement: a decision taken and under way (no flag) or a withdrawal still to come (future)
    d.e("decision to withdraw 500 of its forces", "withdraw", "RETREAT", mode="withdraw", actors=[usa],
        flags=["future"] if who == ANA else [], contexts=["military"])
    kaz = d.m("“Al-Kazemi and Pompeo agreed", "Al-Kazemi", "kazemi_mustafa")
    pom = d.m("Al-Kazemi and Pompeo agreed", "Pompeo", "pompeo_mike")
    d.e("and Pompeo agreed during", "agreed", "AGREE", actors=[kaz, pom], contexts=["military"])
    gzn = d.m("the targeting of the Green Zone yesterday", "Green Zone", "green_zone")
    # disagreement: unnamed attackers -- non-state armed groups or a mere collective
    org = d.m("assault by criminal and terrorist organizations", "criminal and terrorist organizations", None,
              type_="GROUP" if who == BEN else "ARMED_GROUP")
    # disagreement: "yesterday" in a statement of Wednesday 18 November -> 17 November, or left empty
    d.e("Regarding the targeting of", "targeting", "ASSAULT", actors=[org], locations=[gzn],
        date=None if who == BEN else dt.date(2020, 11, 17), contexts=["terrorism"])
    hus = d.m("Hussein stressed, “We condemn", "Hussein", "hussein_fuad")
    d.e("“We condemn and", "condemn", "ACCUSE", mode="disapprove", actors=[hus], contexts=["terrorism"])
    if who == ADA:
        return ("the attackers are armed groups (ARMED_GROUP); 'yesterday' in Wednesday's statement is "
                "2020-11-17; the withdrawal was decided and under way, not flagged future")
    return None


DOCS = {
    "000_87d7f54058e42e0b": doc_000,
    "001_e03c588a3ee11681": doc_001,
    "002_dad6e3c2e5782cf7": doc_002,
    "003_fe122d7538d20c8f": doc_003,
    "004_7e88fb271410e547": doc_004,
}
LEAD_TIMES = {
    ANA: [412.0, 236.5, 655.0, 388.0, 471.5],
    BEN: [365.0, 301.0, 590.5, 420.0, 402.0],
    ADA: [240.0, 180.0, 515.0, 200.0, 333.0],
}


def annotation(article: Article, who: str) -> DocumentAnnotation:
    """``who``'s hand annotation of one seed article."""
    doc = Doc(article.text)
    notes = DOCS[article.id](doc, who)
    return DocumentAnnotation(
        doc_id=article.id,
        origin=Origin(kind="adjudicator" if who == ADA else "annotator", name=who),
        mentions=doc.mentions,
        events=doc.events,
        relevance="relevant",
        notes=notes,
    )


# ---------------------------------------------------------------------------
# the Label Studio round trip
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def connect(url: str | None, api_key: str | None) -> Iterator[LabelStudioClient]:
    """A client of the given server, or of a throw-away one started (and stopped) here."""
    if url:
        if not api_key:
            raise SystemExit("--api-key (or LABEL_STUDIO_API_KEY) is needed with --url")
        client = LabelStudioClient(Connection(url=url, api_key=api_key, source="sample"))
        try:
            yield client
        finally:
            client.close()
        return
    if not server.is_installed():
        raise SystemExit("the Label Studio server venv is not installed: run `eventgold server install`")
    with tempfile.TemporaryDirectory(prefix="eventgold-sample-ls-") as data:
        token = secrets.token_hex(20)
        print(f"starting a throw-away Label Studio in {data} ...", flush=True)
        state = server.start(data, username="admin@example.org", password=secrets.token_urlsafe(16), token=token)
        client = LabelStudioClient(Connection(url=state.url, api_key=token, source="sample"))
        try:
            yield client
        finally:
            client.close()
            server.stop(data)


def candidates_by_id(article: Article, gazetteer: Any) -> dict[str, str]:
    """The task's actor candidates: canonical id -> choice value."""
    return {c["value"].split(" — ")[0]: c["value"] for c in actor_candidates(article, gazetteer)}


def annotate(
    client: LabelStudioClient, project_id: int, articles: Sequence[Article], people: dict[str, int],
    names: Sequence[str], gazetteer: Any,
) -> int:
    """Create ``names``' annotations of ``articles`` in a project, as if submitted in the UI."""
    tasks = existing_tasks(client, project_id)
    made = 0
    for article in articles:
        task = tasks[article.id]
        if task.annotations:
            raise SystemExit(f"task {task.id} of {article.id} already has annotations; use a fresh server")
        for who in names:
            ann = annotation(article, who)
            index = sorted(DOCS).index(article.id)
            client.post_json(
                f"/api/tasks/{task.id}/annotations",
                {
                    "result": annotation_to_results(ann, article.text, candidates=candidates_by_id(article, gazetteer)),
                    "completed_by": people[who],
                    "lead_time": LEAD_TIMES[who][index],
                },
            )
            made += 1
    return made


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def build(client: LabelStudioClient, out: Path, raw: Path) -> None:
    """Run the whole loop (module docstring) against ``client``'s server."""
    ontology = load_ontology()
    xml, guidelines = label_config_and_instructions()
    gazetteer = load_gazetteer()
    with tempfile.TemporaryDirectory(prefix="eventgold-sample-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        ingest_to_file([ARTICLES], corpus)
        articles = list(read_jsonl(corpus, Article))
        assert sorted(a.id for a in articles) == sorted(DOCS), [a.id for a in articles]
        for article in articles:  # every annotation is valid before anything is sent
            for who in (ANA, BEN, ADA):
                check_annotation(annotation(article, who), ontology, article)

        pushed = push_articles(
            client, articles, project_title=ANNOTATION_PROJECT, label_config=xml, instructions=guidelines,
            ontology=ontology, overlap=2, candidates=lambda a: actor_candidates(a, gazetteer),
        )
        print(f"project {ANNOTATION_PROJECT!r}: {pushed.created} tasks created", flush=True)
        made = add_annotators(client, [ANA, BEN, ADA], Path(tmp) / "passwords.json")
        people = {a.email: int(a.user_id) for a in made if a.user_id is not None}
        n = annotate(client, pushed.project.id, articles, people, [ANA, BEN], gazetteer)
        print(f"{n} annotations by {ANA} and {BEN}", flush=True)

        raw.mkdir(parents=True, exist_ok=True)
        first = pull_snapshot(client, ANNOTATION_PROJECT, raw)
        print(f"pulled {shown(first.path)}", flush=True)
        conflicts = round1_conflicts(first.path, raw, ontology)

        texts = articles_from_label_studio(client, conflicts)
        review = push_review(
            client, conflicts, texts, project_title=REVIEW_PROJECT, label_config=xml,
            instructions=review_instructions(guidelines), ontology=ontology,
            candidates=lambda a: actor_candidates(a, gazetteer),
        )
        print(f"review project {REVIEW_PROJECT!r}: {review.created} tasks, {review.predictions_added} "
              "predictions (one per annotator version)", flush=True)
        annotate(client, review.project.id, [texts[c.doc_id] for c in conflicts], people, [ADA], gazetteer)
        second = pull_snapshot(client, REVIEW_PROJECT, raw)
        assert second.annotation_kind == "adjudicator", second
        print(f"pulled {shown(second.path)} (adjudications)", flush=True)

        final_gold(first.path, second.path, out, raw, ontology)


def round1_conflicts(first: Path, raw: Path, ontology: Ontology) -> list[Conflict]:
    """Step 2: ``gold build --policy majority`` on the first snapshot; its conflicts -> ``conflicts-round1.jsonl``."""
    round1 = build_gold([read_snapshot(first)], ontology, BuildOptions(version="round1", policy="majority"))
    conflicts = round1.conflicts
    write_jsonl(raw / "conflicts-round1.jsonl", conflicts)
    print(f"majority: {len(round1.documents)} documents gold, {len(conflicts)} with conflicts "
          f"({', '.join(c.doc_id for c in conflicts)})", flush=True)
    return conflicts


def final_gold(first: Path, second: Path, out: Path, raw: Path, ontology: Ontology) -> None:
    """Step 5: ``gold build`` (default policy) from both snapshots -> the gold version folder ``out``."""
    final = build_gold([read_snapshot(first), read_snapshot(second)], ontology, BuildOptions(version=out.name))
    if final.conflicts:
        raise SystemExit(f"{len(final.conflicts)} conflicts left after review; nothing written")
    write_gold_version(final, out)
    for path in [*raw.iterdir(), *out.iterdir()]:  # written 0600 like every atomic write; these are for the repository
        path.chmod(0o644)
    c = final.manifest.counts
    print(f"wrote {shown(out)}: {sum(c.documents.values())} documents "
          f"({', '.join(f'{k} {v}' for k, v in c.documents.items())}); decisions {c.decisions}")


def rebuild(out: Path, raw: Path) -> None:
    """Steps 2 and 5 again from the committed snapshots in ``raw`` (no server, no new annotation).

    For a change of eventgold that changes what is written but not what was annotated (schema 1.1's
    ``arguments``, say): ``conflicts-round1.jsonl`` is rewritten and the gold version built into ``out``;
    compare it with the old one with ``eventgold gold diff OLD NEW``.
    """
    snapshots = sorted(p for p in raw.glob("eventgold-sample-*.json") if not p.name.endswith(".meta.json"))
    firsts = [p for p in snapshots if not p.name.startswith("eventgold-sample-review-")]
    seconds = [p for p in snapshots if p.name.startswith("eventgold-sample-review-")]
    if len(firsts) != 1 or len(seconds) != 1:
        raise SystemExit(f"{raw}: expected one annotation and one review snapshot, found "
                         f"{[p.name for p in snapshots]}")
    ontology = load_ontology()
    round1_conflicts(firsts[0], raw, ontology)
    final_gold(firsts[0], seconds[0], out, raw, ontology)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options and build the sample gold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=os.environ.get("LABEL_STUDIO_URL"), help="a running Label Studio")
    parser.add_argument("--api-key", default=os.environ.get("LABEL_STUDIO_API_KEY"), help="its API key")
    parser.add_argument("--out", type=Path, default=packaged_samples() / "gold" / "v1", help="the gold version folder")
    parser.add_argument("--raw", type=Path, default=HERE / "raw", help="where the raw snapshots go")
    parser.add_argument(
        "--rebuild", action="store_true",
        help="no server: rebuild conflicts-round1.jsonl and the gold version from the snapshots already in --raw",
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    if out.exists():
        again = f"move it away to rebuild from {args.raw}" if args.rebuild else f"delete it and {args.raw} to rebuild"
        print(f"{out} exists; gold versions are never overwritten ({again})", file=sys.stderr)
        return 2
    if args.rebuild:
        rebuild(out, args.raw.resolve())
        return 0
    with connect(args.url, args.api_key) as client:
        build(client, out, args.raw.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
