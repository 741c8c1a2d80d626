"""The ML backend app: Label Studio's protocol, predictions equal to push's, refusals with one line, the API key."""

from __future__ import annotations

import base64
import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from eventgold.errors import ConfigError
from eventgold.extractors.base import Extractor, load_extractor, run_extractor
from eventgold.extractors.gazetteer import actor_candidates, load_gazetteer
from eventgold.labelstudio.convert import annotation_to_results
from eventgold.labelstudio.label_config import render_label_config
from eventgold.labelstudio.push import prediction_payload
from eventgold.labelstudio.task_data import article_to_task_data, model_version
from eventgold.mlbackend import AnnotationEvent, create_app, is_loopback, serve
from eventgold.models import Article, DocumentAnnotation, Mention, Origin
from eventgold.ontology import Ontology, load_ontology
from eventgold.resources import ontology_source, packaged_samples

KEY = "k3y-Zq81-not-in-any-output"
SEEDS = packaged_samples() / "articles"


def seed(prefix: str) -> Article:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return Article(id=path.stem, text=path.read_text(encoding="utf-8").replace("\r\n", "\n"))


def pushed_task(article: Article, task_id: int) -> dict[str, Any]:
    """A task as Label Studio 1.23 sends it for an article pushed by eventgold (its own keys around ``data``)."""
    stamp = "2026-12-01T10:00:00.000000Z"
    return {"id": task_id, "data": article_to_task_data(article, actor_candidates(article, load_gazetteer())),
            "meta": {}, "created_at": stamp, "updated_at": stamp, "is_labeled": False, "overlap": 1,
            "inner_id": task_id, "total_annotations": 0, "cancelled_annotations": 0, "total_predictions": 0,
            "project": 1, "annotations": [], "predictions": [], "drafts": []}


def basic(password: str, user: str = "labelstudio") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="module")
def rules(ontology: Ontology) -> Extractor:
    return load_extractor("rules", ontology=ontology)


@pytest.fixture(scope="module")
def client(rules: Extractor, ontology: Ontology) -> Iterator[TestClient]:
    with TestClient(create_app(rules, ontology, max_task_chars=20_000)) as c:
        yield c


@pytest.fixture(scope="module")
def keyed(rules: Extractor, ontology: Ontology) -> Iterator[TestClient]:
    with TestClient(create_app(rules, ontology, api_key=KEY)) as c:
        yield c



@pytest.mark.parametrize("path", ["/health", "/"])
def test_health_says_up_with_the_model_version(client: TestClient, rules: Extractor, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "UP"
    assert body["model_class"] == "RulesExtractor"
    assert body["model_version"] == f"rules@{rules.version}"


def test_setup_with_the_rendered_config_gives_the_model_version(client: TestClient, ontology: Ontology) -> None:
    response = client.post(
        "/setup",
        json={"project": "3.1764583200", "schema": render_label_config(ontology), "hostname": "http://x",
              "access_token": "token", "extra_params": None},
    )
    assert response.status_code == 200
    assert response.json() == {"model_version": client.get("/health").json()["model_version"]}


def test_setup_compares_controls_not_xml_text(client: TestClient, ontology: Ontology) -> None:
    xml = render_label_config(ontology)
    reshaped = "\n".join(line.strip() for line in xml.splitlines() if not line.strip().startswith("<!--"))
    assert reshaped != xml
    assert client.post("/setup", json={"schema": reshaped}).status_code == 200


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda x: x.replace('name="flags"', 'name="flagz"'), ["control 'flags' (Choices) is missing", "'flagz'"]),
        (lambda x: x.replace('<Label value="ASSAULT"', '<Label value="ATTACK"'), ["ASSAULT", "ATTACK"]),
        (lambda x: x.replace('<Relation value="recipient"/>', ""), ["relation labels", "recipient"]),
        (lambda x: x.replace('name="event" toName="text"', 'name="event" toName="txt"'), ["'event' labels 'txt'"]),
    ],
    ids=["control-renamed", "label-renamed", "relation-missing", "wrong-to-name"],
)
def test_setup_refuses_a_config_that_does_not_fit(
    client: TestClient, ontology: Ontology, edit: Any, named: list[str]
) -> None:
    xml = edit(render_label_config(ontology))
    response = client.post("/setup", json={"project": "3.1", "schema": xml})
    assert response.status_code == 422
    message = response.json()["error"]
    assert "\n" not in message
    assert "eventgold config render" in message
    for part in named:
        assert part in message


def test_setup_refuses_another_ontologys_config(client: TestClient) -> None:
    ace = load_ontology(ontology_source("ace2005") / "ontology.yaml")
    response = client.post("/setup", json={"schema": render_label_config(ace)})
    assert response.status_code == 422
    assert "does not match ontology" in response.json()["error"]


@pytest.mark.parametrize(
    ("path", "body", "status", "part"),
    [
        ("/setup", {"project": "1.2"}, 422, "setup request: schema is missing"),
        ("/setup", {"schema": 5}, 422, "setup request: schema: Input should be a valid string"),
        ("/setup", {"schema": "<View><Text"}, 422, "cannot be read"),
        ("/setup", b"not json", 400, "setup request: the body is not JSON"),
        ("/webhook", b"{", 400, "webhook: the body is not JSON"),
        ("/webhook", {"project": 1}, 422, "webhook: action is missing"),
        ("/webhook", {"action": 3}, 422, "webhook: action: Input should be a valid string"),
    ],
)
def test_setup_and_webhook_refuse_a_malformed_request(
    client: TestClient, path: str, body: Any, status: int, part: str
) -> None:
    response = client.post(path, content=body) if isinstance(body, bytes) else client.post(path, json=body)
    assert response.status_code == status
    assert part in response.json()["error"]


def test_a_replaced_extractor_is_served_under_its_own_version(rules: Extractor, ontology: Ontology) -> None:
    gazetteer = load_extractor("gazetteer", ontology=ontology)
    app = create_app(rules, ontology)
    with TestClient(app) as c:
        before = c.get("/health").json()["model_version"]
        assert app.state.backend.replace_extractor(gazetteer) == f"gazetteer@{gazetteer.version}"
        after = c.get("/health").json()
        setup = c.post("/setup", json={"schema": render_label_config(ontology)}).json()
        predicted = c.post("/predict", json={"tasks": [pushed_task(seed("000"), 1)]}).json()
    assert before == f"rules@{rules.version}"
    version = f"gazetteer@{gazetteer.version}"
    assert after["model_version"] == setup["model_version"] == predicted["model_version"] == version
    assert after["model_class"] == "GazetteerExtractor"
    assert predicted["results"][0]["model_version"] == after["model_version"]



@pytest.mark.parametrize("name", ["rules", "gazetteer"])
def test_predict_returns_what_push_would_send_for_extracts_output(ontology: Ontology, name: str) -> None:
    extractor = load_extractor(name, ontology=ontology)
    articles = [seed("000"), seed("003")]
    tasks = [pushed_task(a, 40 + i) for i, a in enumerate(articles)]
    with TestClient(create_app(extractor, ontology)) as c:
        response = c.post(
            "/predict",
            json={"tasks": tasks, "project": "1.1764583200", "label_config": render_label_config(ontology),
                  "params": {"login": None, "password": None, "context": None}},
        )
        version = c.post("/setup", json={"schema": render_label_config(ontology)}).json()["model_version"]
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 2
    for article, task, got in zip(articles, tasks, results, strict=True):
        (annotation,) = run_extractor(extractor, [article], ontology)
        candidates = task["data"]["actor_candidates"]
        by_id = {c["value"].split(" — ")[0]: c["value"] for c in candidates}
        assert got["result"] == annotation_to_results(annotation, article.text, candidates=by_id)
        assert got["model_version"] == model_version(annotation.origin) == version == f"{name}@{extractor.version}"
        assert got == prediction_payload(annotation, article, candidates)
        assert got["result"], "a seed article gets regions"
    assert any(r["from_name"] == "actor_id" for got in results for r in got["result"]), "candidates preselected"


def test_predict_keeps_unknown_task_and_data_keys(client: TestClient) -> None:
    task = pushed_task(seed("001"), 7)
    task["data"]["batch"] = "2026-11"
    task["surprise"] = {"nested": [1, 2]}
    response = client.post("/predict", json={"tasks": [task], "whatever": True})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_predict_refuses_tasks_of_a_project_whose_config_does_not_fit(client: TestClient, ontology: Ontology) -> None:
    xml = render_label_config(ontology).replace('name="notes"', 'name="comments"')
    response = client.post("/predict", json={"tasks": [pushed_task(seed("001"), 7)], "label_config": xml})
    assert response.status_code == 422
    assert "control 'notes' (TextArea) is missing" in response.json()["error"]


GOOD_DATA: dict[str, Any] = {"doc_id": "d5", "text": "Iraqi forces attacked rebels in Baghdad."}
GOOD: dict[str, Any] = {"id": 5, "data": GOOD_DATA}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{tasks: [", 400, "predict request: the body is not JSON"),
        (b"\xff\xfe{}", 400, "predict request: the body is not JSON"),
        ({}, 422, "predict request: tasks is missing"),
        ([GOOD], 422, "predict request: the body must be a JSON object (got an array)"),
        ({"tasks": {"0": GOOD}}, 422, "predict request: tasks: Input should be a valid list (got an object)"),
        ({"tasks": [{"id": 5}]}, 422, "tasks[0] (id 5): data is missing"),
        ({"tasks": [{"id": 5, "data": "text"}]}, 422, "tasks[0] (id 5): data must be a JSON object (got a string)"),
        ({"tasks": [GOOD, {"id": 6, "data": {"doc_id": "d6"}}]}, 422, "tasks[1] (id 6): data.text is missing"),
        ({"tasks": [{"id": 5, "data": {"doc_id": "d", "text": 12}}]}, 422,
         "tasks[0] (id 5): data.text: Input should be a valid string (got a number)"),
        ({"tasks": [{"id": 5, "data": {"doc_id": "d", "text": None}}]}, 422, "data.text: Input should be a valid"),
        ({"tasks": [{"id": "5", "data": GOOD_DATA}]}, 422, "tasks[0]: id: Input should be a valid integer"),
        ({"tasks": [{"id": 5, "data": {**GOOD_DATA, "title": ["a"]}}]}, 422, "tasks[0] (id 5): data.title"),
        ({"tasks": [{"id": 5, "data": {**GOOD_DATA, "actor_candidates": [{"val": "x"}]}}]}, 422,
         "tasks[0] (id 5): data.actor_candidates[0].value is missing"),
        ({"tasks": [{"id": 5, "data": {"text": "no id"}}]}, 422, "tasks[0] (id 5): data.doc_id"),
        ({"tasks": [{"id": 5, "data": {**GOOD_DATA, "duplicate_of": "d5"}}]}, 422, "tasks[0] (id 5): data"),
        (json.dumps({"tasks": [{"id": 5, "data": {**GOOD_DATA, "text": "Iraq \ud800 attacked"}}]}).encode(), 422,
         "tasks[0] (id 5): data.text holds a lone surrogate at character 5, which is not text"),
        (json.dumps({"tasks": [{"id": 5, "data": {**GOOD_DATA, "actor_candidates": [{"value": "x\udfff"}]}}]}).encode(),
         422,
         "tasks[0] (id 5): data.actor_candidates[0].value holds a lone surrogate"),
        ({"tasks": [GOOD], "label_config": 3}, 422, "predict request: label_config: Input should be a valid string"),
        ({"tasks": [{"id": 9, "data": {"doc_id": "big", "text": "x" * 20_001}}]}, 413,
         "tasks[0] (id 9): data.text has 20,001 characters, more than this backend predicts (20,000"),
    ],
    ids=["not-json", "not-utf8", "empty-object", "array", "tasks-not-list", "no-data", "data-not-object",
         "second-task-no-text", "text-number", "text-null", "id-string", "title-list", "candidate-shape",
         "no-doc-id", "duplicate-of-itself", "lone-surrogate", "candidate-surrogate", "label-config-number",
         "huge-task"],
)
def test_predict_refuses_a_malformed_payload_with_one_line(
    client: TestClient, body: Any, status: int, message: str
) -> None:
    if isinstance(body, bytes):
        response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    else:
        response = client.post("/predict", json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert message in error
    assert "\n" not in error and "Traceback" not in error


def _chunks() -> Iterator[bytes]:
    yield b'{"tasks": [{"id": 1, "data": {"doc_id": "d", "text": "'
    yield from (b"z" * 500 for _ in range(10))
    yield b'"}}]}'


@pytest.mark.parametrize(
    ("content", "part"),
    [(json.dumps({"tasks": [{"id": 1, "data": {"doc_id": "d", "text": "y" * 2000}}]}).encode(), "reads (1,000)"),
     (_chunks, "more than the 1,000 bytes this backend reads")],  # chunked: no length declared, not read to its end
    ids=["declared", "chunked"],
)
def test_predict_refuses_a_body_over_the_byte_limit(
    rules: Extractor, ontology: Ontology, content: Any, part: str
) -> None:
    with TestClient(create_app(rules, ontology, max_body_bytes=1000)) as c:
        response = c.post("/predict", content=content() if callable(content) else content)
    assert response.status_code == 413
    assert part in response.json()["error"]


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/nope", 404), ("GET", "/predict", 405)])
def test_unknown_routes_and_methods_answer_json(client: TestClient, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json()["error"].startswith(f"{method} {path}: ")


class Failing:
    """An extractor that fails (or, with ``invalid``, gives a label the ontology does not have)."""

    name = "failing"
    version = "1"

    def __init__(self, invalid: bool = False) -> None:
        self.invalid = invalid

    def extract(self, articles: Iterable[Article]) -> Iterator[DocumentAnnotation]:
        for article in articles:
            if not self.invalid:
                raise RuntimeError("model weights\nmissing")
            mention = Mention(id="m1", type="ALIEN", start=0, end=5, text=article.text[:5])
            yield DocumentAnnotation(
                doc_id=article.id, origin=Origin(kind="extractor", name=self.name, version="1"), mentions=[mention]
            )


@pytest.mark.parametrize(("invalid", "part"), [(False, "RuntimeError: model weights missing"), (True, "ALIEN")])
def test_an_extractor_failure_is_a_500_line_and_a_logged_traceback(
    ontology: Ontology, caplog: pytest.LogCaptureFixture, invalid: bool, part: str
) -> None:
    caplog.set_level(logging.INFO, logger="eventgold.mlbackend")
    with TestClient(create_app(Failing(invalid), ontology)) as c:
        response = c.post("/predict", json={"tasks": [GOOD]})
        assert c.get("/health").json()["status"] == "UP"
    assert response.status_code == 500
    error = response.json()["error"]
    assert error.startswith("tasks[0] (id 5): ")
    assert part in error
    assert "Traceback" not in error and "\n" not in error
    assert "failing" in caplog.text
    if not invalid:
        assert "Traceback" in caplog.text



def test_webhook_counts_annotation_events_per_project_and_calls_the_hook(rules: Extractor, ontology: Ontology) -> None:
    seen: list[AnnotationEvent] = []
    app = create_app(rules, ontology, on_annotation=seen.append)
    with TestClient(app) as c:
        for action, project in [("ANNOTATION_CREATED", 4), ("ANNOTATION_UPDATED", 4), ("ANNOTATION_CREATED", 9)]:
            body = {"action": action, "project": {"id": project, "title": "t"}, "annotation": {"id": 100 + project},
                    "task": {"id": 7, "data": {}}}
            response = c.post("/webhook", json=body)
            assert response.status_code == 200
            assert response.json()["status"] == "ok"
        ignored = c.post("/webhook", json={"action": "PROJECT_UPDATED", "project": {"id": 4}})
        unknown = c.post("/webhook", json={"action": "SOMETHING_NEW"})
    assert ignored.status_code == unknown.status_code == 200
    assert ignored.json()["status"] == unknown.json()["status"] == "ignored"
    state = app.state.backend
    assert state.annotations_seen(4) == 2 and state.annotations_seen(9) == 1 and state.annotations_seen(5) == 0
    assert dict(state.annotation_events[4]) == {"ANNOTATION_CREATED": 1, "ANNOTATION_UPDATED": 1}
    assert [(e.action, e.project_id, e.task_ids, e.annotation_ids) for e in seen] == [
        ("ANNOTATION_CREATED", 4, (7,), (104,)),
        ("ANNOTATION_UPDATED", 4, (7,), (104,)),
        ("ANNOTATION_CREATED", 9, (7,), (109,)),
    ]


def test_a_failing_annotation_hook_answers_500_in_one_line(rules: Extractor, ontology: Ontology) -> None:
    def hook(event: AnnotationEvent) -> None:
        raise ValueError("disk full")

    with TestClient(create_app(rules, ontology, on_annotation=hook)) as c:
        response = c.post("/webhook", json={"action": "ANNOTATION_CREATED", "project": {"id": 1}})
    assert response.status_code == 500
    assert response.json()["error"] == "webhook: the annotation hook failed (ValueError); see the backend's log"


ROUTES = [
    ("POST", "/predict", {"tasks": [GOOD]}),
    ("POST", "/setup", {"schema": None}),  # filled in below: the rendered config
    ("POST", "/webhook", {"action": "ANNOTATION_CREATED", "project": {"id": 1}}),
    ("GET", "/versions", None),
]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic("wrong"),
        basic(KEY[:-1]),
        basic(""),
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": f"Token {KEY}"},
        {"Authorization": "Basic %%%notbase64"},
        {"Authorization": "Basic " + base64.b64encode(KEY.encode()).decode()},  # no user:password colon
    ],
    ids=["none", "wrong", "prefix", "empty", "bearer", "token", "bad-base64", "no-colon"],
)
@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[r[1] for r in ROUTES])
def test_the_api_key_is_required_on_every_route_but_health(
    keyed: TestClient, headers: dict[str, str], method: str, path: str, body: Any
) -> None:
    response = keyed.request(method, path, json=body, headers=headers)
    assert keyed.get("/health", headers=headers).status_code == keyed.get("/", headers=headers).status_code == 200
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert "authentication required" in response.json()["error"]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[r[1] for r in ROUTES])
@pytest.mark.parametrize("user", ["labelstudio", ""])
def test_the_right_key_opens_every_route(
    keyed: TestClient, ontology: Ontology, method: str, path: str, body: Any, user: str
) -> None:
    if path == "/setup":
        body = {"schema": render_label_config(ontology)}
    response = keyed.request(method, path, json=body, headers=basic(KEY, user))
    assert response.status_code == 200


def test_the_key_never_appears_in_a_response_or_the_log(
    rules: Extractor, ontology: Ontology, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    encoded = base64.b64encode(f"u:{KEY}".encode()).decode()
    texts: list[str] = []
    with TestClient(create_app(Failing(), ontology, api_key=KEY)) as c:
        for headers in ({}, basic("nope"), basic(KEY, "u")):
            for method, path, body in ROUTES:
                response = c.request(method, path, json=body, headers=headers)
                texts.append(response.text + str(dict(response.headers)))
        texts.append(c.post("/predict", content=b"{", headers=basic(KEY, "u")).text)
        texts.append(c.post("/setup", json={"schema": "<View/>", "access_token": KEY}, headers=basic(KEY, "u")).text)
    assert any('"error"' in t for t in texts)
    for text in [*texts, caplog.text]:
        assert KEY not in text
        assert encoded not in text


def test_an_empty_key_is_refused(rules: Extractor, ontology: Ontology) -> None:
    with pytest.raises(ConfigError, match="API key is empty"):
        create_app(rules, ontology, api_key="")



def test_is_loopback() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.3.2.1", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.20", "example.org"))


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_serve_refuses_a_host_beyond_loopback_without_a_key(rules: Extractor, ontology: Ontology, host: str) -> None:
    with pytest.raises(ConfigError, match="API key"):
        serve(rules, ontology, host=host, port=0, on_listening=pytest.fail)


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [({"port": 70000}, "port must be between"), ({"port": -1}, "port must be between"),
     ({"log_level": "loud"}, "unknown log level")],
)
def test_serve_refuses_bad_settings(rules: Extractor, ontology: Ontology, kwargs: dict[str, Any], part: str) -> None:
    with pytest.raises(ConfigError, match=part):
        serve(rules, ontology, on_listening=pytest.fail, **kwargs)


def test_serve_names_a_port_in_use(rules: Extractor, ontology: Ontology) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(rules, ontology, port=port, on_listening=pytest.fail)


SERVE = (
    "import sys; from eventgold.extractors.base import load_extractor; from eventgold.mlbackend import serve; "
    "from eventgold.ontology import load_ontology; o = load_ontology(); "
    "serve(load_extractor('rules', ontology=o), o, port=int(sys.argv[1]), api_key=sys.argv[2], log_level='trace')"
)


def test_serve_answers_over_http_and_logs_no_key_even_at_trace_level(ontology: Ontology) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port), KEY], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for _ in range(300):
                try:
                    health = http.get("/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            else:
                pytest.fail(f"the backend did not start: {proc.poll()=}")
            assert health.json()["status"] == "UP"
            assert http.post("/predict", json={"tasks": [GOOD]}).status_code == 401
            setup = {"schema": render_label_config(ontology), "access_token": KEY}
            assert http.post("/setup", json=setup, headers=basic(KEY)).status_code == 200
            predicted = http.post("/predict", json={"tasks": [GOOD]}, headers=basic(KEY))
            assert predicted.status_code == 200 and len(predicted.json()["results"]) == 1
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    log = output.decode("utf-8", "replace")
    assert "POST /predict" in log
    assert KEY not in log
    assert base64.b64encode(f"labelstudio:{KEY}".encode()).decode() not in log
