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
    return Screen(ontology)(annotation)


class Screen:
    """:func:`screen_annotation` for annotation after annotation, remembering the ontology's answers.

    An annotation is first checked in bulk (sets of the ontology's names, each
    argument's (event type, role, mention type) asked once); only one that
    breaks a rule is walked again to list its problems. The ontology must not
    change meanwhile.

    Args:
        ontology: the ontology annotations are screened against.
    """

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        self.actor_types = ontology.actor_type_names
        self.sectors = ontology.sector_codes if ontology.sectors else None
        self.modes = {name: frozenset(ontology.modes_of(name)) for name in ontology.event_type_names}
        self.contexts = frozenset(ontology.contexts)
        self.flags = frozenset(ontology.flag_names)
        self.relevance = frozenset(ontology.relevance)
        self.arguments: dict[tuple[str, str, str], bool] = {}

    def __call__(self, annotation: DocumentAnnotation) -> tuple[DocumentAnnotation, list[Problem]]:
        """The annotation without what the ontology does not define, and one problem per item left out.

        Args:
            annotation: one annotator's (or adjudicator's) annotation of one document.

        Returns:
            ``(annotation, problems)``: the same object when nothing was wrong, else a copy.
        """
        if self.clean(annotation):
            return annotation, []
        return _screen(annotation, self.ontology)

    def clean(self, annotation: DocumentAnnotation) -> bool:
        """Whether :func:`screen_annotation` finds nothing to leave out of ``annotation`` (no problem built)."""
        actor_types, sectors = self.actor_types, self.sectors
        types: dict[str, str] = {}
        for m in annotation.mentions:
            if m.type not in actor_types or (m.sector is not None and sectors is not None and m.sector not in sectors):
                return False
            types[m.id] = m.type
        modes, answers = self.modes, self.arguments
        for e in annotation.events:
            allowed = modes.get(e.type)
            if allowed is None or (e.mode is not None and e.mode not in allowed):
                return False
            if (e.contexts and not self.contexts.issuperset(e.contexts)) or (
                e.flags and not self.flags.issuperset(e.flags)
            ):
                return False
            for arg in e.arguments:
                mention_type = types.get(arg.mention)
                if mention_type is None:
                    return False
                key = (e.type, arg.role, mention_type)
                fine = answers.get(key)
                if fine is None:
                    fine = answers[key] = self.ontology.argument_problem(*key) is None
                if not fine:
                    return False
        return annotation.relevance is None or annotation.relevance in self.relevance


def _screen(annotation: DocumentAnnotation, ontology: Ontology) -> tuple[DocumentAnnotation, list[Problem]]:
    """:func:`screen_annotation` walking every unit, listing each problem."""
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
