"""A spaCy ``DocBin`` as DocumentAnnotations (mentions only).

Read through :func:`eventgold.readers.read_predictions` (format ``docbin``);
each doc carries its article id in ``doc.user_data[doc_key]``. An entity label
that is an actor type of the ontology is taken as it is (eventgold's own spaCy
export); any other goes through the ontology's ``ner_labels``
(:attr:`eventgold.ontology.Ontology.ner_label_map`). Events in
``user_data`` are not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from eventgold.errors import InputError, Option, RecordError
from eventgold.models import DocumentAnnotation, Origin
from eventgold.ontology import Ontology, load_ontology


def read_docbin(
    file: Path, doc_key: str, ontology: Ontology | None
) -> Iterator[tuple[tuple[str, int | None], DocumentAnnotation]]:
    """The docs of a spaCy ``DocBin`` file as DocumentAnnotations with their entities as mentions.

    Format: spaCy's binary ``DocBin`` (https://spacy.io/api/docbin), written with
    ``store_user_data=True`` so each doc carries its article id.

    Args:
        file: the ``.spacy`` file.
        doc_key: the ``doc.user_data`` key holding the article id (``doc_id`` and ``id`` are tried next).
        ontology: maps entity labels to actor types (None: label_config/ontology.yaml).

    Returns:
        An iterator of ``((where, None), annotation)``: ``where`` is ``"FILE (doc #N)"``
        (N from 1); the annotation's origin is ``extractor`` named by ``user_data["origin_name"]``
        or the file's stem. Entity offsets are character offsets into ``doc.text``.

    Raises:
        ConfigError: spaCy is not installed.
        InputError: the file is not a readable DocBin.
        RecordError: a doc has no article id, or its entities do not make valid mentions.
    """
    from eventgold.extractors.spacy_ner import doc_mentions, import_spacy

    spacy = import_spacy()
    from spacy.tokens import DocBin

    try:
        docbin = DocBin(store_user_data=True).from_disk(file)
    except Exception as exc:  # spaCy raises ValueError/KeyError/OSError on bad files
        raise InputError(f"{file}: not a readable spaCy DocBin: {exc}") from exc
    onto = ontology if ontology is not None else load_ontology()
    label_map = {**onto.ner_label_map, **{t.name: t.name for t in onto.actor_types}}
    vocab = spacy.blank("xx").vocab
    for number, doc in enumerate(docbin.get_docs(vocab), 1):
        where = f"{file} (doc #{number})"
        user_data = cast(dict[Any, Any], doc.user_data or {})
        doc_id = user_data.get(doc_key) or user_data.get("doc_id") or user_data.get("id")
        if not doc_id:
            raise RecordError(
                (
                    f"the doc has no article id in user_data[{doc_key!r}] (choose the key with ",
                    Option("doc_key"),
                    "; write the DocBin with store_user_data=True)",
                ),
                file=where,
            )
        name = str(user_data.get("origin_name") or file.stem)
        try:
            annotation = DocumentAnnotation(
                doc_id=str(doc_id),
                origin=Origin(kind="extractor", name=name),
                mentions=doc_mentions(doc, label_map),
            )
        except ValueError as exc:
            raise RecordError(f"cannot convert the doc: {exc}", file=where, doc_id=str(doc_id)) from exc
        yield (where, None), annotation
