"""The extractor registry and the checked runner."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from eventgold.errors import ConfigError, RecordError
from eventgold.extractors.base import (
    Extractor,
    available_extractors,
    load_extractor,
    run_extractor,
)
from eventgold.extractors.gazetteer import GazetteerExtractor
from eventgold.extractors.rules import RulesExtractor
from eventgold.models import Article, DocumentAnnotation, Mention, Origin
from eventgold.ontology import load_ontology

ARTICLES = [Article(id="a", text="Pompeo met Al-Kazemi."), Article(id="b", text="Nothing.")]


class Echo:
    """A minimal third-party extractor: one mention per article, maybe broken."""

    name = "echo"
    version = "1"

    def __init__(self, label: str = "PERSON", origin_kind: str = "extractor") -> None:
        self.label = label
        self.origin_kind = origin_kind

    def extract(self, articles: Iterable[Article]) -> Iterator[DocumentAnnotation]:
        for a in articles:
            yield DocumentAnnotation(
                doc_id=a.id,
                origin=Origin(kind=self.origin_kind, name=self.name),  # type: ignore[arg-type]
                mentions=[Mention(id="m1", type=self.label, start=0, end=1, text=a.text[0])],
            )


def make_echo() -> Echo:
    return Echo()


@pytest.mark.parametrize(("name", "cls"), [("gazetteer", GazetteerExtractor),
                                            ("rules", RulesExtractor)])
def test_builtins(name: str, cls: type) -> None:
    ex = load_extractor(name)
    assert isinstance(ex, cls)
    assert isinstance(ex, Extractor)
    assert ex.name == name


@pytest.mark.parametrize("target", [f"{__name__}:Echo", f"{__name__}:make_echo"])
def test_module_callable_names(target: str) -> None:
    ex = load_extractor(target)
    assert ex.name == "echo"
    assert [a.doc_id for a in run_extractor(ex, ARTICLES, load_ontology())] == ["a", "b"]


def test_module_instance_and_missing_targets() -> None:
    sys.modules[__name__].ECHO = Echo()  # type: ignore[attr-defined]
    assert load_extractor(f"{__name__}:ECHO").name == "echo"
    with pytest.raises(ConfigError, match="cannot import"):
        load_extractor("no_such_module_xyz:thing")
    with pytest.raises(ConfigError, match="has no attribute"):
        load_extractor(f"{__name__}:missing")
    with pytest.raises(ConfigError, match="not an extractor"):
        load_extractor("os.path:sep")
    with pytest.raises(ConfigError, match="unknown extractor 'nope'; available: gazetteer, rules"):
        load_extractor("nope")


def test_entry_points_are_listed_and_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "echo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(f"""\
        [eventgold.extractors]
        echo = {__name__}:Echo
        """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    infos = {i.name: i for i in available_extractors()}
    assert infos["echo"].kind == "entry-point"
    assert infos["echo"].target == f"{__name__}:Echo"
    assert infos["gazetteer"].kind == "builtin"
    assert "BASELINE" in infos["rules"].description
    assert load_extractor("echo").name == "echo"


def test_runner_rejects_invalid_outputs() -> None:
    onto = load_ontology()
    with pytest.raises(RecordError, match="extractor 'echo' produced an invalid annotation"):
        list(run_extractor(Echo(label="ALIEN"), ARTICLES, onto))
    with pytest.raises(RecordError, match="origin kind must be 'extractor'"):
        list(run_extractor(Echo(origin_kind="annotator"), ARTICLES, onto))


def test_runner_rejects_more_outputs_than_inputs() -> None:
    class Greedy(Echo):
        def extract(self, articles: Iterable[Article]) -> Iterator[DocumentAnnotation]:
            yield from super().extract(list(articles) * 2)

    with pytest.raises(RecordError, match="more annotations than"):
        list(run_extractor(Greedy(), ARTICLES, load_ontology()))
