"""Annotators in the Label Studio UI with other ontologies than PLOVER (a real Chromium, the real server).

ACE 2005: selecting a trigger shows the roles of its event type and the
mention types each accepts (Label Studio offers every role on every relation:
it cannot enforce per-type roles), the relations take ACE's roles, and a role
the type does not allow comes back as a listed problem. A small ontology with
one flag and one mode: the lone choice (rendered inside a View, which Label
Studio's validator needs) is shown and recorded.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from playwright.sync_api import Cookie, Locator, Page, expect

from eventgold.labelstudio.label_config import render_label_config, roles_guidance
from eventgold.labelstudio.project import guidelines_html
from eventgold.labelstudio.pull import pull_snapshot
from eventgold.labelstudio.push import push_articles
from eventgold.labelstudio.snapshot import Snapshot, read_snapshot
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import Argument, Article, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.ontology import Ontology, load_ontology
from eventgold.resources import packaged_label_config
from tests.conftest import LiveServer

from .conftest import Annotator, PageErrors
from .ui import Labeler, open_task

pytestmark = pytest.mark.e2e

ACE = load_ontology(packaged_label_config() / "examples" / "ace2005" / "ontology.yaml")
KIRKUK = Article(
    id="kirkuk-e2e",
    title="Kirkuk",
    text="Rebels attacked an army base in Kirkuk on Monday. Two soldiers died in the attack.\n",
)
_titles = itertools.count()


def _span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def _ace_prediction() -> DocumentAnnotation:
    """Mentions and triggers pre-annotated; the Attack has no arguments yet, the Die its Victim."""
    t = KIRKUK.text
    mentions = [
        Mention(id=mid, type=type_, start=_span(t, phrase)[0], end=_span(t, phrase)[1], text=phrase)
        for mid, phrase, type_ in [
            ("m1", "Rebels", "ORG"),
            ("m2", "army base", "FAC"),
            ("m3", "Kirkuk", "GPE"),
            ("m4", "soldiers", "PER"),
        ]
    ]
    events = [
        Event(id="e1", type="Attack", trigger=Span(start=7, end=15, text="attacked")),
        Event(
            id="e2",
            type="Die",
            trigger=Span(start=_span(t, "died")[0], end=_span(t, "died")[1], text="died"),
            arguments=[Argument(role="Victim", mention="m4")],
        ),
    ]
    return DocumentAnnotation(
        doc_id=KIRKUK.id, origin=Origin(kind="extractor", name="toy", version="1"), mentions=mentions, events=events
    )


def _push(
    live: LiveServer, ontology: Ontology, article: Article, prediction: DocumentAnnotation | None = None
) -> tuple[str, int, int]:
    title = f"e2e ontology {next(_titles)}"
    result = push_articles(
        live.client(),
        [article],
        project_title=title,
        label_config=render_label_config(ontology),
        instructions=guidelines_html("# Guide\n\nTag what the ontology defines."),
        ontology=ontology,
        predictions={article.id: [prediction]} if prediction else None,
    )
    tasks = existing_tasks(live.client(), result.project.id)
    return title, result.project.id, tasks[article.id].id


def _open(page: Page, live: LiveServer, cookies: list[Cookie], project: int, task: int) -> Labeler:
    page.context.add_cookies(cookies)
    open_task(page, live.url, project, task)
    return Labeler(page)


def _pull(live: LiveServer, title: str, tmp_path: Path, ontology: Ontology) -> Snapshot:
    return read_snapshot(pull_snapshot(live.client(), title, tmp_path / "raw").path, ontology=ontology)


def test_ace_trigger_shows_its_roles_and_relations_carry_ace_roles(
    live_server: LiveServer,
    annotator: Annotator,
    annotator_cookies: list[Cookie],
    page: Page,
    page_errors: PageErrors,
    tmp_path: Path,
) -> None:
    title, project, task = _push(live_server, ACE, KIRKUK, _ace_prediction())
    ui = _open(page, live_server, annotator_cookies, project, task)
    main = page.locator(".lsf-main-content, .lsf-main-view").first
    attack_roles, die_roles = roles_guidance(ACE, "Attack"), roles_guidance(ACE, "Die")
    assert attack_roles.startswith("Roles: Attacker (PER, ORG, GPE) · Target (PER, ORG, VEH, FAC, WEA)")
    attack, die = ui.region_of("e1"), ui.region_of("e2")
    assert die_roles == roles_guidance(ACE, "Injure")  # two views hold this line: one shows

    def shown(line: str) -> Locator:
        return main.get_by_text(line, exact=True).locator("visible=true")

    ui.select_region(die)
    expect(shown(die_roles)).to_have_count(1)
    expect(shown(attack_roles)).to_have_count(0)
    ui.select_region(attack)
    expect(shown(attack_roles)).to_have_count(1)
    expect(shown(die_roles)).to_have_count(0)
    page.keyboard.press("Escape")
    ui.relate(attack, ui.region_of("m1"), "Attacker")
    ui.relate(attack, ui.region_of("m2"), "Target")
    ui.relate(attack, ui.region_of("m4"), "Victim")  # offered (relations are global), not a role of Attack
    ui.submit()
    snap = _pull(live_server, title, tmp_path, ACE)
    [mine] = [a for a in snap.annotations if a.origin.name == annotator.email]
    text = {m.id: m.text for m in mine.mentions}
    got = {e.type: [(role, text[mid]) for role, mid in e.role_ids()] for e in mine.events}
    assert got == {"Attack": [("Attacker", "Rebels"), ("Target", "army base")], "Die": [("Victim", "soldiers")]}
    [problem] = snap.problems
    assert problem.annotator == annotator.email and problem.field == "arguments"
    assert problem.relation is not None and problem.relation.split("->")[1].split("#")[0] == "m4"
    assert "role 'Victim' is not a role of Attack" in problem.problem
    assert "Attacker, Target, Instrument, Place" in problem.action
    assert page_errors.errors == []


LONE = Ontology.model_validate(
    {
        "name": "lone",
        "actor_types": [{"name": "WHO", "hotkey": "1"}],
        "event_types": [{"name": "HAPPEN", "hotkey": "h", "modes": ["solo"]}],
        "roles": [{"name": "doer", "entity_types": ["WHO"]}],
        "flags": [{"name": "only", "description": "The one flag."}],
    }
)


def test_a_lone_flag_and_a_lone_mode_are_offered_and_recorded(
    live_server: LiveServer,
    annotator: Annotator,
    annotator_cookies: list[Cookie],
    page: Page,
    page_errors: PageErrors,
    tmp_path: Path,
) -> None:
    article = Article(id="lone-e2e", title="Lone", text="Someone left early.\n")
    title, project, task = _push(live_server, LONE, article)
    ui = _open(page, live_server, annotator_cookies, project, task)
    event = ui.label("h", "left")
    ui.select_region(event)
    main = page.locator(".lsf-main-content, .lsf-main-view").first
    expect(main.get_by_text("Roles: doer (WHO)", exact=True)).to_be_visible()
    expect(ui.choice("solo")).to_be_visible()
    expect(ui.choice("only")).to_be_visible()
    ui.choose("solo")
    ui.choose("only")
    ui.submit()
    snap = _pull(live_server, title, tmp_path, LONE)
    assert snap.problems == []
    [mine] = [a for a in snap.annotations if a.origin.name == annotator.email]
    [got] = mine.events
    assert (got.type, got.mode, got.flags) == ("HAPPEN", "solo", ["only"])
    assert got.trigger is not None and got.trigger.text == "left"
    assert page_errors.errors == []
