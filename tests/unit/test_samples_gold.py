"""The packaged sample gold (src/eventgold/data/samples/gold/v1): it loads, is valid, and is what its snapshots give.

It was built through Label Studio by ``samples/build_sample_gold.py``; these
checks need no server: the raw snapshots it was built from are committed too
(``samples/raw``), so rebuilding from them must give the same bytes.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from eventgold import SCHEMA_VERSION
from eventgold.fileio import sha256_file
from eventgold.gold.dataset import FILES, BuildOptions, build_gold, read_gold_version
from eventgold.gold.inputs import merge_snapshots
from eventgold.ingest import ingest_to_file
from eventgold.jsonl import read_jsonl
from eventgold.labelstudio.label_config import render_label_config
from eventgold.labelstudio.pull import verify_snapshot
from eventgold.labelstudio.review import read_conflicts
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.models import SPLITS, Article, check_gold, sha256_text
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config, packaged_samples

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = packaged_samples()
GOLD = SAMPLES / "gold" / "v1"
RAW = ROOT / "samples" / "raw"
ONTOLOGY = load_ontology()


def _snapshot_paths() -> list[Path]:
    manifest = json.loads((GOLD / "manifest.json").read_text(encoding="utf-8"))
    return [RAW / source["file"] for source in manifest["sources"]]


def test_sample_gold_loads_and_passes_check_gold() -> None:
    version = read_gold_version(GOLD)
    assert sorted(p.name for p in GOLD.iterdir()) == sorted(FILES)
    assert len(version.documents) == len(list((SAMPLES / "articles").glob("*.txt")))
    for doc in version.documents:
        check_gold(doc, ONTOLOGY)
        assert doc.split in SPLITS
        assert set(doc.provenance) == {m.id for m in doc.mentions} | {e.id for e in doc.events}


def test_sample_gold_articles_are_the_seed_articles_as_ingested(tmp_path: Path) -> None:
    """The articles are the seeds as `eventgold ingest` (and `eventgold up`) reads them today.

    Fails when ingest changes how it cleans the seeds: the sample is then stale and must be
    rebuilt with samples/build_sample_gold.py (offsets are found by searching the text).
    """
    corpus = tmp_path / "corpus.jsonl"
    ingest_to_file([SAMPLES / "articles"], corpus)
    ingested = {a.id: a for a in read_jsonl(corpus, Article)}
    docs = read_gold_version(GOLD).documents
    assert sorted(ingested) == [d.doc_id for d in docs]
    for doc in docs:
        want = ingested[doc.doc_id]
        assert doc.article.content_sha == want.content_sha, (
            f"{doc.doc_id}: the sample gold is stale (ingest now gives another text); "
            "rebuild it with samples/build_sample_gold.py"
        )
        # the fields a Label Studio task carries come back as they were pushed
        for name in ("text", "title", "source", "published", "url", "duplicate_of"):
            assert getattr(doc.article, name) == getattr(want, name), (doc.doc_id, name)
        for m in doc.mentions:
            assert m.start is not None and m.end is not None
            assert doc.article.text[m.start : m.end] == m.text
        for e in doc.events:
            assert e.trigger is not None
            assert doc.article.text[e.trigger.start : e.trigger.end] == e.trigger.text


def test_sample_gold_canonical_ids_are_in_the_actor_dictionary() -> None:
    actors = yaml.safe_load((packaged_label_config() / "actors.yaml").read_text(encoding="utf-8"))
    ids = {m.canonical_id for d in read_gold_version(GOLD).documents for m in d.mentions if m.canonical_id}
    assert ids and ids <= set(actors)


def test_manifest_counts_match_the_documents() -> None:
    version = read_gold_version(GOLD)
    counts = version.manifest.counts
    docs = version.documents
    assert counts.documents == {s: sum(1 for d in docs if d.split == s) for s in SPLITS}
    for kind, table in (("mention", counts.mentions), ("event", counts.events)):
        found: Counter[tuple[str, str]] = Counter()
        for d in docs:
            for unit in d.mentions if kind == "mention" else d.events:
                found[(unit.type, d.split or "none")] += 1
        assert {(t, s): n for t, per in table.items() for s, n in per.items()} == dict(found)
    assert counts.conflicts == len(read_conflicts(GOLD / "conflicts.jsonl")) == 0
    assert counts.excluded == 0
    assert counts.decisions == {"adjudicator": 3, "majority": 2}
    assert version.manifest.schema_version == SCHEMA_VERSION  # written by this eventgold's `gold build`
    assert version.manifest.ontology.sha256 == ONTOLOGY.sha256()
    assert version.manifest.ontology.label_config_sha256 == sha256_text(render_label_config(ONTOLOGY))


def test_sources_are_the_committed_snapshots() -> None:
    paths = _snapshot_paths()
    manifest = read_gold_version(GOLD).manifest
    for path, source in zip(paths, manifest.sources, strict=True):
        assert sha256_file(path) == source.sha256
        assert verify_snapshot(path)
    kinds = [{a.origin.kind for a in read_snapshot(p).annotations} for p in paths]
    assert kinds == [{"annotator"}, {"adjudicator"}]


def test_round1_conflicts_went_to_review_and_the_adjudicator_decided_them() -> None:
    round1 = read_conflicts(RAW / "conflicts-round1.jsonl")
    reviewed = {a.doc_id for a in read_snapshot(_snapshot_paths()[1]).annotations}
    assert {c.doc_id for c in round1} == reviewed
    for doc in read_gold_version(GOLD).documents:
        decisions = {p.decision for p in doc.provenance.values()}
        if doc.doc_id in reviewed:
            assert decisions == {"adjudicator:ada@example.org"}
        else:
            assert decisions == {"majority 2/2"}


def test_rebuilding_from_the_snapshots_gives_the_same_bytes() -> None:
    snapshots = [read_snapshot(p) for p in _snapshot_paths()]
    assert all(not s.problems for s in snapshots)
    build = build_gold(snapshots, ONTOLOGY, BuildOptions(version="v1"))
    for name, data in build.files().items():
        assert (GOLD / name).read_bytes() == data, name


@pytest.mark.parametrize("name", ["ana@example.org", "ben@example.org"])
def test_both_annotators_annotated_every_seed(name: str) -> None:
    inputs = merge_snapshots([read_snapshot(_snapshot_paths()[0])], ONTOLOGY)
    assert sorted(a.doc_id for a in inputs.annotations if a.origin.name == name) == sorted(inputs.articles)


def test_readme_glob_rebuilds_the_sample_gold_byte_for_byte(tmp_path: Path) -> None:
    """`gold build samples/raw/eventgold-sample-*.json` (sidecars matched too) reproduces the packaged gold v1."""
    from eventgold.cli import main

    out = tmp_path / "v1"
    snapshots = [str(p) for p in sorted(RAW.glob("eventgold-sample-*.json"))]
    assert main(["gold", "build", *snapshots, "-o", str(out), "--version", "v1"]) == 0
    gold = GOLD
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in gold.iterdir())
    for p in gold.iterdir():
        assert (out / p.name).read_bytes() == p.read_bytes(), p.name
