"""Versioned gold datasets: build one from snapshots, write it once, read it back.

A version folder (``exports/gold/<version>/``) holds:

- ``gold.jsonl``: one GoldDocument per line, sorted by document id;
- ``manifest.json``: version, created (the latest export time of the input
  snapshots — never the wall clock), tool version, each source snapshot's file
  name and sha256, the ontology's and the rendered labeling config's sha256,
  the policy, split settings and seed, counts per type and split;
- ``agreement.json``: the agreement report of the input annotations (with each
  annotator's agreement with this gold);
- ``conflicts.jsonl``: documents with open conflicts (input of ``review push``);
- ``problems.jsonl``: regions, relations and attributes of the snapshots left
  out (only with ``allow_problems``: otherwise building refuses), each located;
- ``repairs.jsonl``: regions taken after an unambiguous offset repair;
- ``README.md``: a datasheet — what is in it and how it was made.

Building twice from the same inputs gives byte-identical files. A version
folder is never overwritten: writing into an existing one is refused unless
every file would be identical. Writing is atomic: the folder is built under a
temporary name next to the target, then renamed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from eventgold import SCHEMA_VERSION, __version__
from eventgold.errors import ConfigError, InputError, Option, RecordError, UserError
from eventgold.fileio import json_text, output_target
from eventgold.gold.adjudicate import Conflict, adjudicate, parse_policy
from eventgold.gold.agreement import AgreementReport, compute_agreement
from eventgold.gold.inputs import SnapshotLike, merge_snapshots
from eventgold.gold.splits import DEFAULT_RATIOS, DEFAULT_SEED, SplitInfo, assign_splits
from eventgold.labelstudio.label_config import render_label_config
from eventgold.memory import paused_gc
from eventgold.migrations import schema_problem
from eventgold.models import SPLITS, GoldDocument, sha256_text
from eventgold.ontology import Ontology
from eventgold.problems import Problem, Repair, repair_counts, summarize
from eventgold.records_io import read_gold_documents

GOLD_FILE = "gold.jsonl"
MANIFEST_FILE = "manifest.json"
AGREEMENT_FILE = "agreement.json"
CONFLICTS_FILE = "conflicts.jsonl"
PROBLEMS_FILE = "problems.jsonl"
REPAIRS_FILE = "repairs.jsonl"
README_FILE = "README.md"
FILES = (GOLD_FILE, MANIFEST_FILE, AGREEMENT_FILE, CONFLICTS_FILE, PROBLEMS_FILE, REPAIRS_FILE, README_FILE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceRef(_Strict):
    """One input snapshot: its file name and sha256."""

    file: str
    sha256: str


class OntologyRef(_Strict):
    """The ontology a gold version was checked against."""

    name: str
    version: str
    sha256: str
    label_config_sha256: str
    """sha256 of the labeling config rendered from the ontology."""


class GoldCounts(_Strict):
    """What a gold version holds and what was left out."""

    documents: dict[str, int]
    """Split -> documents."""
    mentions: dict[str, dict[str, int]]
    """Actor type -> split -> mentions."""
    events: dict[str, dict[str, int]]
    """Event type -> split -> events."""
    conflicts: int
    excluded: int
    """Documents left out of gold because of open conflicts."""
    annotations: int
    cancelled: int
    superseded: int
    decisions: dict[str, int]
    """Policy -> documents it decided."""
    problems: int = 0
    """Regions, relations and attributes left out (``problems.jsonl``)."""
    repairs: dict[str, int] = {}
    """Repair kind -> regions repaired (``repairs.jsonl``)."""


class Manifest(_Strict):
    """``manifest.json`` of a gold version."""

    schema_version: str = SCHEMA_VERSION
    version: str
    created: dt.datetime | None
    tool: str = "eventgold"
    tool_version: str
    sources: list[SourceRef]
    ontology: OntologyRef
    policy: str
    include_conflicts: bool
    splits: SplitInfo
    previous: str | None = None
    counts: GoldCounts


@dataclass
class GoldBuild:
    """A gold version in memory, ready to be written."""

    manifest: Manifest
    documents: list[GoldDocument]
    conflicts: list[Conflict]
    agreement: AgreementReport
    problems: list[Problem] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)

    def files(self) -> dict[str, bytes]:
        """Every file of the version folder, rendered (deterministically)."""
        from eventgold.report.datasheet import render_datasheet  # report imports this module: import on use

        return {
            GOLD_FILE: jsonl_bytes(self.documents),
            MANIFEST_FILE: json_file_bytes(self.manifest.model_dump(mode="json")),
            AGREEMENT_FILE: json_file_bytes(self.agreement),  # its first field is its schema_version
            CONFLICTS_FILE: jsonl_bytes(self.conflicts),
            PROBLEMS_FILE: jsonl_bytes(self.problems),
            REPAIRS_FILE: jsonl_bytes(self.repairs),
            README_FILE: render_datasheet(self).encode("utf-8"),
        }


@dataclass
class GoldVersion:
    """A gold version read back from disk."""

    path: Path
    manifest: Manifest
    documents: list[GoldDocument]


class BuildOptions(_Strict):
    """Settings of ``gold build`` (all recorded in the manifest)."""

    version: str
    policy: str = "adjudicator,ground-truth,majority"
    include_conflicts: bool = False
    ratios: tuple[float, float, float] = DEFAULT_RATIOS
    seed: int = DEFAULT_SEED
    group_by: str | None = None
    previous: Path | None = None
    allow_problems: bool = False
    """Build although some annotations have problems (they are listed in ``problems.jsonl``)."""


class ProblemsFound(UserError):
    """Annotations have problems and building was not allowed to leave them out."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{summarize(self.problems, first=1)}. Fix them in Label Studio and pull again, or build with ",
            Option("allow_problems"),
            " to leave them out (each is then listed in problems.jsonl)",
        )


def json_file_bytes(payload: Any) -> bytes:
    """The bytes of a JSON file of a version: :func:`eventgold.fileio.json_text` indented by two, a final newline."""
    return (json_text(payload, indent=2) + "\n").encode("utf-8")


def jsonl_bytes(records: Sequence[BaseModel]) -> bytes:
    """The bytes of a JSONL file of a version: each record as :func:`eventgold.jsonl.dump_record` writes it, then "\\n".

    Args:
        records: the records, in file order (any pydantic models).

    Returns:
        UTF-8 bytes, the same as ``"".join(dump_record(r) + "\\n" for r in records).encode()``:
        pydantic-core's JSON bytes of each record (what ``model_dump_json`` decodes)
        are joined as they are, without decoding and encoding them again.
    """
    if not records:
        return b""
    return b"\n".join([type(r).__pydantic_serializer__.to_json(r) for r in records]) + b"\n"


def _counts_by(docs: Sequence[GoldDocument], kind: str) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for doc in docs:
        units = doc.mentions if kind == "mention" else doc.events
        for unit in units:
            counts.setdefault(unit.type, Counter())[doc.split or "none"] += 1
    return {t: dict(sorted(c.items(), key=lambda kv: _split_order(kv[0]))) for t, c in sorted(counts.items())}


def _split_order(name: str) -> int:
    return SPLITS.index(name) if name in SPLITS else len(SPLITS)


def build_gold(snapshots: Sequence[SnapshotLike], ontology: Ontology, options: BuildOptions) -> GoldBuild:
    """Merge snapshots, adjudicate, split and measure: a gold version in memory.

    Args:
        snapshots: Label Studio export snapshots (read with
            :func:`eventgold.labelstudio.snapshot.read_snapshot`, or built in
            code as :class:`~eventgold.gold.inputs.SourceSnapshot`); their
            annotations are merged per document and annotator.
        ontology: the labels every unit is checked against; its sha256 and that
            of the labeling config rendered from it go into the manifest.
        options: the policy (adjudicator, ground-truth, majority, single, in
            order), whether conflicted documents are kept, the train/dev/test
            ratios, seed and grouping of the split, and an older version whose
            documents keep their split.

    Returns:
        A :class:`GoldBuild`: the manifest (counts per type and split,
        decisions per policy, sources with their sha256), the gold documents
        sorted by id with their split and provenance, the open conflicts, the
        agreement report of the annotators (span F1, Cohen's and Fleiss' kappa,
        Krippendorff's alpha, each annotator against this gold), and the
        problems and repairs of the snapshots. :func:`write_gold_version`
        writes it; building again from the same inputs gives the same bytes.

    Raises:
        ConfigError: no snapshot, an unknown policy, or a seed out of range.
        InputError: the snapshots hold no task; the older version cannot be read.
        RecordError: the older version holds an invalid record.
        ProblemsFound: some regions or relations cannot be taken and
            ``options.allow_problems`` is not set (``exc.problems`` lists them).

    Example (two annotators agree on one mention; the majority decides):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from eventgold.gold.inputs import SourceSnapshot
    >>> from eventgold.models import Article, DocumentAnnotation, Mention, Origin
    >>> from eventgold.ontology import load_ontology
    >>> text = "Kazemi met Ghaani in Baghdad."
    >>> kazemi = Mention(id="m1", type="PERSON", start=0, end=6, text="Kazemi")
    >>> annotations = [
    ...     DocumentAnnotation(doc_id="d1", origin=Origin(kind="annotator", name=name), mentions=[kazemi])
    ...     for name in ("ana", "ben")
    ... ]
    >>> snapshot = SourceSnapshot(
    ...     path=Path("project-1.json"), sha256="ab" * 32, articles={"d1": Article(id="d1", text=text)},
    ...     annotations=annotations,
    ... )
    >>> build = build_gold([snapshot], load_ontology(), BuildOptions(version="v1"))
    >>> build.manifest.counts.decisions
    {'majority': 1}
    >>> [(doc.doc_id, [m.text for m in doc.mentions]) for doc in build.documents]
    [('d1', ['Kazemi'])]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_gold_version(build, Path(tmp) / "v1")
    ...     sorted(p.name for p in (Path(tmp) / "v1").iterdir()) == sorted(FILES)
    'written'
    True
    """
    if not snapshots:
        raise ConfigError("give at least one snapshot to build gold from")
    policies = parse_policy(options.policy)
    with paused_gc():  # millions of small objects, no garbage cycles: the cyclic collector would only slow it
        return _build(snapshots, ontology, options, policies)


def _build(
    snapshots: Sequence[SnapshotLike], ontology: Ontology, options: BuildOptions, policies: tuple[str, ...]
) -> GoldBuild:
    """:func:`build_gold` once its arguments are checked."""
    inputs = merge_snapshots(snapshots, ontology)
    if not inputs.articles:
        raise InputError(
            f"{', '.join(str(s.path) for s in snapshots)}: no tasks in the snapshot(s); push the corpus, "
            "let annotators work, then pull the project again"
        )
    if inputs.problems and not options.allow_problems:
        raise ProblemsFound(inputs.problems)
    result = adjudicate(
        inputs.articles,
        inputs.annotations,
        policies,
        include_conflicts=options.include_conflicts,
        ontology=ontology,
    )
    previous_splits: dict[str, str] | None = None
    previous_name = None
    if options.previous is not None:
        older = read_gold_version(options.previous)
        previous_name = older.manifest.version
        previous_splits = {d.doc_id: d.split for d in older.documents if d.split}
    documents, split_info = assign_splits(
        result.documents,
        ratios=options.ratios,
        seed=options.seed,
        group_by=options.group_by,
        previous=previous_splits,
    )
    gold_map = {d.doc_id: d for d in documents}
    agreement = compute_agreement(inputs.raw, inputs.articles, gold_map, ontology)
    agreement.problems = inputs.problems
    agreement.repairs = inputs.repairs
    split_counts: Counter[str] = Counter(d.split or "none" for d in documents)
    manifest = Manifest(
        version=options.version,
        created=inputs.created,
        tool_version=__version__,
        sources=[SourceRef(file=f, sha256=s) for f, s in inputs.sources],
        ontology=OntologyRef(
            name=ontology.name,
            version=ontology.version,
            sha256=ontology.sha256(),
            label_config_sha256=sha256_text(render_label_config(ontology)),
        ),
        policy=",".join(policies),
        include_conflicts=options.include_conflicts,
        splits=split_info,
        previous=previous_name,
        counts=GoldCounts(
            documents={s: split_counts.get(s, 0) for s in SPLITS},
            mentions=_counts_by(documents, "mention"),
            events=_counts_by(documents, "event"),
            conflicts=len(result.conflicts),
            excluded=len(result.excluded),
            annotations=len(inputs.annotations),
            cancelled=inputs.cancelled,
            superseded=inputs.superseded,
            decisions=dict(sorted(result.decisions.items())),
            problems=len(inputs.problems),
            repairs=repair_counts(inputs.repairs),
        ),
    )
    return GoldBuild(manifest, documents, result.conflicts, agreement, inputs.problems, inputs.repairs)


def write_gold_version(build: GoldBuild, out_dir: str | Path) -> Literal["written", "unchanged"]:
    """Write a version folder atomically; refuse to change an existing one.

    Returns ``unchanged`` when ``out_dir`` already holds exactly these files. An
    empty folder is written into. An ``out_dir`` that is a symbolic link is
    followed (:func:`eventgold.fileio.output_target`): the version is built next
    to the folder the link points to (or names, when dangling) and renamed into
    place there, and the link is kept.
    """
    with paused_gc():  # rendering makes no garbage cycles; a collection would walk the whole build
        return _write(build, out_dir)


def _write(build: GoldBuild, out_dir: str | Path) -> Literal["written", "unchanged"]:
    """:func:`write_gold_version` with the cyclic collector paused."""
    target = output_target(out_dir)
    files = build.files()
    if target.exists():
        if not target.is_dir():
            named = str(target) if target == Path(out_dir) else f"{out_dir} (a link to {target})"
            raise ConfigError(f"{named} exists and is not a folder; choose another -o")
        present = sorted(p.name for p in target.iterdir())
        if present:  # an empty folder holds no version: the rename below replaces it
            if present == sorted(files) and all((target / name).read_bytes() == data for name, data in files.items()):
                return "unchanged"
            raise ConfigError(
                f"{target} already holds a different gold version; versions are never "
                "overwritten — choose a new version folder with -o"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        try:
            os.rename(tmp, target)
        except OSError as exc:
            raise ConfigError(
                f"{target} appeared while the gold version was being written; nothing was changed"
            ) from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
        raise
    return "written"


def read_gold_version(path: str | Path, ontology: Ontology | None = None) -> GoldVersion:
    """Read a gold version folder (manifest and documents), checking every record.

    One document per article id: two different ones are a DuplicateIdError
    naming both lines of ``gold.jsonl``; an exact repeat is read once, with a warning.
    With ``ontology``, a label it lacks is a RecordError naming the line. An
    empty ``gold.jsonl`` whose manifest counts documents is a damaged version.
    """
    folder = Path(path)
    manifest_file = folder / MANIFEST_FILE
    if not folder.is_dir():
        why = "it is a file: give the folder holding gold.jsonl" if folder.exists() else "it does not exist"
        raise InputError(f"{folder}: not a gold version folder ({why})")
    try:
        raw = json.loads(manifest_file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"{manifest_file}: missing; is {folder} a gold version folder (made by `eventgold gold build`)?"
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{manifest_file}: cannot read: {exc}") from exc
    try:
        manifest = Manifest.model_validate(raw)
    except ValueError as exc:
        raise RecordError(f"not a valid gold manifest: {exc}", file=str(manifest_file)) from exc
    problem = schema_problem(manifest.schema_version)
    if problem is not None:
        raise InputError(f"{manifest_file}: {problem}")
    documents = list(read_gold_documents(folder / GOLD_FILE, ontology))
    listed = sum(manifest.counts.documents.values())
    if not documents and listed:
        raise InputError(
            f"{folder / GOLD_FILE}: holds no documents, but {manifest_file} lists {listed}; "
            "the version is damaged: restore it or build it again with `eventgold gold build`"
        )
    return GoldVersion(folder, manifest, documents)
