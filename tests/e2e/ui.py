"""Browser helpers for the Label Studio 1.23 labeling screen, driven by Playwright.

Text selection: a DOM Range over the text nodes of the Text tag plus a synthetic
``mouseup`` *and* ``click`` (a real drag ends with both; without the click,
Label Studio swallows the next real click, so regions cannot be selected or
linked afterwards). Clicks on highlights go through ``page.mouse`` at the
highlight's centre: Playwright's locator click hit-test fails on Label Studio's
re-rendered highlight spans. Every helper counts what a person would do in
``Counter`` (clicks, keys, drags) so the labeling speed can be measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

TEXT_ROOT = ".lsf-htx-richtext"

_SELECT_JS = r"""
([needle, nth]) => {
  const root = document.querySelector('.lsf-htx-richtext');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let all = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, all.length]); all += n.data; }
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = all.indexOf(needle, at + 1);
    if (at < 0) throw new Error('not found: ' + needle);
  }
  const locate = (pos, isEnd) => {
    for (const [n, off] of nodes) {
      if (pos < off + n.data.length || (isEnd && pos === off + n.data.length)) return [n, pos - off];
    }
    throw new Error('offset out of range');
  };
  const [sn, so] = locate(at, false); const [en, eo] = locate(at + needle.length, true);
  const range = document.createRange(); range.setStart(sn, so); range.setEnd(en, eo);
  const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  const rect = range.getBoundingClientRect();
  const init = {bubbles: true, cancelable: true, clientX: rect.right, clientY: rect.bottom, view: window};
  const target = sn.parentElement;
  target.dispatchEvent(new MouseEvent('mouseup', init));
  target.dispatchEvent(new MouseEvent('click', init));
  window.getSelection().removeAllRanges();
  return at;
}
"""


_WATCH_ANNOTATION_SET = r"""
(() => {
  // Label Studio's data manager sets `window.DM` to its store once: subscribe to its SDK's
  // `annotationSet` event (the end of every load of the task: an annotation is selected) right
  // then, noting whether the data manager was still loading. Keeps any other hook on window.DM.
  if ("__eventgoldAnnotationSet" in window) return;
  const seen = (window.__eventgoldAnnotationSet = []);
  const previous = Object.getOwnPropertyDescriptor(window, "DM");
  let dm;
  Object.defineProperty(window, "DM", {
    configurable: true,
    get: () => dm,
    set: (store) => {
      previous?.set?.(store);
      dm = store;
      store?.SDK?.on?.("annotationSet", (annotation) =>
        seen.push({ id: annotation?.id ?? null, dmLoading: Boolean(store.loadingData) }));
    },
  });
})();
"""

_TASK_READY = """task => {
  const dm = window.DM, ls = window.Htx, seen = window.__eventgoldAnnotationSet || [];
  const last = seen[seen.length - 1];
  const selected = ls && ls.annotationStore && ls.annotationStore.selected;
  return Boolean(dm && !dm.loadingData && dm.taskStore.selected && dm.taskStore.selected.id === task
    && last && !last.dmLoading && selected && selected.id === last.id
    && !ls.isLoading && ls.task && ls.task.id === task
    && document.querySelector('.lsf-htx-richtext') && document.querySelector('.lsf-label'));
}"""

_LOAD_STATE = """() => {
  const dm = window.DM, ls = window.Htx;
  return {
    url: location.href,
    dataManager: dm ? {loading: dm.loadingData, task: dm.taskStore.selected ? dm.taskStore.selected.id : null} : null,
    editor: ls ? {loading: ls.isLoading, task: ls.task ? ls.task.id : null,
                  annotation: ls.annotationStore && ls.annotationStore.selected ? ls.annotationStore.selected.id : null}
               : null,
    annotationSet: window.__eventgoldAnnotationSet || null,
    text: Boolean(document.querySelector('.lsf-htx-richtext')),
    labels: document.querySelectorAll('.lsf-label').length,
  };
}"""


_LABEL_ACTIVE = """() => Htx.annotationStore.selected.names && [...Htx.annotationStore.selected.names.values()]
  .some(c => c.type === 'labels' && c.selectedLabels && c.selectedLabels.length > 0)"""


@dataclass
class Counter:
    """What the annotator did: mouse clicks, key presses, text drags (one drag = one selection)."""

    clicks: int = 0
    keys: int = 0
    drags: int = 0


def login(page: Page, base_url: str, email: str, password: str) -> None:
    """Log in through Label Studio's own form at /user/login/."""
    page.goto(base_url + "/user/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/login" not in url)


def open_task(page: Page, base_url: str, project_id: int, task_id: int) -> None:
    """Open one task's labeling screen and wait until Label Studio has finished loading it.

    Label Studio 1.23's data manager (``/projects/<id>/data?task=<id>``) loads a task twice. The
    editor first shows it on its own: text, labels and an empty annotation, everything a test
    could wait for. Then the data manager's ``setTask`` loads it again (``setLSFTask``: the
    annotation store is emptied and a new annotation selected), right after on an idle machine,
    seconds later on a busy one. Whatever was labeled in between is silently lost: the markup test
    labeled three spans, then waited 30 s for a regions panel that never came. So wait for what
    the last load ends with: the data manager is done (``DM.loadingData`` false, this task
    selected), its last ``annotationSet`` event came after that and names the annotation the
    editor shows, the editor is not loading this task any more, and the text and labels are on
    screen. ``test_labels_survive_a_late_second_load`` delays that load to check this.
    """
    page.add_init_script(_WATCH_ANNOTATION_SET)
    page.goto(f"{base_url}/projects/{project_id}/data?task={task_id}")
    try:
        page.wait_for_function(_TASK_READY, arg=task_id, timeout=60_000)
    except PlaywrightTimeoutError:
        state = page.evaluate(_LOAD_STATE)
        raise AssertionError(f"task {task_id} never finished loading in Label Studio: {state}") from None


class Labeler:
    """The labeling screen of one task, with counted user actions."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = Counter()

    def key(self, combo: str) -> None:
        """Press one key (or chord) like a person would."""
        self.page.keyboard.press(combo)
        self.count.keys += 1

    def select_text(self, needle: str, nth: int = 0) -> None:
        """Select the ``nth`` occurrence of ``needle`` in the text, as one drag."""
        self.page.evaluate(_SELECT_JS, [needle, nth])
        self.count.drags += 1

    def label(self, hotkey: str, needle: str, nth: int = 0) -> str:
        """Activate a label by its hotkey, select ``needle``: the new region's id."""
        before = set(self.region_ids())
        self.key(hotkey)
        self.page.wait_for_function(_LABEL_ACTIVE)
        self.select_text(needle, nth)
        self.page.wait_for_function(
            "n => Htx.annotationStore.selected.regions.filter(r => r.type === 'richtextregion').length > n",
            arg=len(before),
        )
        (new,) = set(self.region_ids()) - before
        return new

    def region_ids(self) -> list[str]:
        """Ids of the text regions of the open annotation."""
        ids: list[str] = self.page.evaluate(
            "Htx.annotationStore.selected.regions.filter(r => r.type === 'richtextregion').map(r => r.id)"
        )
        return ids

    def region_of(self, result_id: str) -> str:
        """The id in the open annotation of the region a result id names (a prediction's ``m1`` is ``m1#<suffix>``)."""
        ids = [i for i in self.region_ids() if i == result_id or i.startswith(result_id + "#")]
        assert len(ids) == 1, f"no single region for {result_id!r} in {self.region_ids()}"
        return ids[0]

    def highlight(self, region_id: str) -> Locator:
        """The highlight span(s) of a region in the text (its class holds the id without the ``#`` suffix)."""
        clean = region_id.split("#")[0]
        return self.page.locator(f'.htx-highlight[class*="htx-highlight-{clean}-"]').first

    def click_region(self, region_id: str) -> None:
        """Click a region's highlight (selects it, or ends a relation).

        Aims at the centre of the highlight's first line box: a highlight that wraps
        over two lines has its bounding box's centre between the lines, off the text.
        """
        self.highlight(region_id).scroll_into_view_if_needed()
        box = self.highlight(region_id).evaluate(
            "el => { const r = el.getClientRects()[0];"
            " return r && {x: r.x, y: r.y, width: r.width, height: r.height}; }"
        )
        assert box is not None, f"region {region_id} is not shown"
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.count.clicks += 1

    def selected_ids(self) -> list[str]:
        """Ids of the selected regions."""
        ids: list[str] = self.page.evaluate("Htx.annotationStore.selected.selectedRegions.map(r => r.id)")
        return ids

    def select_region(self, region_id: str) -> None:
        """Select a region by clicking it (unless it is selected already) and wait for Label Studio."""
        if self.selected_ids() == [region_id]:
            return
        self.click_region(region_id)
        self.page.wait_for_function(
            "id => Htx.annotationStore.selected.selectedRegions.some(r => r.id === id)", arg=region_id
        )

    def relate(self, from_id: str, to_id: str, role: str) -> None:
        """Draw a relation from ``from_id`` to ``to_id`` (Alt+R) and give it the label ``role``."""
        self.select_region(from_id)
        self.key("Alt+r")
        self.page.wait_for_function("() => Htx.annotationStore.selected.isLinkingMode")
        self.click_region(to_id)
        self.page.wait_for_function(
            "([a, b]) => Htx.annotationStore.selected.relationStore.relations"
            ".some(r => r.node1.id === a && r.node2.id === b)",
            arg=[from_id, to_id],
        )
        if not self.page.locator(".lsf-relations__item").first.is_visible():
            self.page.locator(".lsf-panel-tabs__tab", has_text=re.compile(r"^Relations$")).first.click()
            self.count.clicks += 1
        index = self.page.evaluate(
            "([a, b]) => Htx.annotationStore.selected.relationStore.relations"
            ".findIndex(r => r.node1.id === a && r.node2.id === b)",
            [from_id, to_id],
        )
        item = self.page.locator(".lsf-relations__item").nth(index)
        item.hover()
        item.get_by_role("button", name="Show Relation Labels").click()
        self.count.clicks += 1
        meta = item.locator(".lsf-relation-meta")
        meta.locator("[data-testid^=select-trigger]").click()
        self.count.clicks += 1
        self.page.get_by_role("option", name=role, exact=True).click()
        self.count.clicks += 1
        self.page.wait_for_function(
            "([a, b, role]) => Htx.annotationStore.selected.relationStore.relations"
            ".some(r => r.node1.id === a && r.node2.id === b && (r.labels || []).includes(role))",
            arg=[from_id, to_id, role],
        )

    def choice(self, value: str) -> Locator:
        """The visible choice (checkbox or radio) for ``value``; Label Studio may append a hotkey hint."""
        name = re.compile(rf"^{re.escape(value)}(\[\w\])?$")
        return self.page.locator("label.ant-checkbox-wrapper, label.ant-radio-wrapper", has_text=name).locator(
            "visible=true"
        )

    def choose(self, value: str) -> None:
        """Click a visible choice by its value."""
        self.choice(value).first.click()
        self.count.clicks += 1

    def type_into(self, field: Locator, text: str) -> None:
        """Click a text field, type ``text`` key by key and press Enter (which adds it to a TextArea)."""
        field.click()
        self.count.clicks += 1
        self.page.keyboard.type(text)
        self.count.keys += len(text)
        self.key("Enter")

    def submit(self) -> dict[str, object]:
        """Click Submit; the annotation as Label Studio stored it (the POST response)."""
        with self.page.expect_response(
            lambda r: "/annotations" in r.url and r.request.method in ("POST", "PATCH") and r.status < 300
        ) as response:
            self.page.get_by_role("button", name="Submit").click()
        self.count.clicks += 1
        body: dict[str, object] = response.value.json()
        return body
