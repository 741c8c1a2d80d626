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
from playwright.sync_api import Cookie, Page, expect

from eventgold.actors.dictionary import load_actor_dictionary
from eventgold.actors.upkeep import find_pending
from eventgold.extractors.gazetteer import actor_candidates, load_gazetteer
from eventgold.labelstudio.label_config import render_label_config
from eventgold.labelstudio.project import guidelines_html
from eventgold.labelstudio.pull import pull_snapshot
from eventgold.labelstudio.push import push_articles
from eventgold.labelstudio.snapshot import Snapshot, read_snapshot
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import Article, DocumentAnnotation, Mention, Origin
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config
from tests.conftest import LiveServer
from tests.integration.scenario import EMOJI_TEXT, annotation_for, seed_articles

from .conftest import Annotator, PageErrors
from .ui import Labeler, login, open_task

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = load_ontology()
XML = render_label_config(ONTOLOGY)
GUIDELINES = (packaged_label_config() / "GUIDELINES.md").read_text(encoding="utf-8")
GAZETTEER = load_gazetteer()
DICTIONARY_IDS = {"alkazemi_mustafa": "kazemi_mustafa", "ghaani_ismail": "qaani_ismail"}
"""The scenario's canonical ids -> the actor dictionary's (label_config/actors.yaml)."""
_titles = itertools.count()

SEEDS = {a.id[:3]: a for a in seed_articles()}
PUBLISHED = dt.date(2020, 11, 22)
KAZEMI = SEEDS["000"].model_copy(update={"published": PUBLISHED, "url": "https://example.org/kazemi-ghaani"})


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
        candidates=lambda article: actor_candidates(article, GAZETTEER),  # what `eventgold push` offers
    )
    tasks = existing_tasks(live.client(), result.project.id)
    return title, result.project.id, {doc: t.id for doc, t in tasks.items()}


def _snapshot(live: LiveServer, title: str, tmp_path: Path) -> Snapshot:
    snap = read_snapshot(pull_snapshot(live.client(), title, tmp_path / "raw").path)
    assert snap.problems == []
    return snap


def _mine(snap: Snapshot, who: Annotator) -> DocumentAnnotation:
    mine = [a for a in snap.annotations if a.origin.name == who.email]
    assert len(mine) == 1, [a.origin for a in snap.annotations]
    return mine[0]


def _pulled(live: LiveServer, title: str, tmp_path: Path, who: Annotator) -> DocumentAnnotation:
    return _mine(_snapshot(live, title, tmp_path), who)


def _open(page: Page, live: LiveServer, cookies: list[Cookie], project: int, task: int) -> Labeler:
    page.context.add_cookies(cookies)  # the annotator's session (see `annotator_cookies`)
    open_task(page, live.url, project, task)
    return Labeler(page)


def _prediction(article: Article) -> DocumentAnnotation:
    """An extractor's pre-annotation of ``article``, with the actor dictionary's canonical ids."""
    ann = annotation_for(article, "x", 0)
    mentions = [
        m.model_copy(update={"canonical_id": DICTIONARY_IDS.get(m.canonical_id or "", m.canonical_id)})
        for m in ann.mentions
    ]
    return ann.model_copy(
        update={"origin": Origin(kind="extractor", name="rules", version="0.1"), "mentions": mentions}
    )


def _spans(ann: DocumentAnnotation) -> set[tuple[Any, ...]]:
    return {(m.type, m.start, m.end, m.text) for m in ann.mentions}


def test_annotator_sees_the_article_predictions_and_guidelines(
    live_server: LiveServer, annotator: Annotator, page: Page, page_errors: PageErrors, img_dir: Path
) -> None:
    article = KAZEMI
    _title, project, tasks = _push(live_server, [article], {article.id: [_prediction(article)]})
    login(page, live_server.url, annotator.email, annotator.password)  # the account `annotators add` made
    open_task(page, live_server.url, project, tasks[article.id])
    ui = Labeler(page)
    main = page.locator(".lsf-main-content, .lsf-main-view").first
    expect(main.get_by_text("Seed 000", exact=True)).to_be_visible()
    # the date and, for the source, its URL: Label Studio 1.23 cannot show a data key named `source`
    # (its frontend replaces data.source with the whole task as JSON; see ontology.render_label_config)
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
    page.screenshot(path=str(img_dir / "labeling.png"))
    # the guidelines as the project instructions
    page.get_by_role("button", name="Instructions").click()
    expect(page.get_by_text("Annotation guidelines: actors and events (PLOVER)")).to_be_visible()
    assert page_errors.errors == [] and ui.count.clicks == 0


def test_label_a_span_with_a_hotkey(
    live_server: LiveServer, annotator: Annotator, annotator_cookies: list[Cookie], page: Page, tmp_path: Path
) -> None:
    title, project, tasks = _push(live_server, [KAZEMI])
    ui = _open(page, live_server, annotator_cookies, project, tasks[KAZEMI.id])
    ui.label("1", "Ismail Ghaani")
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    start = KAZEMI.text.index("Ismail Ghaani")
    assert _spans(got) == {("PERSON", start, start + len("Ismail Ghaani"), "Ismail Ghaani")}


def test_kazemi_ghaani_meeting_event_mode_date_roles(
    live_server: LiveServer,
    annotator: Annotator,
    annotator_cookies: list[Cookie],
    page: Page,
    tmp_path: Path,
    img_dir: Path,
) -> None:
    title, project, tasks = _push(live_server, [KAZEMI])
    ui = _open(page, live_server, annotator_cookies, project, tasks[KAZEMI.id])
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
    # after the counted part: close the relation-label list (for the screenshot only) and add a
    # date (the meeting's date is not in the text)
    page.keyboard.press("Escape")
    ui.select_region(met)
    page.locator("input[type=date]").fill("2020-11-21")
    page.screenshot(path=str(img_dir / "annotation_done.png"))
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    (event,) = got.events
    assert (event.type, event.mode, event.date) == ("CONSULT", "visit", dt.date(2020, 11, 21))
    assert event.trigger is not None and KAZEMI.text[event.trigger.start : event.trigger.end] == "met"
    by_text = {m.text: m.id for m in got.mentions}
    assert list(event.role_ids()) == [("actor", by_text["Ismail Ghaani"]), ("recipient", by_text["Mustafa Al-Kazemi"])]
    print(f"\nKazemi–Ghaani meeting: clicks={count[0]} keys={count[1]} drags={count[2]}")
    # what label_config/GUIDELINES.md "Labeling speed" says must be what was measured here
    assert count == _documented_speed()


_LATE_SECOND_LOAD = r"""
(() => {
  // The data manager's own load of the task (LSFWrapper.setLSFTask) comes 3 s late, as on a busy
  // machine: hooked on the wrapper as the data manager makes it (window.DM, then DM.SDK.lsf).
  window.__eventgoldLateLoads = 0;
  let dm;
  Object.defineProperty(window, "DM", {
    configurable: true,
    get: () => dm,
    set: (store) => {
      dm = store;
      const sdk = store.SDK;
      let wrapper = sdk.lsf;
      Object.defineProperty(sdk, "lsf", {
        configurable: true,
        get: () => wrapper,
        set: (made) => {
          wrapper = made;
          if (!made) return;
          const load = made.setLSFTask.bind(made);
          made.setLSFTask = async (...args) => {
            await new Promise((resolve) => setTimeout(resolve, 3000));
            window.__eventgoldLateLoads += 1;
            return load(...args);
          };
        },
      });
    },
  });
})();
"""


def test_labels_survive_a_late_second_load(
    live_server: LiveServer, annotator: Annotator, annotator_cookies: list[Cookie], page: Page, tmp_path: Path
) -> None:
    """Label Studio loads a task twice and the second load empties the annotation: ``open_task`` waits for it.

    With the second load 3 s late, waiting only for the text, the labels and a selected
    annotation let this span be labeled into the first annotation, which then vanished: no
    region, and the regions panel stayed empty (the markup test's intermittent 30 s wait).
    """
    page.add_init_script(_LATE_SECOND_LOAD)
    title, project, tasks = _push(live_server, [KAZEMI])
    ui = _open(page, live_server, annotator_cookies, project, tasks[KAZEMI.id])
    ui.label("1", "Ismail Ghaani")
    # the late load has come and gone (with open_task: before the label)
    page.wait_for_function("() => window.__eventgoldLateLoads >= 1 && !Htx.isLoading")
    expect(page.locator(".lsf-outliner-tree")).to_contain_text("Ismail Ghaani")
    ui.submit()
    start = KAZEMI.text.index("Ismail Ghaani")
    got = _pulled(live_server, title, tmp_path, annotator)
    assert _spans(got) == {("PERSON", start, start + len("Ismail Ghaani"), "Ismail Ghaani")}


def _documented_speed() -> tuple[int, int, int]:
    """(clicks, keys, selections) from the "Labeling speed" section of GUIDELINES.md."""
    section = GUIDELINES.split("## Labeling speed", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"\*\*(\d+) text selections, (\d+) keys, (\d+) clicks\*\*", section)
    assert found, "GUIDELINES.md: no '**N text selections, N keys, N clicks**' under 'Labeling speed'"
    drags, keys, clicks = (int(g) for g in found.groups())
    return clicks, keys, drags


def test_emoji_arabic_crlf_offsets_slice_the_stored_text(
    live_server: LiveServer, annotator: Annotator, annotator_cookies: list[Cookie], page: Page, tmp_path: Path
) -> None:
    article = Article(id="emoji-crlf", title="Emoji and CRLF", text=EMOJI_TEXT, source="test")
    title, project, tasks = _push(live_server, [article])
    ui = _open(page, live_server, annotator_cookies, project, tasks[article.id])
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


def test_mark_not_relevant(
    live_server: LiveServer, annotator: Annotator, annotator_cookies: list[Cookie], page: Page, tmp_path: Path
) -> None:
    title, project, tasks = _push(live_server, [KAZEMI])
    ui = _open(page, live_server, annotator_cookies, project, tasks[KAZEMI.id])
    ui.choose("not_relevant")
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    assert (got.relevance, got.mentions, got.events) == ("not_relevant", [], [])


def test_accept_the_prediction_unchanged(
    live_server: LiveServer, annotator: Annotator, annotator_cookies: list[Cookie], page: Page, tmp_path: Path
) -> None:
    pred = _prediction(KAZEMI)
    title, project, tasks = _push(live_server, [KAZEMI], {KAZEMI.id: [pred]})
    ui = _open(page, live_server, annotator_cookies, project, tasks[KAZEMI.id])
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    keep = {"mentions", "events", "relevance", "notes"}
    assert got.model_dump(include=keep) == pred.model_dump(include=keep)


SAFETY_TEXT = (
    "Washington <script>window.__pwned=1</script> warned Iraq.\n"
    'A picture <img src=x onerror="window.__pwned=2;alert(2)"> was shared.\n'
    "Pompeo said &amp; &lt;b&gt;Tehran&lt;/b&gt; would answer <svg onload=alert(3)>.\n"
)
LITERALS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2;alert(2)">',
    "&amp;",
    "&lt;b&gt;Tehran&lt;/b&gt;",
    "<svg onload=alert(3)>",
]
_INJECTED = """() => ({
  pwned: typeof window.__pwned,
  elements: document.querySelectorAll('img[src="x"], svg[onload], [onerror]').length,
  scripts: [...document.scripts].filter(s => s.text.includes('__pwned')).length,
})"""


def test_markup_in_an_article_is_literal_text_and_runs_nothing(
    live_server: LiveServer,
    annotator: Annotator,
    annotator_cookies: list[Cookie],
    page: Page,
    page_errors: PageErrors,
    tmp_path: Path,
) -> None:
    article = Article(
        id="markup",
        title='<img src=x onerror="window.__pwned=3;alert(3)">Markup &amp; &lt;i&gt;entities&lt;/i&gt;',
        text=SAFETY_TEXT,
        source="<script>window.__pwned=4;alert(4)</script>Source &amp; Co",
        url="javascript:window.__pwned=5",
        published=PUBLISHED,
    )
    title, project, tasks = _push(live_server, [article])
    ui = _open(page, live_server, annotator_cookies, project, tasks[article.id])
    shown = page.locator(".lsf-htx-richtext").inner_text()
    for literal in LITERALS:
        assert literal in shown
    main = page.locator(".lsf-main-content, .lsf-main-view").first
    expect(main.get_by_text(article.title or "", exact=True)).to_be_visible()
    expect(main.get_by_text("Published: 2020-11-22 · javascript:window.__pwned=5", exact=True)).to_be_visible()
    # `$source` is not in the config: Label Studio would show the whole task there (see ontology.py)
    assert '"content_sha"' not in main.inner_text()
    ui.label("3", "Washington")
    ui.label("3", "&lt;b&gt;Tehran&lt;/b&gt;")  # a span made of entities, shown in the regions panel as well
    ui.label("5", '<img src=x onerror="window.__pwned=2;alert(2)">')  # a span that is all markup
    regions = page.locator(".lsf-outliner-tree").inner_text()
    assert "&lt;b&gt;Tehran&lt;/b&gt;" in regions and '<img src=x onerror="window.__pwned=2;alert(2)">' in regions
    ui.submit()
    assert page.evaluate(_INJECTED) == {"pwned": "undefined", "elements": 0, "scripts": 0}
    assert page_errors.dialogs == [] and page_errors.errors == []
    snap = _snapshot(live_server, title, tmp_path)
    assert snap.articles[article.id] == article  # title, source, url and text come back unchanged
    want = {
        (t, SAFETY_TEXT.index(s), SAFETY_TEXT.index(s) + len(s), s)
        for t, s in [
            ("STATE", "Washington"),
            ("STATE", "&lt;b&gt;Tehran&lt;/b&gt;"),
            ("GROUP", '<img src=x onerror="window.__pwned=2;alert(2)">'),
        ]
    }
    assert _spans(_mine(snap, annotator)) == want


def test_pick_a_canonical_id_and_type_one_not_in_the_list(
    live_server: LiveServer, annotator: Annotator, annotator_cookies: list[Cookie], page: Page, tmp_path: Path
) -> None:
    title, project, tasks = _push(live_server, [KAZEMI])
    ui = _open(page, live_server, annotator_cookies, project, tasks[KAZEMI.id])
    ghaani = ui.label("1", "Ismail Ghaani")
    ui.select_region(ghaani)
    for candidate in actor_candidates(KAZEMI, GAZETTEER):  # the task's candidates are the choices
        expect(ui.choice(candidate["value"])).to_have_count(1)
    # a spelling variant takes the dictionary's id: "Ismail Ghaani" is qaani_ismail
    ui.choose("qaani_ismail — Ismail Qaani")
    # a label hotkey pressed while a region is selected relabels that region: unselect first
    ui.key("Escape")
    media = ui.label("5", "Iraqi media")
    ui.select_region(media)
    ui.type_into(page.locator("input[name=actor_id_other]"), "IRQ_media-outlets")
    ui.submit()
    snap = _snapshot(live_server, title, tmp_path)
    got = {m.text: (m.type, m.canonical_id) for m in _mine(snap, annotator).mentions}
    assert got == {"Ismail Ghaani": ("PERSON", "qaani_ismail"), "Iraqi media": ("GROUP", "IRQ_media-outlets")}
    # the typed id is kept as typed and listed for dictionary upkeep; the chosen one is in the dictionary
    pending = find_pending(((a, snap.articles.get(a.doc_id)) for a in snap.annotations), load_actor_dictionary())
    assert [p.canonical_id for p in pending] == ["IRQ_media-outlets"]


def test_delete_a_wrong_pre_annotated_region(
    live_server: LiveServer, annotator: Annotator, annotator_cookies: list[Cookie], page: Page, tmp_path: Path
) -> None:
    pred = _prediction(KAZEMI)
    start = KAZEMI.text.index("Quds Force")
    wrong = Mention(id="m9", type="LOCATION", start=start, end=start + len("Quds Force"), text="Quds Force")
    title, project, tasks = _push(
        live_server, [KAZEMI], {KAZEMI.id: [pred.model_copy(update={"mentions": [*pred.mentions, wrong]})]}
    )
    ui = _open(page, live_server, annotator_cookies, project, tasks[KAZEMI.id])
    # a pre-annotated canonical id shows as the chosen candidate
    ui.select_region(ui.region_of("m1"))
    expect(ui.choice("kazemi_mustafa — Mustafa Al-Kazemi").locator("input")).to_be_checked()
    ui.select_region(ui.region_of("m9"))
    ui.key("Backspace")
    page.wait_for_function("() => !Htx.annotationStore.selected.regions.some(r => r.id.startsWith('m9#'))")
    ui.submit()
    got = _pulled(live_server, title, tmp_path, annotator)
    keep = {"mentions", "events", "relevance", "notes"}
    assert "m9" not in {m.id for m in got.mentions}
    assert got.model_dump(include=keep) == pred.model_dump(include=keep)


@pytest.mark.parametrize(
    ("seed", "hotkey", "trigger", "event_type", "mode"),
    [
        ("002", "z", "rocket attacks", "ASSAULT", "heavy-weapons"),
        # `withdraw` is a mode of RETREAT and of SANCTION: offered once, as RETREAT's
        ("000", "w", "withdrawing", "RETREAT", "withdraw"),
    ],
)
def test_only_the_selected_event_types_modes_are_offered(
    live_server: LiveServer,
    annotator: Annotator,
    annotator_cookies: list[Cookie],
    page: Page,
    tmp_path: Path,
    seed: str,
    hotkey: str,
    trigger: str,
    event_type: str,
    mode: str,
) -> None:
    article = SEEDS[seed]
    title, project, tasks = _push(live_server, [article])
    ui = _open(page, live_server, annotator_cookies, project, tasks[article.id])
    event = ui.label(hotkey, trigger)
    ui.select_region(event)
    main = page.locator(".lsf-main-content, .lsf-main-view").first
    expect(main.get_by_text(f"Mode ({event_type})", exact=True)).to_be_visible()
    expect(main.get_by_text("Mode (CONSULT)", exact=True)).to_be_hidden()
    offered = [
        re.sub(r"\[\w\]$", "", label.inner_text().strip())
        for label in page.locator("label.ant-checkbox-wrapper, label.ant-radio-wrapper").locator("visible=true").all()
    ]
    others = [*ONTOLOGY.flag_names, *ONTOLOGY.relevance]  # the event's flags and the document's relevance
    assert sorted(offered) == sorted([*ONTOLOGY.modes_of(event_type), *others])
    assert not set(offered) & (set(ONTOLOGY.modes_of("CONSULT")) - set(ONTOLOGY.modes_of(event_type)))
    ui.choose(mode)
    ui.submit()
    (got,) = _pulled(live_server, title, tmp_path, annotator).events
    assert got.trigger is not None
    assert (got.type, got.mode, got.trigger.text) == (event_type, mode, trigger)
    assert article.text[got.trigger.start : got.trigger.end] == trigger
