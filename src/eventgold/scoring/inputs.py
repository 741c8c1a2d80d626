"""Reading what ``score`` needs from files: the gold and each extractor's predictions.

Predictions are read by :func:`eventgold.readers.read_predictions`, so
every format it knows (and detects) can be scored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from eventgold.errors import InputError, UserError
from eventgold.memory import paused_gc
from eventgold.models import Article, DocumentAnnotation, GoldDocument
from eventgold.records_io import ONE_PER_DOCUMENT, OneRecordPerId, read_gold_documents

if TYPE_CHECKING:
    from eventgold.ontology import Ontology
    from eventgold.readers import Format
    from eventgold.scoring.report import ScoreReport

GOLD_FILE = "gold.jsonl"


def gold_path(path: str | Path) -> Path:
    """The GoldDocument JSONL file: ``path`` itself, or ``path/gold.jsonl`` for a folder."""
    p = Path(path)
    if p.is_dir():
        p = p / GOLD_FILE
        if p.is_symlink() and not p.exists():
            raise InputError(f"{p}: a link to a file that does not exist; restore it or give another gold folder")
        if not p.is_file():
            raise InputError(f"{path}: folder has no {GOLD_FILE}; give a gold folder or a JSONL file")
    elif not p.exists():
        raise InputError(f"{p}: gold file not found")
    return p


def load_gold(path: str | Path, ontology: Ontology | None = None) -> list[GoldDocument]:
    """All gold documents of a gold folder or GoldDocument JSONL file, one per article id.

    Two different documents with one id are a DuplicateIdError naming both
    lines; an exact repeat is read once, with a RepeatedRecordWarning. With
    ``ontology``, a label it lacks is a RecordError naming the line. A file
    without documents is an InputError: there is nothing to score against.
    """
    file = gold_path(path)
    with paused_gc():  # millions of new objects, no cycles among them
        documents = list(read_gold_documents(file, ontology, keep=True))
    if not documents:
        raise InputError(f"{file}: holds no gold documents; give a gold version built by `eventgold gold build`")
    return documents


MANIFEST_FILE = "manifest.json"
AGREEMENT_FILE = "agreement.json"


@dataclass(frozen=True)
class GoldMetadata:
    """What a gold version folder says about itself (all None for a bare JSONL file)."""

    version: str | None
    created: str | None
    manifest: dict[str, Any] | None
    agreement: dict[str, float | None]
    warnings: list[str]


def _read_json(path: Path, warnings: list[str]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        warnings.append(f"{path}: cannot read ({exc}); left out of the report")
        return None
    if not isinstance(data, dict):
        warnings.append(f"{path}: not a JSON object; left out of the report")
        return None
    return data


def agreement_headline(agreement: dict[str, Any]) -> dict[str, float | None]:
    """The figures a report shows about a gold version's agreement, from its ``agreement.json``.

    Span F1 (macro over annotator pairs) per kind and matching, role F1, and
    Krippendorff's alpha and mean Cohen's kappa per categorical field.
    """
    out: dict[str, float | None] = {}
    for span in agreement.get("spans") or []:
        out[f"{span.get('kind')} span F1 ({span.get('matching')})"] = span.get("macro_f1")
    roles = agreement.get("roles")
    if isinstance(roles, dict):
        out["role F1"] = roles.get("macro_f1")
    for fa in agreement.get("fields") or []:
        out[f"{fa.get('field')} alpha"] = fa.get("alpha")
        out[f"{fa.get('field')} Cohen's kappa (mean)"] = fa.get("cohen_mean")
    return out


def gold_metadata(path: str | Path) -> GoldMetadata:
    """The manifest and agreement of the gold version holding ``path`` (the gold JSONL file).

    A bare GoldDocument JSONL without ``manifest.json`` beside it has none; an
    unreadable manifest or agreement file is reported as a warning, never fatal
    (the scores do not depend on it).
    """
    folder = Path(path).parent
    warnings: list[str] = []
    manifest = _read_json(folder / MANIFEST_FILE, warnings)
    agreement = _read_json(folder / AGREEMENT_FILE, warnings) if manifest is not None else None
    version = manifest.get("version") if manifest else None
    created = manifest.get("created") if manifest else None
    return GoldMetadata(
        version=str(version) if version is not None else None,
        created=str(created) if created is not None else None,
        manifest=manifest,
        agreement=agreement_headline(agreement) if agreement else {},
        warnings=warnings,
    )


def add_gold_metadata(report: ScoreReport, path: str | Path) -> None:
    """Fill ``report.gold_info`` with the version, manifest and agreement of the gold at ``path``.

    Unreadable metadata files become report warnings (see :func:`gold_metadata`).
    """
    meta = gold_metadata(path)
    if report.gold_info is not None:
        report.gold_info.version = meta.version
        report.gold_info.created = meta.created
        report.gold_info.manifest = meta.manifest
        report.gold_info.agreement = meta.agreement
    report.warnings.extend(meta.warnings)


@dataclass(frozen=True)
class Predictions:
    """One extractor's predictions, read into memory, with the name to report them under."""

    name: str
    path: Path
    annotations: list[DocumentAnnotation]


class CorpusNotPredictions(InputError):
    """A file given as predictions holds articles without annotations (``path``): a corpus."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(message)


def load_predictions(
    path: str | Path,
    fmt: str | None = None,
    *,
    articles: Mapping[str, Article] | None = None,
    ontology: Ontology | None = None,
    doc_key: str | None = None,
) -> Predictions:
    """Read one prediction file in any format :mod:`eventgold.readers` knows.

    ``fmt`` None detects the format (our JSONL, Label Studio JSON, PLOVER records, spaCy
    DocBin); PLOVER actors are resolved to canonical ids with the default actor dictionary.
    ``articles`` (the gold's, by id) check offsets against the text and let offset-less
    PLOVER actors be placed; ``ontology`` checks labels, modes and contexts. ``doc_key``
    names the field of PLOVER records (or DocBin ``user_data``) holding the document id;
    None detects it for PLOVER records (the field whose values are ``articles`` ids, else
    a known key such as ``doc_id``) and means ``doc_id`` otherwise. The extractor's name is its ``origin.name``
    (else the file stem). One annotation per document: two different ones are a
    DuplicateIdError naming both places, an exact repeat is read once with a warning.
    """
    from eventgold.actors.dictionary import load_actor_dictionary
    from eventgold.readers import FORMATS, detect_format, read_predictions
    from eventgold.records_io import sniff_records

    if fmt is not None and fmt not in FORMATS:
        raise UserError(f"unknown prediction format {fmt!r}; known: {', '.join(FORMATS)}")
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: prediction file not found")
    if fmt in (None, "jsonl") and p.is_file() and sniff_records(p) == "corpus":
        raise CorpusNotPredictions(
            p,
            f"{p}: looks like a corpus (articles with text, no mentions or events), not predictions; "
            "run an extractor on it",
        )
    chosen = cast("Format", fmt) if fmt is not None else detect_format(p)
    # offset-less coder records name actors by text, code or QID: the dictionary gives canonical ids
    dictionary = load_actor_dictionary() if chosen == "plover" else None
    with paused_gc():  # millions of new objects, no cycles among them
        annotations = list(
            read_predictions(
                p,
                chosen,
                articles=articles,
                doc_key=doc_key,
                ontology=ontology,
                dictionary=dictionary,
                one_per=OneRecordPerId(ONE_PER_DOCUMENT, keep=True),  # the list keeps every record
            )
        )
    names = {a.origin.name for a in annotations}
    name = names.pop() if len(names) == 1 else p.stem
    return Predictions(name=name, path=p, annotations=annotations)


def unique_names(preds: list[Predictions]) -> list[str]:
    """Report names for ``preds``: their names, made unique with the file name where they clash."""
    out: list[str] = []
    for p in preds:
        name = p.name
        if name in out or sum(q.name == p.name for q in preds) > 1:
            name = f"{p.name} ({p.path.name})"
        n = 2
        base = name
        while name in out:
            name = f"{base} #{n}"
            n += 1
        out.append(name)
    return out
