"""Any ontology renders a labeling config the real Label Studio accepts, and its arguments survive it.

Hypothesis draws ontologies (random mention and event types, roles with or
without accepted mention types, per-type role sets, modes, flags, contexts,
sectors, names and versions with ``--``, descriptions with XML-special
characters). For each:

- Label Studio's own validator (``POST /api/projects/validate/``) accepts the
  rendered config;
- one annotation with an argument for a drawn subset of the event type's roles
  (plus, when the ontology allows one, an argument it does not) goes records ->
  results -> a real project's annotation -> records: the allowed arguments come
  back as they were, the other is one listed problem.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.convert import annotation_to_results, article_to_task_data, results_to_annotation
from eventgold.labelstudio.label_config import parse_label_config, render_label_config
from eventgold.models import Argument, Article, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.ontology import Ontology
from tests.conftest import LiveServer

pytestmark = pytest.mark.integration

NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,7}", fullmatch=True)
DESCRIPTION = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + " .,;:()<>&'\"/·é—ü-"), max_size=24
)
COLOR = st.sampled_from([None, "#1f77b4", "#d62728", "#abc"])


@st.composite
def ontologies(draw: st.DrawFn) -> Ontology:
    """A valid ontology of random shape (typed roles or not)."""
    actors = draw(st.lists(NAME, min_size=1, max_size=5, unique=True))
    events = draw(st.lists(NAME.filter(lambda n: n not in actors), min_size=1, max_size=6, unique=True))
    roles = draw(st.lists(NAME, max_size=6, unique=True))
    role_defs = [
        {
            "name": role,
            "description": draw(DESCRIPTION),
            "entity_types": draw(st.lists(st.sampled_from(actors), max_size=len(actors), unique=True)),
        }
        for role in roles
    ]
    event_defs = []
    for name in events:
        event: dict[str, Any] = {
            "name": name,
            "description": draw(DESCRIPTION),
            "color": draw(COLOR),
            "modes": draw(st.lists(NAME, max_size=3, unique=True)),
        }
        per_type = (
            draw(st.none() | st.lists(st.sampled_from(roles), max_size=len(roles), unique=True)) if roles else None
        )
        if per_type is not None:
            event["roles"] = per_type
        if draw(st.booleans()):
            event["group"] = draw(NAME)
        event_defs.append(event)
    raw = {
        "name": draw(NAME),
        "version": draw(st.sampled_from(["", "1", "0.8", "2--rc"]) | DESCRIPTION),  # XML comment: no "--"
        "actor_types": [{"name": a, "description": draw(DESCRIPTION), "color": draw(COLOR)} for a in actors],
        "event_types": event_defs,
        "roles": role_defs,
        "flags": [{"name": f, "description": draw(DESCRIPTION)} for f in draw(st.lists(NAME, max_size=3, unique=True))],
        "contexts": draw(st.lists(NAME, max_size=3, unique=True)),
        "sectors": [
            {"code": c, "description": draw(DESCRIPTION)} for c in draw(st.lists(NAME, max_size=3, unique=True))
        ],
        "relevance": draw(st.lists(NAME, max_size=3, unique=True)),
    }
    return Ontology.model_validate(raw)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Ontology, DocumentAnnotation, Article, Argument | None]:
    """An ontology, an annotation whose arguments it allows, and (when it can be made) one argument it does not."""
    onto = draw(ontologies())
    event_type = draw(st.sampled_from(onto.event_types))
    allowed = list(onto.roles_of(event_type.name))
    chosen = draw(st.lists(st.sampled_from(allowed), max_size=4)) if allowed else []
    actor_names = [a.name for a in onto.actor_types]
    arguments: list[tuple[str, str]] = []  # (role, mention type)
    for role in chosen:
        accepted = list(onto.role(role).entity_types) or actor_names
        arguments.append((role, draw(st.sampled_from(accepted))))
    bad: tuple[str, str] | None = None
    other_roles = [r.name for r in onto.roles if r.name not in allowed]
    narrow = [(r, t) for r in allowed for t in actor_names if onto.argument_problem(event_type.name, r, t)]
    if other_roles or narrow:
        options = [(r, actor_names[0]) for r in other_roles] + narrow
        bad = draw(st.sampled_from(options))
    # text: "trigger m0 m1 …"; each argument fills its own mention
    tokens = ["trigger", *(f"m{i}" for i in range(len(arguments) + (bad is not None)))]
    text = " ".join(tokens) + ".\n"
    starts = [sum(len(t) + 1 for t in tokens[:i]) for i in range(len(tokens))]
    mentions = []
    filled = [*arguments, *([bad] if bad else [])]
    for i, (_, mention_type) in enumerate(filled, 1):
        mentions.append(
            Mention(id=f"m{i - 1}", type=mention_type, start=starts[i], end=starts[i] + len(tokens[i]), text=tokens[i])
        )
    event = Event(
        id="e1",
        type=event_type.name,
        trigger=Span(start=0, end=len("trigger"), text="trigger"),
        mode=event_type.modes[0] if event_type.modes else None,
        flags=[onto.flags[0].name] if onto.flags else [],
        arguments=[Argument(role=role, mention=f"m{i}") for i, (role, _) in enumerate(filled)],
    )
    ann = DocumentAnnotation(
        doc_id="doc", origin=Origin(kind="annotator", name="prop"), mentions=mentions, events=[event]
    )
    article = Article(id="doc", title="Property", text=text)
    bad_argument = Argument(role=bad[0], mention=f"m{len(arguments)}") if bad else None
    return onto, ann, article, bad_argument


def _through_label_studio(client: LabelStudioClient, xml: str, article: Article, result: list[dict[str, Any]]) -> Any:
    """Create a project with ``xml``, annotate its one task with ``result``, and read that result back."""
    project = client.post_json("/api/projects", {"title": "property any ontology", "label_config": xml})
    try:
        [task] = client.import_tasks(int(project["id"]), [{"data": article_to_task_data(article, [])}])
        made = client.post_json(f"/api/tasks/{task}/annotations", {"result": result})
        return client.get_json(f"/api/annotations/{made['id']}")["result"]
    finally:
        client.request("DELETE", f"/api/projects/{project['id']}/")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_any_ontology_renders_a_valid_config_and_keeps_its_arguments(
    live_server: LiveServer, case: tuple[Ontology, DocumentAnnotation, Article, Argument | None]
) -> None:
    onto, ann, article, bad = case
    xml = render_label_config(onto)
    parse_label_config(xml)
    client = live_server.client()
    try:
        assert client.post_json("/api/projects/validate/", {"label_config": xml}) is None  # 204: accepted
        stored = _through_label_studio(client, xml, article, annotation_to_results(ann, article.text))
    finally:
        client.close()
    back = results_to_annotation(stored, text=article.text, doc_id="doc", origin=ann.origin, ontology=onto)
    [event] = ann.events
    [got] = back.annotation.events
    expected = [a for a in event.arguments if a != bad]
    assert got.arguments == expected
    assert (got.type, got.mode, got.flags) == (event.type, event.mode, event.flags)
    assert back.annotation.mentions == ann.mentions
    if bad is None:
        assert back.problems == []
    else:
        [problem] = back.problems
        assert problem.relation == f"e1->{bad.mention}" and problem.field == "arguments"
        why = onto.argument_problem(event.type, bad.role, ann.mentions[-1].type)
        assert why is not None and why in problem.problem
