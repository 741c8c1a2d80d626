"""Live suggestions in the labeling screen: an annotator opens a task and sees the ML backend's regions.

Nothing is pushed as a prediction: the project is connected (interactive) to `rules` served by
`eventgold.mlbackend`, and Label Studio asks the backend when the task is opened.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Cookie, Page, expect

from eventgold.extractors.base import load_extractor, run_extractor
from eventgold.labelstudio import ml
from eventgold.labelstudio.label_config import render_label_config
from eventgold.labelstudio.push import push_articles
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.ontology import load_ontology
from tests.conftest import LiveServer, running_backend
from tests.integration.scenario import seed_articles

from .conftest import Annotator, PageErrors
from .ui import open_task

ONTOLOGY = load_ontology()


def test_an_annotator_sees_the_backends_suggestions_without_any_pushed_prediction(
    live_server: LiveServer,
    annotator: Annotator,
    annotator_cookies: list[Cookie],
    page: Page,
    page_errors: PageErrors,
    img_dir: Path,
) -> None:
    article = next(a for a in seed_articles() if a.id.startswith("000"))
    client = live_server.client()
    title = "e2e ml backend"
    xml = render_label_config(ONTOLOGY)
    result = push_articles(client, [article], project_title=title, label_config=xml, instructions="", ontology=ONTOLOGY)
    task = existing_tasks(client, result.project.id)[article.id]
    assert client.get_json(f"/api/tasks/{task.id}").get("predictions") in ([], None)  # nothing pushed
    (expected,) = run_extractor(load_extractor("rules", ontology=ONTOLOGY), [article], ONTOLOGY)
    with running_backend("rules") as url:
        info = ml.connect(client, title, url, interactive=True)
        assert info.live
        page.context.add_cookies(annotator_cookies)
        open_task(page, live_server.url, result.project.id, task.id)
        expect(page.locator(".htx-highlight").first).to_be_visible()  # regions from the backend, live
        (prediction,) = client.get_json(f"/api/tasks/{task.id}")["predictions"]
        assert prediction["model_version"] == info.model_version  # asked of the backend when the task opened
        shown = {
            (h.get_attribute("data-start"), h.get_attribute("data-end")) for h in page.locator(".htx-highlight").all()
        }
        want = {(str(m.start), str(m.end)) for m in expected.mentions if m.start is not None}
        want |= {(str(e.trigger.start), str(e.trigger.end)) for e in expected.events if e.trigger}
        assert want and want <= shown
        page.screenshot(path=str(img_dir / "ml-backend-live.png"))
        ml.disconnect(client, title)
    assert page_errors.errors == []
