"""Annotators in the Label Studio UI: a real Chromium against the real server the integration tests start.

Every interaction ends in a submitted annotation that is read back through
``pull_snapshot`` + ``read_snapshot`` and compared with what was done.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from eventgold.labelstudio.convert import read_snapshot
from eventgold.labelstudio.project import guidelines_html
from eventgold.labelstudio.pull import pull_snapshot
from eventgold.labelstudio.push import existing_tasks, push_articles
from eventgold.models import Article, DocumentAnnotation, Origin
from eventgold.ontology import load_ontology, render_label_config
from tests.conftest import LiveServer
from tests.integration.scenario import EMOJI_TEXT, annotation_for, seed_articles

from .conftest import IMG, Annotator, PageErrors
from .ui import Labeler, login, open_task

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = load_ontology()
XML = render_label_config(ONTOLOGY)
GUIDELINES = (ROOT / "label_config" / "GUIDELINES.md").read_text(encoding="utf-8")
CANDIDATES = [
    {"value": "alkazemi_mustafa — Mustafa Al-Kazemi"},
    {"value": "ghaani_ismail — Ismail Ghaani"},
]
_titles = itertools.count()

KAZEMI = next(a for a in seed_articles() if a.id.startswith("000"))
PUBLISHED = dt.date(2020, 11, 22)


def _push(
    live: LiveServer, articles: list[Article], predictions: dict[str, list[DocumentAnnotation]] | None = None
) -> tuple[str, int, dict[str, int]]:
    title = f"e2e {next(_titles)}"
    result = push_articles(
        live.client(),
        articles,
        project_title=title,
        label_config=XML,
        instructions=guidelines_html(GUIDELINES),
        ontology=ONTOLOGY,
        predictions=predictions,
        candidates=lambda _a: CANDIDATES,
    )
    tasks = existing_tasks(live.client(), result.project.id)
    return title, result.project.id, {doc: t.id for doc, t in tasks.items()}


def _pulled(live: LiveServer, title: str, tmp_path: Path, who: Annotator) -> DocumentAnnotation:
    snap = read_snapshot(pull_snapshot(live.client(), title, tmp_path / "raw").path)
    assert snap.problems == []
    mine = [a for a in snap.annotations if a.origin.name == who.email]
    assert len(mine) == 1, [a.origin for a in snap.annotations]
    return mine[0]


def _open(page: Page, live: LiveServer, who: Annotator, project: int, task: int) -> Labeler:
    login(page, live.url, who.email, who.password)
    open_task(page, live.url, project, task)
    return Labeler(page)


def _prediction(article: Article) -> DocumentAnnotation:
    return annotation_for(article, "x", 0).model_copy(
        update={"origin": Origin(kind="extractor", name="rules", version="0.1")}
    )


def _spans(ann: DocumentAnnotation) -> set[tuple[Any, ...]]:
    return {(m.type, m.start, m.end, m.text) for m in ann.mentions}


def test_annotator_sees_the_article_predictions_and_guidelines(
    live_server: LiveServer, annotator: Annotator, page: Page, page_errors: PageErrors
) -> None:
    article = KAZEMI.model_copy(update={"published": PUBLISHED, "url": "https://example.org/kazemi-ghaani"})
    _title, project, tasks = _push(live_server, [article], {article.id: [_prediction(article)]})
    ui = _open(page, live_server, annotator, project, tasks[article.id])
    main = page.locator(".lsf-main-content, .lsf-main-view").first
    expect(main.get_by_text("Seed 000", exact=True)).to_be_visible()
    expect(main.get_by_text("Published: 2020-11-22 · https://example.org/kazemi-ghaani")).to_be_visible()
    # paragraphs: one rendered line per text line
    lines = page.locator(".lsf-htx-richtext .lsf-richtext__line")
    assert lines.count() == article.text.count("\n") + 1
    # the text is below the header
    header_box = main.get_by_text("Seed 000", exact=True).bounding_box()
    text_box = page.locator(".lsf-htx-richtext").bounding_box()
    assert header_box and text_box and header_box["y"] < text_box["y"]
    # labels with their hotkeys
    hotkeys = [(a.name, a.hotkey) for a in ONTOLOGY.actor_types] + [(e.name, e.hotkey) for e in ONTOLOGY.event_types]
    for name, hotkey in hotkeys:
        label = page.locator(".lsf-label", has=page.locator(".lsf-label__text", has_text=re.compile(f"^{name}$")))
        expect(label.locator(".lsf-label__hotkey")).to_have_text(str(hotkey))
    # the extractor's regions are loaded as a prediction the annotator starts from
    expect(page.get_by_text("rules@0.1")).to_be_visible()
    shown = {(h.get_attribute("data-start"), h.get_attribute("data-end")) for h in page.locator(".htx-highlight").all()}
    pred = _prediction(article)
    want = {(str(m.start), str(m.end)) for m in pred.mentions} | {
        (str(e.trigger.start), str(e.trigger.end)) for e in pred.events if e.trigger
    }
    assert want <= shown
    page.screenshot(path=str(IMG / "labeling.png"))
    # the guidelines as the project instructions
    page.get_by_role("button", name="Instructions").click()
    expect(page.get_by_text("Annotation guidelines: actors and events (PLOVER)")).to_be_visible()
    assert page_errors.errors == [] and ui.count.clicks == 0


def test_label_a_span_with_a_hotkey(live_server: LiveServer, annotator: Annotator, page: Page, tmp_path: Path) -> None:
    title, project, tasks = _push(live_server, [KAZEMI])
    ui = _open(page, live_server, annotator, project, tasks[KAZEMI.id])
    ui.label("1", "Ismail Ghaani")
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    start = KAZEMI.text.index("Ismail Ghaani")
    assert _spans(got) == {("PERSON", start, start + len("Ismail Ghaani"), "Ismail Ghaani")}


def test_kazemi_ghaani_meeting_event_mode_date_roles(
    live_server: LiveServer, annotator: Annotator, page: Page, tmp_path: Path
) -> None:
    title, project, tasks = _push(live_server, [KAZEMI])
    ui = _open(page, live_server, annotator, project, tasks[KAZEMI.id])
    kazemi = ui.label("1", "Mustafa Al-Kazemi")
    ghaani = ui.label("1", "Ismail Ghaani")
    met = ui.label("c", "met")
    ui.select_region(met)
    # only CONSULT's modes are offered
    for mode in ONTOLOGY.modes_of("CONSULT"):
        expect(ui.choice(mode)).to_have_count(1)
    for other in {m for t in ONTOLOGY.event_type_names if t != "CONSULT" for m in ONTOLOGY.modes_of(t)}:
        if other not in ONTOLOGY.modes_of("CONSULT"):
            expect(ui.choice(other)).to_have_count(0)
    ui.choose("visit")
    ui.relate(met, ghaani, "actor")
    ui.relate(met, kazemi, "recipient")
    count = (ui.count.clicks, ui.count.keys, ui.count.drags)
    # a date after the counted part (the meeting's date is not in the text)
    ui.select_region(met)
    page.locator("input[type=date]").fill("2020-11-21")
    page.screenshot(path=str(IMG / "annotation_done.png"))
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    (event,) = got.events
    assert (event.type, event.mode, event.date) == ("CONSULT", "visit", dt.date(2020, 11, 21))
    assert event.trigger is not None and KAZEMI.text[event.trigger.start : event.trigger.end] == "met"
    by_text = {m.text: m.id for m in got.mentions}
    assert event.actors == [by_text["Ismail Ghaani"]] and event.recipients == [by_text["Mustafa Al-Kazemi"]]
    print(f"\nKazemi–Ghaani meeting: clicks={count[0]} keys={count[1]} drags={count[2]}")
    # recorded in label_config/GUIDELINES.md "Labeling speed"; a slower config must update it
    assert count == (12, 5, 3)


def test_emoji_arabic_crlf_offsets_slice_the_stored_text(
    live_server: LiveServer, annotator: Annotator, page: Page, tmp_path: Path
) -> None:
    article = Article(id="emoji-crlf", title="Emoji and CRLF", text=EMOJI_TEXT, source="test")
    title, project, tasks = _push(live_server, [article])
    ui = _open(page, live_server, annotator, project, tasks[article.id])
    ui.label("6", "Baghdad")  # after 😀 (astral)
    ui.label("1", "Al-Kazemi")  # after 🇺🇸 (two astral code points) and a CRLF
    ui.label("3", "Iraq")  # after Arabic script and a second CRLF
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    want = {
        (t, EMOJI_TEXT.index(s), EMOJI_TEXT.index(s) + len(s), s)
        for t, s in [("LOCATION", "Baghdad"), ("PERSON", "Al-Kazemi"), ("STATE", "Iraq")]
    }
    assert _spans(got) == want


def test_mark_not_relevant(live_server: LiveServer, annotator: Annotator, page: Page, tmp_path: Path) -> None:
    title, project, tasks = _push(live_server, [KAZEMI])
    ui = _open(page, live_server, annotator, project, tasks[KAZEMI.id])
    ui.choose("not_relevant")
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    assert (got.relevance, got.mentions, got.events) == ("not_relevant", [], [])


def test_accept_the_prediction_unchanged(
    live_server: LiveServer, annotator: Annotator, page: Page, tmp_path: Path
) -> None:
    pred = _prediction(KAZEMI)
    title, project, tasks = _push(live_server, [KAZEMI], {KAZEMI.id: [pred]})
    ui = _open(page, live_server, annotator, project, tasks[KAZEMI.id])
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    keep = {"mentions", "events", "relevance", "notes"}
    assert got.model_dump(include=keep) == pred.model_dump(include=keep)
