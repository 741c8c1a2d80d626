"""The ``spacy:<pipeline>`` extractor: actor mentions from any installed spaCy pipeline.

spaCy is optional (the ``spacy`` extra); it is imported only when this
extractor is used, and pipelines are never downloaded here. Entity labels map
to the ontology's actor types through each type's ``ner_labels``
(:func:`ontology_label_map`; the default PLOVER ontology maps the OntoNotes
labels PERSON, ORG, GPE, NORP, LOC, FAC); labels not in the map are left out.
An explicit ``label_map`` replaces the ontology's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from eventgold.errors import ConfigError
from eventgold.models import Article, DocumentAnnotation, Mention, Origin
from eventgold.ontology import Ontology, load_ontology


def ontology_label_map(ontology: Ontology) -> dict[str, str]:
    """NER label -> actor type, from the ``ner_labels`` of the ontology's actor types.

    A label listed by two types maps to the first of them (file order).

    Example:
        >>> from eventgold.ontology import load_ontology
        >>> ontology_label_map(load_ontology())["GPE"]
        'STATE'
    """
    return dict(ontology.ner_label_map)


def import_spacy() -> Any:
    """The ``spacy`` module, imported on first use (spaCy is the optional ``spacy`` extra).

    Raises:
        ConfigError: spaCy is not installed (the message says how to install it).
    """
    try:
        import spacy
    except ImportError as exc:
        raise ConfigError("the spacy extractor needs spaCy: pip install 'spacy>=3.7,<4'") from exc
    return spacy


def doc_mentions(doc: Any, label_map: Mapping[str, str], prefix: str = "m") -> list[Mention]:
    """The entities of a spaCy ``Doc`` as Mentions (character offsets into ``doc.text``)."""
    out: list[Mention] = []
    for ent in doc.ents:
        actor_type = label_map.get(ent.label_)
        if actor_type is None:
            continue
        out.append(
            Mention(
                id=f"{prefix}{len(out) + 1}",
                type=actor_type,
                start=ent.start_char,
                end=ent.end_char,
                text=ent.text,
            )
        )
    return out


class SpacyExtractor:
    """Actor mentions from a spaCy pipeline, given by package name or as a loaded ``Language``."""

    description = "actor mentions from an installed spaCy pipeline"

    def __init__(
        self,
        pipeline: str | Any,
        *,
        label_map: Mapping[str, str] | None = None,
        ontology: Ontology | None = None,
        batch_size: int = 64,
    ) -> None:
        """Load ``pipeline`` (an installed package or path; never downloaded) or use it as given.

        Args:
            pipeline: an installed pipeline's name or path, or a loaded ``Language``.
            label_map: NER label -> actor type; None: :func:`ontology_label_map` of ``ontology``.
            ontology: the ontology whose ``ner_labels`` give the map (default: label_config/ontology.yaml).
            batch_size: documents per ``nlp.pipe`` batch.
        """
        spacy = import_spacy()
        if isinstance(pipeline, str):
            if not pipeline:
                raise ConfigError("spacy extractor: name a pipeline, e.g. spacy:en_core_web_sm")
            try:
                self.nlp = spacy.load(pipeline)
            except OSError as exc:
                raise ConfigError(
                    f"spaCy pipeline {pipeline!r} is not installed; install it first "
                    f"(python -m spacy download {pipeline}) or give a path to a pipeline"
                ) from exc
            label = pipeline
        else:
            self.nlp = pipeline
            label = str(self.nlp.meta.get("name", "pipeline"))
        if label_map is None:
            label_map = ontology_label_map(ontology if ontology is not None else load_ontology())
        self.label_map = dict(label_map)
        self.batch_size = batch_size
        self.name = f"spacy:{label}"
        meta = self.nlp.meta
        self.version = f"spacy {spacy.__version__}; {meta.get('lang')}_{meta.get('name')} {meta.get('version')}"

    def extract(self, articles: Iterable[Article]) -> Iterator[DocumentAnnotation]:
        """One DocumentAnnotation per article with the mapped entities (batched ``nlp.pipe``)."""
        origin = Origin(kind="extractor", name=self.name, version=self.version)
        pairs = ((a.text, a.id) for a in articles)
        for doc, doc_id in self.nlp.pipe(pairs, as_tuples=True, batch_size=self.batch_size):
            yield DocumentAnnotation(doc_id=doc_id, origin=origin, mentions=doc_mentions(doc, self.label_map))
