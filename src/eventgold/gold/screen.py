"""An annotation checked against the ontology unit by unit: what does not fit is listed, the rest kept.

:func:`eventgold.models.check_against_ontology` refuses a whole record at its
first mistake, which suits files eventgold wrote itself. Annotations from
people are screened instead: a mention or event with a label the ontology
does not define is left out (with the roles that pointed at it), an attribute
value it does not define (mode, context, sector, relevance) is cleared, and
each is one :class:`~eventgold.problems.Problem` naming the annotation, the
region and the field.
"""

from __future__ import annotations

from eventgold.models import DocumentAnnotation, Event, Mention
from eventgold.ontology import Ontology
from eventgold.problems import Problem

ONTOLOGY_ACTION = "use a value of the project's ontology (label_config/ontology.yaml) in Label Studio"


def screen_annotation(annotation: DocumentAnnotation, ontology: Ontology) -> tuple[DocumentAnnotation, list[Problem]]:
    """The annotation without what the ontology does not define, and one problem per item left out.

    Args:
        annotation: one annotator's (or adjudicator's) annotation of one document.
        ontology: the ontology its labels, modes, contexts, sectors and relevance must come from.

    Returns:
        ``(annotation, problems)``: the same object when nothing was wrong, else a copy.
    """
    ref = annotation.labelstudio
    where = {
        "doc_id": annotation.doc_id,
        "task": ref.task if ref else None,
        "annotation": (ref.annotation if ref.annotation is not None else ref.prediction) if ref else None,
        "annotator": annotation.origin.name,
    }
    problems: list[Problem] = []

    def problem(region: str | None, field: str, message: str) -> None:
        problems.append(Problem(**where, region=region, field=field, problem=message, action=ONTOLOGY_ACTION))

    mentions: list[Mention] = []
    for m in annotation.mentions:
        if m.type not in ontology.actor_type_names:
            problem(m.id, "type", f"unknown actor type {m.type!r}; the mention is left out")
            continue
        if m.sector is not None and ontology.sectors and m.sector not in ontology.sector_codes:
            problem(m.id, "sector", f"unknown sector {m.sector!r}; cleared")
            m = m.model_copy(update={"sector": None})
        mentions.append(m)
    kept_mentions = {m.id for m in mentions}
    given_mentions = {m.id for m in annotation.mentions}
    contexts = set(ontology.contexts)
    events: list[Event] = []
    for e in annotation.events:
        if e.type not in ontology.event_type_names:
            problem(e.id, "type", f"unknown event type {e.type!r}; the event and its roles are left out")
            continue
        update: dict[str, object] = {}
        if e.mode is not None and e.mode not in ontology.modes_of(e.type):
            problem(e.id, "mode", f"mode {e.mode!r} does not belong to {e.type}; cleared")
            update["mode"] = None
        bad = [c for c in e.contexts if c not in contexts]
        for context in bad:
            problem(e.id, "contexts", f"unknown context {context!r}; left out")
        if bad:
            update["contexts"] = [c for c in e.contexts if c in contexts]
        for role in ("actors", "recipients", "locations"):
            ids = getattr(e, role)
            gone = [i for i in ids if i not in kept_mentions and i in given_mentions]
            if gone:
                update[role] = [i for i in ids if i not in gone]
                for mention_id in gone:
                    problem(e.id, role, f"role {role[:-1]} pointed at mention {mention_id!r}, which is left out")
        events.append(e.model_copy(update=update) if update else e)
    relevance = annotation.relevance
    if relevance is not None and relevance not in ontology.relevance:
        problem(None, "relevance", f"unknown relevance {relevance!r}; cleared")
        relevance = None
    if not problems:
        return annotation, []
    return (
        annotation.model_copy(update={"mentions": mentions, "events": events, "relevance": relevance}),
        problems,
    )
