"""``gold diff A B``: what changed between two gold versions.

Documents are matched by id, units by their derived gold id (document, kind,
offsets, type). So a unit whose offsets or type changed shows as one removed
and one added; a unit listed as *changed* kept its offsets and type but
another attribute changed (canonical id, country, sector, mode, date,
contexts, flags, roles). A document is also reported when its split or its
article text (``content_sha``) changed.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from eventgold.gold.dataset import read_gold_version
from eventgold.models import Event, GoldDocument, Mention


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentDiff(_Out):
    """Changes inside one document present in both versions."""

    doc_id: str
    units_added: list[str] = Field(default_factory=list)
    units_removed: list[str] = Field(default_factory=list)
    units_changed: list[str] = Field(default_factory=list)
    split: tuple[str | None, str | None] | None = None
    """(old, new) when the split changed."""
    text_changed: bool = False


class GoldDiff(_Out):
    """Differences between gold versions ``a`` (old) and ``b`` (new)."""

    a: str
    b: str
    documents_added: list[str]
    documents_removed: list[str]
    documents_changed: list[DocumentDiff]
    units_added: int
    units_removed: int
    units_changed: int

    @property
    def identical(self) -> bool:
        """Whether the two versions hold the same documents, units and splits."""
        return not (self.documents_added or self.documents_removed or self.documents_changed)


def _units(doc: GoldDocument) -> dict[str, Mention | Event]:
    units: list[Mention | Event] = [*doc.mentions, *doc.events]
    return {u.id: u for u in units}


def diff_documents(a: GoldDocument, b: GoldDocument) -> DocumentDiff:
    """Units added, removed and changed between two versions of one document."""
    ua, ub = _units(a), _units(b)
    return DocumentDiff(
        doc_id=a.doc_id,
        units_added=sorted(ub.keys() - ua.keys()),
        units_removed=sorted(ua.keys() - ub.keys()),
        units_changed=sorted(k for k in ua.keys() & ub.keys() if ua[k] != ub[k]),
        split=(a.split, b.split) if a.split != b.split else None,
        text_changed=a.article.content_sha != b.article.content_sha,
    )


def diff_gold(a: list[GoldDocument], b: list[GoldDocument], name_a: str = "a", name_b: str = "b") -> GoldDiff:
    """Compare two lists of gold documents (old ``a``, new ``b``)."""
    da = {d.doc_id: d for d in a}
    db = {d.doc_id: d for d in b}
    changed = []
    for doc_id in sorted(da.keys() & db.keys()):
        d = diff_documents(da[doc_id], db[doc_id])
        if d.units_added or d.units_removed or d.units_changed or d.split or d.text_changed:
            changed.append(d)
    added = sorted(db.keys() - da.keys())
    removed = sorted(da.keys() - db.keys())
    return GoldDiff(
        a=name_a,
        b=name_b,
        documents_added=added,
        documents_removed=removed,
        documents_changed=changed,
        units_added=sum(len(d.units_added) for d in changed) + sum(len(_units(db[x])) for x in added),
        units_removed=sum(len(d.units_removed) for d in changed) + sum(len(_units(da[x])) for x in removed),
        units_changed=sum(len(d.units_changed) for d in changed),
    )


def diff_versions(a: str | Path, b: str | Path) -> GoldDiff:
    """Compare two gold version folders (``gold diff A B``)."""
    va, vb = read_gold_version(a), read_gold_version(b)
    return diff_gold(va.documents, vb.documents, va.manifest.version, vb.manifest.version)
