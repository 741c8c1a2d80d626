"""The same data scored through the library (``eventgold.scoring.api.score``) and the CLI give the same figures.

Every figure of the score JSON is compared: flat metrics, confidence intervals (a fixed
seed), per-type and per-role tables, confusion matrices, group scores and the paired tests
of two extractors. Error lists are left out (the report shows a sample of them).
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.jsonl import write_jsonl
from eventgold.models import (
    Argument,
    Article,
    DocumentAnnotation,
    Event,
    GoldDocument,
    Mention,
    Origin,
    Span,
)
from eventgold.ontology import load_ontology
from eventgold.scoring.api import score
from eventgold.scoring.inputs import load_gold, load_predictions

TYPES = ["PERSON", "ORGANIZATION", "STATE", "ARMED_GROUP"]
EVENTS = ["CONSULT", "ASSAULT", "ACCUSE"]
NAMES = ["Iraq", "Mike Pompeo", "the Quds Force", "Baghdad", "protesters"]
MODES = {t: (None, *load_ontology().modes_of(t)) for t in EVENTS}
EXTRACTOR_FIGURES = (
    "name",
    "docs_scored",
    "docs_predicted",
    "missing_docs",
    "unknown_docs",
    "outside_selection",
    "gold_mentions_without_span",
    "pred_mentions_without_span",
    "metrics",
    "intervals",
    "type_intervals",
    "mentions",
    "actors",
    "events",
    "coder",
    "confusion",
    "groups",
    "zero_division_in",
)
REPORT_FIGURES = ("gold_docs", "zero_division", "bootstrap", "seed", "ci_level", "split", "tests")


def _doc(rnd: random.Random, i: int) -> tuple[GoldDocument, dict[str, DocumentAnnotation]]:
    """One gold document (mentions with and without offsets, events with and without triggers)
    and two extractors' noisy predictions of it."""
    text = ""
    gold_m: list[Mention] = []
    preds: dict[str, list[Mention]] = {"a": [], "b": []}
    for k in range(rnd.randint(0, 8)):
        text += "some filler words "
        name = rnd.choice(NAMES)
        s, e = len(text), len(text) + len(name)
        text += name + " and "
        t = rnd.choice(TYPES)
        cid = f"actor{rnd.randint(0, 5)}" if rnd.random() < 0.8 else None
        gold_m.append(Mention(id=f"m{k}", type=t, start=s, end=e, text=name, canonical_id=cid))
        for side, p in preds.items():
            r = rnd.random()
            if r < 0.55:
                p.append(Mention(id=f"{side}{k}", type=t, start=s, end=e, text=name, canonical_id=cid))
            elif r < 0.7:
                p.append(Mention(id=f"{side}{k}", type=rnd.choice(TYPES), start=s, end=e, text=name))
            elif r < 0.85:
                p.append(Mention(id=f"{side}{k}", type=t, start=s + 1, end=e, text=name[1:]))
    gold_m.append(Mention(id="nospan", type="STATE", text="Iran", canonical_id="IRN"))
    for side, p in preds.items():
        s = len(text)
        text += "spurious "
        p.append(Mention(id=f"{side}s", type=rnd.choice(TYPES), start=s, end=s + 8, text="spurious"))
        if rnd.random() < 0.5:
            p.append(Mention(id=f"{side}n", type="STATE", text="Iran", canonical_id="IRN"))
    gold_e: list[Event] = []
    pred_e: dict[str, list[Event]] = {"a": [], "b": []}
    for k in range(rnd.randint(0, 4)):
        text += " "
        s = len(text)
        text += "attacked"
        trig = Span(start=s, end=s + 8, text="attacked") if rnd.random() < 0.9 else None
        et = rnd.choice(EVENTS)
        mode = rnd.choice(MODES[et])
        ids = [m.id for m in gold_m]
        args = [Argument(role=role, mention=rnd.choice(ids)) for role in ("actor", "recipient") if rnd.random() < 0.8]
        gold_e.append(Event(id=f"e{k}", type=et, trigger=trig, arguments=args, mode=mode))
        for side, p in preds.items():
            if rnd.random() < 0.75:
                have = {m.id for m in p}
                p_args = [
                    Argument(role=rnd.choice(["actor", "recipient"]), mention=f"{side}{a.mention[1:]}")
                    for a in args
                    if f"{side}{a.mention[1:]}" in have
                ]
                p_type = et if rnd.random() < 0.8 else rnd.choice(EVENTS)
                pred_e[side].append(
                    Event(
                        id=f"{side}e{k}",
                        type=p_type,
                        trigger=trig,
                        arguments=p_args,
                        mode=mode if p_type == et and rnd.random() < 0.7 else rnd.choice(MODES[p_type]),
                    )
                )
    article = Article(id=f"d{i:03d}", text=text + ".", source=f"src{i % 3}")
    split = ("train", "dev", "test")[i % 3]
    gold = GoldDocument(article=article, mentions=gold_m, events=gold_e, split=split)
    annotations = {
        side: DocumentAnnotation(
            doc_id=article.id, origin=Origin(kind="extractor", name=side), mentions=preds[side], events=pred_e[side]
        )
        for side in preds
    }
    return gold, annotations


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """30 gold documents and two extractors' predictions (one skips two documents), as JSONL."""
    rnd = random.Random(17)
    docs = [_doc(rnd, i) for i in range(30)]
    out = tmp_path_factory.mktemp("score_library_cli")
    paths = {"gold": out / "gold.jsonl", "a": out / "a.jsonl", "b": out / "b.jsonl"}
    write_jsonl(paths["gold"], [g for g, _ in docs])
    write_jsonl(paths["a"], [p["a"] for _, p in docs])
    write_jsonl(paths["b"], [p["b"] for _, p in docs[2:]])
    return paths


def _same(lib: Any, cli: Any, where: str) -> None:
    """Equal JSON values (NaN equals NaN), naming the first difference."""
    if isinstance(lib, dict):
        assert isinstance(cli, dict) and list(lib) == list(cli), where
        for key in lib:
            _same(lib[key], cli[key], f"{where}.{key}")
    elif isinstance(lib, list):
        assert isinstance(cli, list) and len(lib) == len(cli), where
        for i, (x, y) in enumerate(zip(lib, cli, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(lib, float) and isinstance(cli, float) and math.isnan(lib):
        assert math.isnan(cli), where
    else:
        assert lib == cli, where


@pytest.mark.parametrize(
    ("options", "kwargs"),
    [
        ([], {}),
        (
            ["--split", "dev,test", "--by", "source,split", "--zero-division", "nan"],
            {"split": ["dev", "test"], "by": ["source", "split"], "zero_division": "nan"},
        ),
    ],
    ids=["all", "split-by-nan"],
)
def test_library_and_cli_give_the_same_figures(
    files: dict[str, Path], tmp_path: Path, options: list[str], kwargs: dict[str, Any]
) -> None:
    out = tmp_path / "score.json"
    argv = ["score", "--gold", str(files["gold"]), "--pred", str(files["a"]), "--pred", str(files["b"])]
    argv += ["--bootstrap", "40", "--seed", "5", "--json", str(out), *options]
    assert main(argv) == 0
    cli = json.loads(out.read_text(encoding="utf-8"))

    gold = load_gold(files["gold"])
    articles = {g.article.id: g.article for g in gold}
    preds = {name: load_predictions(files[name], articles=articles).annotations for name in ("a", "b")}
    report = score(gold, preds, bootstrap=40, seed=5, **kwargs)
    lib = json.loads(report.to_json())

    assert [e["name"] for e in cli["extractors"]] == ["a", "b"]
    assert cli["tests"], "two extractors: paired tests"
    assert cli["extractors"][0]["intervals"], "bootstrap intervals"
    for key in REPORT_FIGURES:
        _same(lib[key], cli[key], key)
    for lib_ex, cli_ex in zip(lib["extractors"], cli["extractors"], strict=True):
        for key in EXTRACTOR_FIGURES:
            _same(lib_ex[key], cli_ex[key], f"{lib_ex['name']}.{key}")
