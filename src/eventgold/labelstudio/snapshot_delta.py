"""Delta snapshots (``eventgold pull --since``) and reading a base with its deltas as one snapshot.

A delta snapshot holds only the tasks that changed since an earlier snapshot,
its *base* (in the same folder): each as Label Studio lists it now (every
annotation and prediction it has, so an annotation deleted since the base is
simply not there), the ids of every task the project then had (``task_ids``, as
ranges) and, for people, those deleted since the base (``deleted_tasks``). Its
``.meta.json`` sidecar links it to its base::

    "delta": {"base": "<base file name>", "base_sha256": "<hex>", "since": "<ISO time>",
              "changed_tasks": 12, "deleted_tasks": [7, 9], "task_ids": [[1, 6], [8, 8], [10, 40]]}

A base may itself be a delta (a chain). :func:`read_snapshots` reads the
snapshots of one project (the same Label Studio URL and project id in their
sidecars: several full pulls, deltas) in export order as one snapshot, the
project as the last of them saw it: a full snapshot replaces everything read
before it, a delta's tasks replace earlier listings of theirs, and tasks a
delta does not list among ``task_ids`` are dropped. Each task's problems and
repairs name the file it was read from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from eventgold.errors import InputError, RecordError
from eventgold.fileio import sha256_file
from eventgold.labelstudio.convert import parse_created
from eventgold.labelstudio.snapshot import (
    Snapshot,
    TaskConversion,
    convert_tasks,
    iter_tasks,
    meta_path,
    read_sidecars,
    read_snapshot,
    read_snapshot_meta,
    snapshot_files,
    unique_tasks,
)
from eventgold.memory import paused_gc
from eventgold.models import Article
from eventgold.ontology import Ontology


@dataclass(frozen=True)
class Delta:
    """What a delta snapshot's sidecar says about its base (module doc)."""

    base: str
    """The base snapshot's file name (in the delta's folder)."""
    base_sha256: str
    since: dt.datetime
    """Tasks updated after this time (Label Studio's clock, less a margin) are in the delta."""
    changed_tasks: int
    """Tasks listed: those updated after :attr:`since` (the margin may bring some unchanged ones)."""
    deleted_tasks: tuple[int, ...]
    """Tasks the base's chain held that the project no longer has (for people; reading uses :attr:`task_ids`)."""
    task_ids: tuple[tuple[int, int], ...]
    """Every task id the project had at the pull, as sorted, disjoint ``(first, last)`` ranges."""

    def ids(self) -> set[int]:
        """The task ids of :attr:`task_ids`."""
        return {i for first, last in self.task_ids for i in range(first, last + 1)}

    def to_json(self) -> dict[str, Any]:
        """The sidecar's ``delta`` object."""
        return {
            "base": self.base,
            "base_sha256": self.base_sha256,
            "since": self.since.isoformat(),
            "changed_tasks": self.changed_tasks,
            "deleted_tasks": list(self.deleted_tasks),
            "task_ids": [list(r) for r in self.task_ids],
        }


def id_ranges(ids: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Ids as sorted, disjoint, inclusive ranges: ``id_ranges([3, 1, 2, 7])`` is ``((1, 3), (7, 7))``."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(ids)):
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return tuple(out)


def delta_of(meta: dict[str, Any], snapshot: Path) -> Delta | None:
    """The ``delta`` object of a snapshot's metadata (None for a full snapshot), checked.

    Raises:
        InputError: the object is malformed (names the field and what is allowed).
    """
    raw = meta.get("delta")
    if raw is None:
        return None
    where = f"{meta_path(snapshot)}: delta"
    if not isinstance(raw, dict):
        raise InputError(f"{where} must be an object written by `eventgold pull --since`")
    base, sha, since = raw.get("base"), raw.get("base_sha256"), parse_created(raw.get("since"))
    deleted, changed = raw.get("deleted_tasks", []), raw.get("changed_tasks", 0)
    if not isinstance(base, str) or not base or "/" in base or "\\" in base:
        raise InputError(f"{where}.base must be the base snapshot's file name, got {base!r}")
    if not isinstance(sha, str) or len(sha) != 64:
        raise InputError(f"{where}.base_sha256 must be a sha256 in hex, got {sha!r}")
    if since is None:
        raise InputError(f"{where}.since must be an ISO time, got {raw.get('since')!r}")
    if not isinstance(deleted, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in deleted):
        raise InputError(f"{where}.deleted_tasks must be a list of task ids, got {deleted!r}")
    if not isinstance(changed, int) or isinstance(changed, bool) or changed < 0:
        raise InputError(f"{where}.changed_tasks must be a count, got {changed!r}")
    ranges = raw.get("task_ids")
    if not isinstance(ranges, list) or not all(_is_range(r) for r in ranges):
        raise InputError(f"{where}.task_ids must be a list of [first, last] task id ranges, got {ranges!r}")
    return Delta(
        base=base,
        base_sha256=sha,
        since=since,
        changed_tasks=changed,
        deleted_tasks=tuple(deleted),
        task_ids=tuple((int(a), int(b)) for a, b in ranges),
    )


def _is_range(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(i, int) and not isinstance(i, bool) for i in value)
        and value[0] <= value[1]
    )


@dataclass(frozen=True)
class Part:
    """One file of a chain: the snapshot, its metadata and its delta link (None for the base)."""

    path: Path
    meta: dict[str, Any]
    delta: Delta | None


def _part(path: Path) -> Part:
    meta = read_snapshot_meta(path)
    return Part(path, meta, delta_of(meta, path))


def _exported(part: Part) -> dt.datetime:
    """When a snapshot was exported (its sidecar's ``exported_at``; the earliest time when unknown)."""
    when = parse_created(part.meta.get("exported_at")) or dt.datetime.min.replace(tzinfo=dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def chain_of(snapshot: Path) -> list[Path]:
    """The files a snapshot is read from: its base's chain (found in its folder), then itself.

    A full snapshot's chain is itself. Each base is checked against the sha256 its delta recorded.

    Raises:
        InputError: a base is missing or was changed since the delta was pulled.
    """
    chain = [snapshot]
    part = _part(snapshot)
    while part.delta is not None:
        base = part.path.with_name(part.delta.base)
        _check_base(part, base)
        if base in chain:
            raise InputError(f"{part.path}: its chain of bases loops back to {base}")
        chain.insert(0, base)
        part = _part(base)
    return chain


def _sha256(path: Path, known: dict[Path, str] | None) -> str:
    """A file's sha256, hashed once per read (``known`` keeps the digests already taken)."""
    if known is None:
        return sha256_file(path)
    key = path.resolve()
    if key not in known:
        known[key] = sha256_file(path)
    return known[key]


def _check_base(part: Part, base: Path, known: dict[Path, str] | None = None) -> None:
    assert part.delta is not None
    if not base.is_file():
        raise InputError(
            f"{part.path}: a delta of {part.delta.base}, which is not in {base.parent}; "
            "put the base back, or pull a full snapshot (without --since)"
        )
    if _sha256(base, known) != part.delta.base_sha256:
        raise InputError(
            f"{part.path}: its base {base} changed since the delta was pulled (sha256 differs); "
            "restore the base, or pull a full snapshot (without --since)"
        )


def known_task_ids(snapshot: Path) -> set[int]:
    """The ids of the tasks the project had at a snapshot: a delta's ``task_ids``, else the file's task ids.

    Raises:
        InputError: the file cannot be read as a snapshot.
    """
    import ijson

    delta = _part(snapshot).delta
    if delta is not None:
        return delta.ids()
    try:
        with snapshot.open("rb") as fh:
            return {i for i in ijson.items(fh, "item.id") if isinstance(i, int)}
    except (OSError, ijson.JSONError):  # read whole: the same ids, or the reader's one-line error
        return {t["id"] for t in iter_tasks(snapshot) if isinstance(t.get("id"), int)}


def _project(part: Part) -> tuple[str, int] | None:
    """The Label Studio URL and project id a snapshot's sidecar names (None without them)."""
    url, project = part.meta.get("label_studio_url"), part.meta.get("project_id")
    if isinstance(url, str) and isinstance(project, int) and not isinstance(project, bool):
        return url.rstrip("/"), project
    return None


Entry = tuple[dt.datetime, int, Part, str | None]
"""A file of a group: export time, depth in its chain, the file, its base's ``project_created_at``."""


def group_chains(paths: Iterable[Path], known: dict[Path, str] | None = None) -> list[list[Path]]:
    """The snapshots given, one list per project in export order (each delta after its base).

    Snapshots whose sidecars name the same Label Studio URL and project id form one list,
    unless they name different project creation times (``project_created_at``: a server set
    up again gives its projects the same ids): one list per project then. A delta joins its
    base's; a snapshot without those names is a list of its own.

    Raises:
        InputError: a delta's base is not among the paths, was changed since, or was
            exported after the delta; a snapshot without a creation time among snapshots of
            several projects with its URL and id.
    """
    parts = [_part(p) for p in snapshot_files(paths)]
    by_name = {p.path.resolve(): p for p in parts}
    groups: dict[object, list[Entry]] = {}
    for part in parts:
        root = part
        seen = {root.path.resolve()}
        while root.delta is not None:
            base = root.path.with_name(root.delta.base).resolve()
            found = by_name.get(base)
            if found is None:
                raise InputError(
                    f"{root.path}: a delta of {root.delta.base}; give its base too "
                    f"({root.path.with_name(root.delta.base)}), or a full snapshot instead"
                )
            _check_base(root, found.path, known)
            if _exported(found) > _exported(root):
                raise InputError(f"{root.path}: exported before its base {found.path}; pull a full snapshot")
            if base in seen:
                raise InputError(f"{part.path}: its chain of bases loops back to {found.path}")
            seen.add(base)
            root = found
        made = root.meta.get("project_created_at")  # the base's names the project of the whole chain
        entry = (_exported(part), len(seen), part, made if isinstance(made, str) else None)
        groups.setdefault(_project(root) or root.path.resolve(), []).append(entry)
    # in export order; a tie puts a delta after its base, else keeps the order given (sorted is stable)
    return [[e[2].path for e in sorted(group, key=lambda e: e[:2])] for group in _by_creation(groups)]


def _by_creation(groups: dict[object, list[Entry]]) -> list[list[Entry]]:
    """Each group split by the project creation time its chains' bases name (one project then)."""
    out: list[list[Entry]] = []
    for key, group in groups.items():
        made: dict[str | None, list[Entry]] = {}
        for entry in group:
            made.setdefault(entry[3], []).append(entry)
        if len(made.keys() - {None}) <= 1:
            out.append(group)
            continue
        if None in made:
            url, project_id = cast(tuple[str, int], key)
            raise InputError(
                f"{made[None][0][2].path}: pulled before eventgold recorded when a project was made, among snapshots "
                f"of {len(made) - 1} projects with id {project_id} at {url} (Label Studio set up again); give the "
                "snapshots of one project"
            )
        out.extend(made.values())
    return out


def read_snapshots(paths: Iterable[Path], *, ontology: Ontology | None = None) -> list[Snapshot]:
    """Read snapshots, each base with the deltas given (``gold build`` and ``agree``'s reader).

    Args:
        paths: snapshot files; sidecars matching a glob (``exports/raw/*.json``) are dropped.
        ontology: as for :func:`~eventgold.labelstudio.snapshot.read_snapshot`.

    Returns:
        One :class:`~eventgold.labelstudio.snapshot.Snapshot` per project (in the order
        first given): its snapshots read as the one Label Studio would have exported at
        the last one's time (module doc; ``parts`` names every file read). A snapshot
        whose sidecar names no project is read alone.

    Raises:
        InputError: a file cannot be read, or a delta's base is not given (module doc).
        RecordError: as read_snapshot raises it.
    """
    known: dict[Path, str] = {}  # each file hashed once: checking a delta's base, then listing the parts
    chains = group_chains(paths, known)
    return [read_snapshot(c[0], ontology=ontology) if len(c) == 1 else read_chain(c, ontology, known) for c in chains]


def read_chain(
    chain: Sequence[Path], ontology: Ontology | None = None, known: dict[Path, str] | None = None
) -> Snapshot:
    """Snapshots of one project (in export order; the first a full one) read as one snapshot (module doc).

    Only the last full snapshot and the deltas after it are read; ``parts`` lists every file given.

    Raises:
        InputError, RecordError: as :func:`read_snapshot`.
    """
    digests = [(p.name, _sha256(p, known)) for p in chain]
    # the last full snapshot is the project as it was then: the files before it add nothing, so are not read
    chain = chain[max(i for i, p in enumerate(chain) if _part(p).delta is None) :]
    with paused_gc():
        latest: dict[int, int] = {}  # task id -> index of the file whose listing is current
        loose: list[tuple[int, dict[str, Any]]] = []  # tasks without an id: each kept from its own file
        listings: list[dict[int, dict[str, Any]]] = []
        for index, path in enumerate(chain):
            delta = _part(path).delta
            tasks, _ = unique_tasks(iter_tasks(path), path)
            by_id: dict[int, dict[str, Any]] = {}
            for task in tasks:
                if isinstance(task.get("id"), int):
                    by_id[task["id"]] = task
                    latest[task["id"]] = index
                else:
                    loose.append((index, task))
            listings.append(by_id)
            if delta is not None:
                kept = delta.ids()
                for gone in [i for i in latest if i not in kept]:
                    del latest[gone]
        converted: list[tuple[tuple[int, int, int], TaskConversion]] = []
        for index, path in enumerate(chain):
            kind, users, by_task, _ = read_sidecars(path)
            mine = sorted(i for i, at in latest.items() if at == index)
            own_loose = [t for j, t in loose if j == index]
            _, convs, _ = convert_tasks(
                [*(listings[index][i] for i in mine), *own_loose],
                path=path,
                annotation_kind=kind,
                users=users,
                predictions=by_task,
                ontology=ontology,
            )
            keys = [(0, i, 0) for i in mine] + [(1, index, n) for n in range(len(own_loose))]
            converted.extend(zip(keys, convs, strict=True))
    converted.sort(key=lambda pair: pair[0])
    articles: dict[str, Article] = {}
    for conv in (c for _, c in converted):
        seen = articles.get(conv.article.id)
        if seen is not None and seen.content_sha != conv.article.content_sha:
            raise RecordError(
                "two tasks carry this doc_id with different texts", file=str(chain[-1]), doc_id=conv.article.id,
                field="data.text",
            )
        articles[conv.article.id] = conv.article
    last = chain[-1]
    convs = [c for _, c in converted]
    return Snapshot(
        path=last,
        sha256=digests[-1][1],
        articles=articles,
        annotations=[a for c in convs for a in c.annotations],
        predictions=[p for c in convs for p in c.predictions],
        problems=[p for c in convs for p in c.problems],
        exported_at=parse_created(_part(last).meta.get("exported_at")),
        task_count=len(convs),
        repairs=[r for c in convs for r in c.repairs],
        predictions_not_fetched=sum(c.predictions_not_fetched for c in convs),
        parts=digests,
    )
