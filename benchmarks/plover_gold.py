"""Build an eventgold gold version from the OEDA PLOVER gold standard records (issue #18).

The records (``gold_standard_records/PLOVER_GSR_CAMEO.txt`` of github.com/openeventdata/PLOVER,
CC BY-SA 4.0, Copyright 2016 Open Event Data Alliance; benchmarks/data/plover-gsr/SOURCE.md) are
one DOCUMENT record and 322 sentences of the CAMEO manual, each coded with one event (``event``,
``mode``, ``context``), source / target actors (``actorText``, ``code``, ``sector``) and
``textInfo.markup``: the sentence with inline ``(SRC: ...)``, ``(TAR: ...)``, ``(SRC/TAR: ...)``,
``(EVT: ...)``, ``(LOC: ...)`` spans.

One document per record (id = record id, made unique; text = ``text``): the markup is aligned to
the text (:func:`align`); SRC, TAR, SRC/TAR spans (SRC/LOC, TAR/LOC as SRC, TAR) become mentions
typed by :func:`actor_type` from the best matching actor entry; one event: type ``event`` (only if
the default ontology has it), trigger = first EVT span, mode and contexts when the ontology knows
them, SRC -> ``actor``, TAR -> ``recipient``, SRC/TAR -> both. LOC spans are not converted.
Splits: seeded 60/20/20 stratified by event type (:func:`eventgold.gold.splits.assign_splits`).
Everything left out or repaired is listed in the version's ``problems.jsonl``.

Usage::

    .venv/bin/python benchmarks/plover_gold.py --out /tmp/plovergold/v1 [--seed 0] [--source FILE]
    .venv/bin/python benchmarks/plover_gold.py --survey      # markup forms, codes, sectors
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from phee_gold import Tally, imported_build, split_stats

from eventgold.gold.dataset import (
    GoldBuild,
    SourceRef,
    read_gold_version,
    write_gold_version,
)
from eventgold.gold.splits import assign_splits
from eventgold.gold.units import role_order, sorted_arguments, sorted_mentions, unit_id
from eventgold.models import Article, Event, GoldDocument, Mention, Provenance, Span
from eventgold.ontology import Ontology, load_ontology
from eventgold.problems import Problem

DATASET = "PLOVER-GSR"
MIRROR = Path("/work/.mirror/openeventdata+PLOVER/repo")
SOURCE_PATH = "gold_standard_records/PLOVER_GSR_CAMEO.txt"
TAG_RE = re.compile(r"\((SRC/TAR|SRC/LOC|TAR/LOC|SRC|TAR|EVT|LOC)\s*:\s*")
CLOSERS = ")}"
ROLES_OF_TAG = {"SRC": ("actor",), "TAR": ("recipient",), "SRC/TAR": ("actor", "recipient")}
TAG_ALIAS = {"SRC/LOC": "SRC", "TAR/LOC": "TAR"}
ISO3 = frozenset(  # ISO 3166-1 alpha-3, all 249 codes
    re.findall(
        r"[A-Z]{3}",
        """AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BMU BTN BOL
    BES BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF TCD CHL CHN CXR CCK COL COM COG COD COK CRI CIV
    HRV CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO
    DEU GHA GIB GRC GRL GRD GLP GUM GTM GGY GIN GNB GUY HTI HMD VAT HND HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR ITA
    JAM JPN JEY JOR KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC MDG MWI MYS MDV MLI MLT MHL
    MTQ MRT MUS MYT MEX FSM MDA MCO MNG MNE MSR MAR MOZ MMR NAM NRU NPL NLD NCL NZL NIC NER NGA NIU NFK MKD MNP NOR
    OMN PAK PLW PSE PAN PNG PRY PER PHL PCN POL PRT PRI QAT REU ROU RUS RWA BLM SHN KNA LCA MAF SPM VCT WSM SMR STP
    SAU SEN SRB SYC SLE SGP SXM SVK SVN SLB SOM ZAF SGS SSD ESP LKA SDN SUR SJM SWE CHE SYR TWN TJK TZA THA TLS TGO
    TKL TON TTO TUN TUR TKM TCA TUV UGA UKR ARE GBR USA UMI URY UZB VUT VEN VNM VGB VIR WLF ESH YEM ZMB ZWE""",
    )
)
ARMED_SECTORS = frozenset({"MIL", "COP", "REB", "PRM", "UAF"})
ORG_CODES = frozenset({"IGO", "NGO"})
ORG_SECTORS = frozenset({"BUS", "PTY", "LEG", "JUD", "SPY"})
STATE_SECTORS = frozenset({"", "GOV", "***"})
TITLES = re.compile(
    r"\b(President|Minister|Secretary|Secretary-General|Chancellor|King|Premier|General|Judge|Archbishop|"
    r"Ayatollah|Sheikh|Pope|Senator|Governor|Ambassador|Mr\.?|Mrs\.?|Maulana)\b"
)
ORG_WORDS = re.compile(
    r"\b(University|Union|Court|Congress|[Pp]arliament|Assembly|Association|Front|Party|Council|Committee|"
    r"Forum|[Aa]gency|Cross|Crescent|School|Company|Coalition|coalition|[Mm]ovement|group)\b"
)
NAME_RE = re.compile(r"^(?:[A-Z][\w'.-]+ ){1,2}[A-Z][\w'-]+$")
MIN_RATIO, MIN_COVER = 0.8, 0.8  # least similarity of markup and text; least share of a span's characters placed


class AlignError(ValueError):
    """The markup does not reproduce the text once its tags are stripped."""


@dataclass(frozen=True)
class MarkupSpan:
    """A tagged span of the markup, located in the text (``start``/``end`` are character offsets)."""

    tag: str
    start: int
    end: int


@dataclass(frozen=True)
class Alignment:
    """The markup's spans located in the text, how many blocks differed, which spans were not placed."""

    spans: list[MarkupSpan]
    repairs: int
    failures: list[str]


def load_records(source: Path | None) -> tuple[list[dict[str, Any]], str]:
    """The GSR records and the sha256 of their file.

    Args:
        source: a copy of ``PLOVER_GSR_CAMEO.txt``; None reads it from the mirror's HEAD.

    Returns:
        (records as a list of dicts, sha256 hex of the file bytes). Raises OSError or
        CalledProcessError when the file cannot be read.
    """
    if source is None:
        git = ["git", f"--git-dir={MIRROR}", "show", f"HEAD:{SOURCE_PATH}"]
        data = subprocess.run(git, check=True, capture_output=True).stdout
    else:
        data = source.read_bytes()
    return json.loads(data.decode("utf-8")), hashlib.sha256(data).hexdigest()


def markup_of(record: dict[str, Any]) -> str | None:
    """``textInfo.markup``; one record has the markup string directly as ``textInfo``."""
    info = record.get("textInfo")
    if isinstance(info, str):
        return info or None
    if isinstance(info, dict) and isinstance(info.get("markup"), str):
        return str(info["markup"]) or None
    return None


def strip_markup(markup: str) -> tuple[str, list[MarkupSpan], list[str]]:
    """The markup without its tags, and the tagged spans as offsets into that plain string.

    A ``)`` closes a literal ``(`` of the text first, else the innermost open tag; ``}`` also
    closes a tag; a closer with no tag open is kept as text.

    Returns:
        (plain string, spans in closing order (untrimmed), tags never closed).
    """
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    spans: list[MarkupSpan] = []
    j = literal = 0
    while j < len(markup):
        tag = TAG_RE.match(markup, j)
        if tag:
            stack.append((tag.group(1), len(out)))
            j = tag.end()
            continue
        c = markup[j]
        if c in CLOSERS and stack and not (c == ")" and literal):
            name, start = stack.pop()
            spans.append(MarkupSpan(name, start, len(out)))
        else:
            literal += (c == "(") - (c == ")" and literal > 0)
            out.append(c)
        j += 1
    return "".join(out), spans, [name for name, _ in stack]


def align(markup: str, text: str, min_ratio: float = MIN_RATIO) -> Alignment:
    """Locate the markup's tagged spans in ``text``.

    The tags are stripped (:func:`strip_markup`); when the rest differs from the text, it is
    aligned character by character (difflib) and a span keeps its aligned characters if they
    are at least :data:`MIN_COVER` of it.

    Args:
        markup: the text with ``(TAG: `` and ``)`` inserted; text: the sentence;
        min_ratio: the least similarity (difflib ratio) of stripped markup and text, else AlignError.

    Returns:
        The spans (trimmed of whitespace, ordered by offsets), the number of differing blocks,
        and the spans that could not be placed.

    Example:
        >>> align("(SRC: Libya) has (EVT: offered)", "Libya has offered").spans[0]
        MarkupSpan(tag='SRC', start=0, end=5)
    """
    plain, raw, unclosed = strip_markup(markup)
    failures = [f"{name} never closed" for name in unclosed]
    matcher = SequenceMatcher(None, plain, text, autojunk=False)
    if matcher.ratio() < min_ratio:
        raise AlignError(f"stripped markup is only {matcher.ratio():.2f} similar to the text")
    where, repairs = [-1] * len(plain), 0
    for op, i1, i2, j1, _ in matcher.get_opcodes():
        if op == "equal":
            where[i1:i2] = range(j1, j1 + i2 - i1)
        else:
            repairs += 1
    spans: list[MarkupSpan] = []
    for span in raw:
        placed = [where[p] for p in range(span.start, span.end) if where[p] >= 0 and not text[where[p]].isspace()]
        solid = sum(1 for p in range(span.start, span.end) if not plain[p].isspace())
        if not solid:
            continue
        if len(placed) < MIN_COVER * solid:
            failures.append(f"{span.tag} {plain[span.start : span.end]!r} not found in the text")
            continue
        spans.append(MarkupSpan(span.tag, placed[0], placed[-1] + 1))
    return Alignment(sorted(spans, key=lambda s: (s.start, s.end)), repairs, failures)


def best_actor(span_text: str, candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The actor entry whose ``actorText`` best matches a span: equal, then containment, then word overlap."""
    best, best_score = None, 0.0
    key = " ".join(span_text.lower().split())
    for actor in candidates:
        name = " ".join(str(actor.get("actorText", "")).lower().split())
        if not name:
            continue
        words, span_words = set(re.findall(r"[a-z0-9]+", name)), set(re.findall(r"[a-z0-9]+", key))
        if name == key:
            score = 3.0
        elif name in key or key in name:
            score = 2.0
        else:
            score = len(words & span_words) / max(1, len(words | span_words))
        if score > best_score:
            best, best_score = actor, score
    return best


def actor_type(actor: dict[str, Any] | None, onto: Ontology) -> tuple[str, str | None, str | None]:
    """Mention (type, country, sector) from a GSR actor entry (rule table in SOURCE.md).

    First match wins (sector = its first three letters, ``CVLalb`` -> ``CVL``): a title word
    (President, Minister, ...), or sector ELI/OPP/PTY and a 2-3 word capitalised name -> PERSON;
    code IMG or sector MIL/COP/REB/PRM/UAF -> ARMED_GROUP; code IGO/NGO, sector BUS/PTY/LEG/JUD/SPY
    or a capitalised text with an organisation word -> ORGANIZATION; ISO alpha-3 code with no
    sector, GOV or ``***`` -> STATE; else (and with no actor entry) GROUP.

    Returns:
        (actor type, ISO alpha-3 country or None, ontology sector code or None).
    """
    if actor is None:
        return "GROUP", None, None
    text, code = str(actor.get("actorText", "")).strip(), str(actor.get("code") or "").upper()
    raw = str(actor.get("sector") or "")
    base = raw[:3].upper()
    country = code if code in ISO3 else None
    sector = base if base in onto.sector_codes else None
    if (TITLES.search(text) and text.split()[-1][:1].isupper()) or (
        base in {"ELI", "OPP", "PTY"} and NAME_RE.match(text) and not ORG_WORDS.search(text)
    ):
        kind = "PERSON"
    elif code == "IMG" or base in ARMED_SECTORS:
        kind = "ARMED_GROUP"
    elif code in ORG_CODES or base in ORG_SECTORS or (text[:1].isupper() and ORG_WORDS.search(text)):
        kind = "ORGANIZATION"
    elif country and raw.upper() in STATE_SECTORS:
        kind = "STATE"
    else:
        kind = "GROUP"
    return kind, country, sector


def note(tally: Tally, doc_id: str, region: str, problem: str, action: str) -> None:
    """List a repair (not a drop) among the version's problems."""
    tally.problems.append(Problem(snapshot=SOURCE_PATH, doc_id=doc_id, region=region, problem=problem, action=action))


def _actors(record: dict[str, Any], side: str) -> list[dict[str, Any]]:
    value = record.get(side)
    return [a for a in value if isinstance(a, dict)] if isinstance(value, list) else []


OLDER_TYPES: dict[str, tuple[str, str | None]] = {
    "DEMAND": ("REQUEST", None),
    "DISAPPROVE": ("ACCUSE", "disapprove"),
    "INVESTIGATE": ("ACCUSE", "investigate"),
    "FIGHT": ("ASSAULT", None),
}
"""Types of the older PLOVER (the GSR's) -> (PLOVER v0.8 type, mode), as the manual maps CAMEO's codes
(/work/shared/PLOVER.md "From CAMEO": 10 demand -> REQUEST, 11 disapprove -> ACCUSE, 09 investigate ->
ACCUSE (investigate), 18/19 fight -> ASSAULT)."""


def convert_record(record: dict[str, Any], onto: Ontology, tally: Tally, stats: Counter[str]) -> GoldDocument | None:
    """One GSR record as a GoldDocument (split not yet set), or None when it is left out (listed in ``tally``).

    Args:
        record: a GSR record.
        onto: the default PLOVER ontology.
        tally: collects what is left out.
        stats: counts repairs, unmatched actors, dropped modes and contexts.
    """
    rid, etype = str(record.get("id")), str(record.get("event"))
    if etype == "DOCUMENT":
        tally.drop(rid, SOURCE_PATH, "record", "DOCUMENT record", etype)
        return None
    text, markup = record.get("text"), markup_of(record)
    if not isinstance(text, str) or not text.strip() or markup is None:
        tally.drop(rid, SOURCE_PATH, "textInfo", "no text or no markup", etype)
        return None
    old_type = etype
    etype, old_mode = OLDER_TYPES.get(etype, (etype, None))
    if etype not in onto.event_type_names:
        tally.drop(rid, SOURCE_PATH, "event", "event type not in the PLOVER ontology", etype)
        return None
    if old_type != etype:
        stats[f"type {old_type} -> {etype}"] += 1
    try:
        aligned = align(markup, text)
    except AlignError as err:
        tally.drop(rid, SOURCE_PATH, "textInfo.markup", f"markup does not align ({err})", etype)
        return None
    spans = aligned.spans
    if aligned.repairs:
        stats["records aligned approximately"] += 1
        note(tally, rid, "textInfo.markup", f"markup differs from the text in {aligned.repairs} place(s)", "aligned")
    for failure in aligned.failures:
        tally.drop(rid, SOURCE_PATH, "textInfo.markup", "span not placed", failure)
    triggers = sorted((s for s in spans if s.tag == "EVT"), key=lambda s: (s.start, s.end))
    if not triggers:
        tally.drop(rid, SOURCE_PATH, "textInfo.markup", "no EVT span", etype)
        return None
    mentions: dict[tuple[int, int], Mention] = {}
    args: set[tuple[str, str]] = set()
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        tag = TAG_ALIAS.get(span.tag, span.tag)
        if tag not in ROLES_OF_TAG:
            continue
        piece = text[span.start : span.end]
        sides = {"SRC": ["source"], "TAR": ["target"]}.get(tag, ["source", "target"])
        actor = best_actor(piece, [a for s in sides for a in _actors(record, s)])
        if actor is None:  # tagged on the other side in the actor lists
            actor = best_actor(piece, _actors(record, "source") + _actors(record, "target"))
            stats["actor found on the other side" if actor else "no actor entry (GROUP)"] += 1
        if (span.start, span.end) not in mentions:
            kind, country, sector = actor_type(actor, onto)
            mid = unit_id(rid, "mention", span.start, span.end, kind)
            mentions[(span.start, span.end)] = Mention(
                id=mid, type=kind, start=span.start, end=span.end, text=piece, country=country, sector=sector
            )
        mention = mentions[(span.start, span.end)]
        for role in ROLES_OF_TAG[tag]:
            problem = onto.argument_problem(etype, role, mention.type)
            if problem:
                tally.drop(rid, SOURCE_PATH, f"{tag} {piece!r}", problem, "argument")
                continue
            args.add((role, mention.id))
    first = triggers[0]
    mode = old_mode or str(record.get("mode") or "")
    if mode and mode not in onto.modes_of(etype):
        stats[f"mode dropped: {mode}"] += 1
    raw_contexts = {c.strip() for c in str(record.get("context") or "").split(",") if c.strip()}
    stats.update(f"context dropped: {c}" for c in raw_contexts if c not in onto.contexts)
    event = Event(
        id=unit_id(rid, "event", first.start, first.end, etype),
        type=etype,
        trigger=Span(start=first.start, end=first.end, text=text[first.start : first.end]),
        mode=mode if mode in onto.modes_of(etype) else None,
        arguments=sorted_arguments(args, role_order(onto)),
        contexts=sorted(raw_contexts & set(onto.contexts)),
    )
    meta = {k: str(record[k]) for k in ("eventText", "comment", "publication") if record.get(k)}
    article = Article(id=rid, text=text, source=DATASET, language="en", meta=meta)
    imported = Provenance(annotators=[DATASET], decision="imported")
    provenance = {uid: imported for uid in [event.id, *(m.id for m in mentions.values())]}
    return GoldDocument(
        article=article,
        mentions=sorted_mentions(mentions.values()),
        events=[event],
        provenance=dict(sorted(provenance.items())),
    )


def unique_ids(records: list[dict[str, Any]], tally: Tally) -> list[dict[str, Any]]:
    """The records with repeated ids made unique: the n-th repeat gets ``-dup<n>`` (listed as a problem).

    The GSR has one id twice (PLOVER-GSR01-COERCE-0004, two different sentences).
    """
    seen: Counter[str] = Counter()
    out: list[dict[str, Any]] = []
    for record in records:
        rid = str(record.get("id"))
        seen[rid] += 1
        if seen[rid] > 1:
            new = f"{rid}-dup{seen[rid] - 1}"
            note(tally, new, "id", f"id {rid} repeated", "renamed")
            record = {**record, "id": new}
        out.append(record)
    return out


def build(
    records: list[dict[str, Any]], sha256: str, onto: Ontology, version: str, seed: int
) -> tuple[GoldBuild, Tally, Counter[str]]:
    """Convert the GSR records into a gold version in memory.

    Args:
        records: the parsed GSR file; sha256: its hash; onto: the default PLOVER ontology;
        version: the version name; seed: split seed (60/20/20, stratified by event type).

    Returns:
        The build (documents sorted by id), the tally of what was left out, conversion counts.
    """
    tally, stats = Tally(), Counter[str]()
    converted = [convert_record(r, onto, tally, stats) for r in unique_ids(records, tally)]
    docs, info = assign_splits([d for d in converted if d is not None], ratios=(0.6, 0.2, 0.2), seed=seed)
    sources = [SourceRef(file=SOURCE_PATH, sha256=sha256)]
    return imported_build(docs, onto, DATASET, version, sources, info, tally), tally, stats


def survey(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """What the records hold: markup forms and tags, event types, modes, contexts, actor codes and sectors."""
    count: dict[str, Counter[str]] = {
        k: Counter() for k in ("forms", "tags", "event", "mode", "context", "code", "sector")
    }
    for record in records:
        count["event"][str(record.get("event"))] += 1
        count["mode"][str(record.get("mode") or "-")] += 1
        count["context"][str(record.get("context") or "-")] += 1
        markup = markup_of(record)
        if record.get("event") == "DOCUMENT" or markup is None:
            count["forms"]["DOCUMENT record" if record.get("event") == "DOCUMENT" else "no markup"] += 1
            continue
        count["forms"]["textInfo is a string" if isinstance(record.get("textInfo"), str) else "textInfo.markup"] += 1
        count["tags"].update(m.group(1) for m in TAG_RE.finditer(markup))
        count["forms"]["'}' closer"] += markup.count("}")
        count["forms"]["tag without space after ':'"] += len(re.findall(r"\([A-Z/]+:\S", markup))
        depth = deepest = 0
        for c in markup:
            depth += (c == "(") - (c == ")")
            deepest = max(deepest, depth)
        count["forms"][f"paren depth {deepest}, balance {depth:+d}"] += 1
        for actor in _actors(record, "source") + _actors(record, "target"):
            count["code"][str(actor.get("code"))] += 1
            count["sector"][str(actor.get("sector") or "-")] += 1
    return {key: dict(c.most_common()) for key, c in count.items()}


def main(argv: list[str] | None = None) -> int:
    """Command line: survey, or convert, write, read back with the default ontology, print a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, help=f"a copy of {SOURCE_PATH} (default: the mirror's HEAD)")
    parser.add_argument("--out", type=Path, help="gold version folder to write (must not differ)")
    parser.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    parser.add_argument("--survey", action="store_true", help="print the survey of the records and stop")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    records, sha256 = load_records(args.source)
    if args.survey or args.out is None:
        print(json.dumps(survey(records), indent=2))
        return 0 if args.survey else 2
    onto = load_ontology()
    gold, tally, stats = build(records, sha256, onto, args.out.name, args.seed)
    status = write_gold_version(gold, args.out)
    back = read_gold_version(args.out, onto)
    summary = {
        "dataset": DATASET,
        "source_sha256": sha256,
        "out": str(args.out),
        "status": status,
        "documents_read_back": len(back.documents),
        "splits": split_stats(back.documents),
        "mention_types": dict(Counter(m.type for d in back.documents for m in d.mentions).most_common()),
        "dropped": dict(tally.dropped.most_common()),
        "dropped_ids": sorted({p.doc_id for p in tally.problems if p.doc_id}),
        "conversion": dict(sorted(stats.items())),
        "seconds": round(time.perf_counter() - began, 2),
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
