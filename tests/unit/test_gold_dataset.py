"""Gold version folders: build, byte-identical rebuild, refusal, read back, diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventgold.commands.options import FLAGS
from eventgold.errors import ConfigError, InputError, RecordError
from eventgold.gold.dataset import (
    FILES,
    BuildOptions,
    GoldBuild,
    ProblemsFound,
    build_gold,
    jsonl_bytes,
    read_gold_version,
    write_gold_version,
)
from eventgold.gold.diff import diff_versions
from eventgold.gold.inputs import SourceSnapshot, merge_snapshots
from eventgold.jsonl import dump_record
from eventgold.models import GoldDocument
from eventgold.ontology import Ontology, load_ontology

from .gold_fixtures import ann, article, event, mention, snapshot


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return load_ontology()


def snap(n_docs: int = 12) -> SourceSnapshot:
    articles = [article(f"d{i:02d}") for i in range(n_docs)]
    anns = []
    for a in articles:
        for who in ("alice", "bob", "carol"):
            mentions = [mention("m1", "Kazemi"), mention("m2", "Ghaani")]
            if who == "carol":
                mentions.append(mention("m3", "Iraq", "STATE"))
            anns.append(
                ann(who, a.id, mentions, [event("e1", "met", actors=["m1"])], lead_time=12.5)
            )
    # one tie on d00: bob drops met's actor, alice keeps it; carol gives no event at all
    anns[1] = ann("bob", "d00", [mention("m1", "Kazemi")], [event("e1", "met")])
    anns[2] = ann("carol", "d00", [mention("m1", "Kazemi")])
    anns.append(ann("dave", "d01", cancelled=True))
    return snapshot(articles, anns)


def build(onto: Ontology, **kw: object) -> GoldBuild:
    return build_gold([snap()], onto, BuildOptions(version="v1", **kw))  # type: ignore[arg-type]


def test_build_writes_every_file(tmp_path: Path, onto: Ontology) -> None:
    result = build(onto)
    assert write_gold_version(result, tmp_path / "v1") == "written"
    assert sorted(p.name for p in (tmp_path / "v1").iterdir()) == sorted(FILES)
    manifest = json.loads((tmp_path / "v1" / "manifest.json").read_text())
    assert manifest["version"] == "v1"
    assert manifest["created"] == "2024-05-01T12:00:00Z"
    assert manifest["sources"] == [{"file": "project-1.json", "sha256": "ab" * 32}]
    assert manifest["ontology"]["sha256"] == onto.sha256()
    assert len(manifest["ontology"]["label_config_sha256"]) == 64
    assert manifest["policy"] == "adjudicator,ground-truth,majority"
    assert manifest["splits"]["seed"] == 13
    counts = manifest["counts"]
    assert sum(counts["documents"].values()) == 11  # d00 has a conflict
    assert (counts["conflicts"], counts["excluded"], counts["cancelled"]) == (1, 1, 1)
    assert sum(counts["mentions"]["PERSON"].values()) == 22
    assert "STATE" not in counts["mentions"]  # carol alone has Iraq
    conflicts = (tmp_path / "v1" / "conflicts.jsonl").read_text().splitlines()
    assert len(conflicts) == 1 and json.loads(conflicts[0])["doc_id"] == "d00"
    readme = (tmp_path / "v1" / "README.md").read_text()
    assert readme.startswith("# Gold dataset v1") and "majority" in readme
    agreement = json.loads((tmp_path / "v1" / "agreement.json").read_text())
    assert agreement["schema_version"] and agreement["annotators"] == [
        "alice",
        "bob",
        "carol",
        "dave",
    ]


def test_rebuild_is_byte_identical_and_accepted(tmp_path: Path, onto: Ontology) -> None:
    first = build(onto)
    write_gold_version(first, tmp_path / "v1")
    before = {p.name: p.read_bytes() for p in (tmp_path / "v1").iterdir()}
    second = build(onto)
    assert second.files() == first.files()
    assert write_gold_version(second, tmp_path / "v1") == "unchanged"
    assert {p.name: p.read_bytes() for p in (tmp_path / "v1").iterdir()} == before


def test_existing_different_version_is_refused(tmp_path: Path, onto: Ontology) -> None:
    write_gold_version(build(onto), tmp_path / "v1")
    before = {p.name: p.read_bytes() for p in (tmp_path / "v1").iterdir()}
    with pytest.raises(ConfigError, match="never overwritten"):
        write_gold_version(build(onto, seed=99), tmp_path / "v1")
    assert {p.name: p.read_bytes() for p in (tmp_path / "v1").iterdir()} == before
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="not a folder"):
        write_gold_version(build(onto), tmp_path / "file")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_read_back_round_trip(tmp_path: Path, onto: Ontology) -> None:
    result = build(onto)
    write_gold_version(result, tmp_path / "v1")
    version = read_gold_version(tmp_path / "v1")
    assert version.manifest == result.manifest
    assert version.documents == result.documents
    for doc in version.documents:
        assert GoldDocument.model_validate_json(doc.model_dump_json()) == doc


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_gold_version(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"manifest\.json: missing"):
        read_gold_version(tmp_path / "empty")


def test_previous_keeps_splits_and_diff(tmp_path: Path, onto: Ontology) -> None:
    write_gold_version(build(onto), tmp_path / "v1")
    old = {d.doc_id: d.split for d in read_gold_version(tmp_path / "v1").documents}
    s = snap(16)
    s.annotations = [
        a for a in s.annotations if not (a.doc_id == "d05" and a.origin.name == "carol")
    ]
    newer = build_gold([s], onto, BuildOptions(version="v2", previous=tmp_path / "v1", seed=4))
    write_gold_version(newer, tmp_path / "v2")
    assert newer.manifest.previous == "v1" and newer.manifest.splits.kept_from_previous == 11
    for d in newer.documents:
        if d.doc_id in old:
            assert d.split == old[d.doc_id]
    diff = diff_versions(tmp_path / "v1", tmp_path / "v2")
    assert diff.documents_added == ["d12", "d13", "d14", "d15"]
    assert diff.documents_removed == []
    assert diff.documents_changed == []  # carol's absence on d05 changes no majority
    assert diff.units_added == 4 * 3
    same = diff_versions(tmp_path / "v1", tmp_path / "v1")
    assert same.identical


def test_diff_reports_unit_changes(tmp_path: Path, onto: Ontology) -> None:
    write_gold_version(build(onto), tmp_path / "v1")
    s = snap()
    # everyone types Ghaani STATE on d03 and gives Kazemi a canonical id
    s.annotations = [
        a.model_copy(
            update={
                "mentions": [
                    m.model_copy(
                        update={"type": "STATE"}
                        if m.text == "Ghaani"
                        else {"canonical_id": "kazemi"}
                        if m.text == "Kazemi"
                        else {}
                    )
                    for m in a.mentions
                ]
            }
        )
        if a.doc_id == "d03"
        else a
        for a in s.annotations
    ]
    write_gold_version(build_gold([s], onto, BuildOptions(version="v2")), tmp_path / "v2")
    diff = diff_versions(tmp_path / "v1", tmp_path / "v2")
    (change,) = diff.documents_changed
    assert change.doc_id == "d03"
    assert (len(change.units_added), len(change.units_removed), len(change.units_changed)) == (
        1,
        1,
        1,
    )


def test_bad_inputs_name_the_snapshot(onto: Ontology) -> None:
    s = snap(2)
    s.annotations.append(ann("eve", "d99"))
    with pytest.raises(RecordError, match=r"project-1\.json.*d99"):
        merge_snapshots([s])
    s = snap(2)
    s.annotations.append(ann("eve", "d00", [mention("m", "Kazemi", "ALIEN")]))
    merged = merge_snapshots([s], onto)
    (problem,) = merged.problems
    assert (problem.doc_id, problem.annotator, problem.region, problem.field) == ("d00", "eve", "m", "type")
    assert "'ALIEN'" in problem.problem and problem.snapshot == "project-1.json"
    assert [m for a in merged.raw if a.origin.name == "eve" for m in a.mentions] == []
    with pytest.raises(ProblemsFound, match=r"1 problem\(s\).*'ALIEN'.*build with allow_problems=True to") as info:
        build_gold([s], onto, BuildOptions(version="v"))
    assert "build with --allow-problems to leave them out" in info.value.render(FLAGS)
    allowed = build_gold([s], onto, BuildOptions(version="v", allow_problems=True))
    assert allowed.problems == [problem] and allowed.manifest.counts.problems == 1
    assert b"ALIEN" in allowed.files()["problems.jsonl"]
    other = snapshot([article("d00", "Another text entirely, with Kazemi.")], [])
    with pytest.raises(RecordError, match="content_sha"):
        merge_snapshots([snap(2), other])
    with pytest.raises(ConfigError):
        build_gold([], onto, BuildOptions(version="v"))


def test_latest_annotation_of_an_annotator_wins() -> None:
    import datetime as dt

    old = ann("alice", mentions=[mention("m", "Kazemi")], created=dt.datetime(2024, 1, 1))
    new = ann("alice", mentions=[mention("m", "Iraq", "STATE")], created=dt.datetime(2024, 2, 1))
    inputs = merge_snapshots([snapshot([article()], [new, old], exported_at=None)])
    assert [a.mentions[0].text for a in inputs.annotations] == ["Iraq"]
    assert inputs.superseded == 1
    assert inputs.created == dt.datetime(2024, 2, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize("part", ["documents", "conflicts", "problems", "repairs", "none"])
def test_jsonl_bytes_are_each_record_dumped_then_a_newline(onto: Ontology, part: str) -> None:
    result = build(onto)
    records = [] if part == "none" else getattr(result, part)
    expected = "".join(dump_record(r) + "\n" for r in records).encode("utf-8")
    assert jsonl_bytes(records) == expected
    unicode = [ann("zoë", "d00", [mention("m1", "Kazemi")], notes="naïve — “quoted” \u2028 line")]
    assert jsonl_bytes(unicode) == (dump_record(unicode[0]) + "\n").encode("utf-8")


def test_writing_leaves_the_cyclic_collector_as_it_was(tmp_path: Path, onto: Ontology) -> None:
    import gc

    result = build(onto)
    assert gc.isenabled()
    write_gold_version(result, tmp_path / "v1")
    assert gc.isenabled()
