"""An annotation checked against the ontology unit by unit: what does not fit is listed, the rest kept.

:func:`eventgold.models.check_against_ontology` refuses a whole record at its
first mistake, which suits files eventgold wrote itself. Annotations from
people are screened instead: a mention or event with a label the ontology
does not define is left out (with the arguments that pointed at it), an
attribute value it does not define (mode, sector, relevance) is cleared, a
context or flag it does not define is left out, and so is an argument whose
role the ontology does not allow for the event's type or whose mention type
the role does not accept (:meth:`~eventgold.ontology.Ontology.argument_problem`).
Each is one :class:`~eventgold.problems.Problem` naming the annotation, the
region (or the relation, for an argument) and the field.
"""

from __future__ import annotations

from eventgold.models import Argument, DocumentAnnotation, Event, Mention
from eventgold.ontology import Ontology
from eventgold.problems import Problem

ONTOLOGY_ACTION = "use a value of the project's ontology (label_config/ontology.yaml) in Label Studio"


def screen_annotation(annotation: DocumentAnnotation, ontology: Ontology) -> tuple[DocumentAnnotation, list[Problem]]:
    """The annotation without what the ontology does not define, and one problem per item left out.

    Args:
        annotation: one annotator's (or adjudicator's) annotation of one document.
        ontology: the ontology its labels, modes, contexts, flags, roles,
            sectors and relevance must come from.

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

    def problem(region: str | None, field: str, message: str, relation: str | None = None) -> None:
        problems.append(
            Problem(
                **where,
                region=region,
                relation=relation,
                field=field,
                problem=message,
                action=ONTOLOGY_ACTION,
            )
        )

    mentions: list[Mention] = []
    for m in annotation.mentions:
        if m.type not in ontology.actor_type_names:
            problem(m.id, "type", f"unknown actor type {m.type!r}; the mention is left out")
            continue
        if m.sector is not None and ontology.sectors and m.sector not in ontology.sector_codes:
            problem(m.id, "sector", f"unknown sector {m.sector!r}; cleared")
            m = m.model_copy(update={"sector": None})
        mentions.append(m)
    kept = {m.id: m for m in mentions}
    contexts = set(ontology.contexts)
    flags = set(ontology.flag_names)
    events: list[Event] = []
    for e in annotation.events:
        if e.type not in ontology.event_type_names:
            problem(e.id, "type", f"unknown event type {e.type!r}; the event and its arguments are left out")
            continue
        update: dict[str, object] = {}
        if e.mode is not None and e.mode not in ontology.modes_of(e.type):
            problem(e.id, "mode", f"mode {e.mode!r} does not belong to {e.type}; cleared")
            update["mode"] = None
        for name, allowed, what in (("contexts", contexts, "context"), ("flags", flags, "flag")):
            values: list[str] = getattr(e, name)
            bad = [v for v in values if v not in allowed]
            for value in bad:
                problem(e.id, name, f"unknown {what} {value!r}; left out")
            if bad:
                update[name] = [v for v in values if v in allowed]
        arguments: list[Argument] = []
        for arg in e.arguments:
            relation = f"{e.id}->{arg.mention}"
            mention = kept.get(arg.mention)
            if mention is None:
                problem(
                    e.id,
                    "arguments",
                    f"argument {arg.role!r} pointed at mention {arg.mention!r}, which is left out",
                    relation,
                )
                continue
            why = ontology.argument_problem(e.type, arg.role, mention.type)
            if why is not None:
                problem(e.id, "arguments", f"{why}; the argument is left out", relation)
                continue
            arguments.append(arg)
        if len(arguments) != len(e.arguments):
            update["arguments"] = arguments
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
