"""Every export loads in its consumer, whatever split is empty (issue "From the wild, round two").

The case ``data/cases/hf-empty-splits/gold`` (train and dev empty) used to give a
Hugging Face folder that ``datasets.load_dataset`` refused ("corresponds to no
data"). What each format does with an empty split:

- ``hf``: the split's ``<split>.jsonl`` is written (empty) and counted in the
  manifest, but left out of the card's ``data_files``, so ``load_dataset`` gives
  the splits that hold documents; when no chosen split holds one there is no
  dataset to load and the export is refused (exit 2, one line, nothing written);
- ``spacy``: a DocBin file with 0 docs (spaCy loads it);
- ``conll``: an empty ``<split>.conll`` and ``<split>.offsets.jsonl``, declared in
  the manifest with 0 documents;
- ``plover``: an empty ``<split>.jsonl`` (the PLOVER reader reads 0 records);
- ``labelstudio``: one ``tasks.json`` for all splits, without the empty ones' documents
  (``[]`` when every split is empty; ``push``'s reader reads it).
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import datasets
import pytest
from seqeval.metrics.sequence_labeling import get_entities

from eventgold.cli import main
from eventgold.errors import ConfigError
from eventgold.export import FORMATS
from eventgold.export.hf import HF_SPLIT
from eventgold.export.run import export_gold
from eventgold.models import SPLITS, GoldDocument
from eventgold.readers import read_predictions

from .export_fixtures import fixture_docs, train_doc, write_gold
from .extras import needs_spacy

FORMAT_PARAMS = [pytest.param(f, marks=needs_spacy) if f == "spacy" else f for f in FORMATS]
"""Every format; the spacy one runs only where spaCy is installed (an optional extra)."""
CASE = Path(__file__).parent / "data" / "cases" / "hf-empty-splits" / "gold"

EMPTY_COMBOS = [frozenset(c) for n in range(len(SPLITS) + 1) for c in itertools.combinations(SPLITS, n)]


def _combo_id(empty: frozenset[str]) -> str:
    return "empty:" + ("+".join(s for s in SPLITS if s in empty) or "none")


def gold_with_empty(folder: Path, empty: frozenset[str]) -> tuple[Path, dict[str, list[GoldDocument]]]:
    """A gold version whose splits in ``empty`` hold no document (all empty: every document unsplit)."""
    full = [s for s in SPLITS if s not in empty]
    docs = sorted([*fixture_docs(), train_doc()], key=lambda d: d.doc_id)
    placed = [d.model_copy(update={"split": full[i % len(full)] if full else None}) for i, d in enumerate(docs)]
    by_split = {s: [d for d in placed if d.split == s] for s in SPLITS}
    return write_gold(folder, placed), by_split


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def load_hf(out: Path, cache: Path, by_split: dict[str, list[GoldDocument]]) -> None:
    loaded = datasets.load_dataset(str(out), cache_dir=str(cache))
    assert sorted(loaded) == sorted(HF_SPLIT[s] for s in SPLITS if by_split[s])
    for split, docs in by_split.items():
        if docs:
            assert [row["id"] for row in loaded[HF_SPLIT[split]]] == [d.doc_id for d in docs]
        else:
            assert (out / f"{split}.jsonl").read_bytes() == b""


def load_spacy(out: Path, by_split: dict[str, list[GoldDocument]]) -> None:
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    for split, docs in by_split.items():
        got = list(DocBin().from_disk(out / f"{split}.spacy").get_docs(Vocab()))
        assert [d.user_data["doc_id"] for d in got] == [d.doc_id for d in docs]
        assert [d.text for d in got] == [d.article.text for d in docs]


def load_conll(out: Path, by_split: dict[str, list[GoldDocument]]) -> None:
    for split, docs in by_split.items():
        lines = (out / f"{split}.conll").read_text(encoding="utf-8").splitlines()
        offsets = (out / f"{split}.offsets.jsonl").read_text(encoding="utf-8").splitlines()
        if not docs:
            assert lines == [] and offsets == []
            continue
        assert sum(line == "-DOCSTART- O O O" for line in lines) == len(docs)
        rows = [line.split(" ") for line in lines if line and not line.startswith("-DOCSTART-")]
        assert all(len(r) == 4 for r in rows) and len(rows) == sum(len(json.loads(o)["offsets"]) for o in offsets)
        actors = get_entities([r[1] for r in rows])
        assert len(actors) >= 1  # the fixture documents have tagged actors
        assert {json.loads(o)["doc_id"] for o in offsets} == {d.doc_id for d in docs}


def load_labelstudio(out: Path, by_split: dict[str, list[GoldDocument]]) -> None:
    from eventgold.labelstudio.tasks_file import read_tasks_file
    from eventgold.ontology import load_ontology

    tasks = read_tasks_file(out / "tasks.json", load_ontology())
    assert list(tasks.articles) == [d.doc_id for s in SPLITS for d in by_split[s]]


def load_plover(out: Path, by_split: dict[str, list[GoldDocument]]) -> None:
    for split, docs in by_split.items():
        articles = {d.doc_id: d.article for d in docs}
        got = list(read_predictions(out / f"{split}.jsonl", "plover", articles=articles, doc_key=None))
        assert [a.doc_id for a in got] == [d.doc_id for d in docs if d.events]
        assert sum(len(a.events) for a in got) == sum(len(d.events) for d in docs)


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
@pytest.mark.parametrize("empty", EMPTY_COMBOS, ids=_combo_id)
def test_every_format_loads_whatever_split_is_empty(tmp_path: Path, fmt: str, empty: frozenset[str]) -> None:
    gold, by_split = gold_with_empty(tmp_path / "gold" / "v1", empty)
    parent = tmp_path / "exports"
    parent.mkdir()
    out = parent / fmt
    if fmt == "hf" and empty == frozenset(SPLITS):
        with pytest.raises(ConfigError, match=r"no documents in train, dev, test.*nothing was exported") as err:
            export_gold(gold, fmt, out)
        assert "\n" not in str(err.value)
        assert not out.exists() and list(parent.iterdir()) == []
        return
    summary = export_gold(gold, fmt, out)
    assert _leftovers(parent) == []
    manifest = json.loads((out / "manifest.json").read_text())
    for split in SPLITS:  # every split is declared in the manifest, empty or not
        assert manifest["splits"][split]["documents"] == len(by_split[split])
        assert all(name in manifest["files"] for name in summary.files if name.startswith(f"{split}."))
        if split in empty:
            assert any(f"split {split!r} has no documents" in w for w in summary.warnings)
    if fmt == "hf":
        load_hf(out, tmp_path / "cache", by_split)
        assert manifest["hf_splits"] == {s: HF_SPLIT[s] for s in SPLITS if s not in empty}
        assert manifest.get("hf_undeclared_splits", []) == [s for s in SPLITS if s in empty]
    elif fmt == "spacy":
        load_spacy(out, by_split)
    elif fmt == "conll":
        load_conll(out, by_split)
    elif fmt == "labelstudio":
        load_labelstudio(out, by_split)
    else:
        load_plover(out, by_split)


@pytest.mark.parametrize("fmt", FORMAT_PARAMS)
def test_the_case_exports_and_loads_through_the_cli(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold"
    shutil.copytree(CASE, gold)
    out = tmp_path / "out"
    assert main(["export", str(gold), "--format", fmt, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "split 'train' has no documents" in err and "split 'dev' has no documents" in err
    docs = [GoldDocument.model_validate_json(line) for line in (gold / "gold.jsonl").read_text().splitlines()]
    by_split = {s: [d for d in docs if d.split == s] for s in SPLITS}
    assert [len(v) for v in by_split.values()] == [0, 0, 2]
    loaders: dict[str, Any] = {
        "hf": lambda: load_hf(out, tmp_path / "cache", by_split),
        "spacy": lambda: load_spacy(out, by_split),
        "conll": lambda: load_conll(out, by_split),
        "plover": lambda: load_plover(out, by_split),
        "labelstudio": lambda: load_labelstudio(out, by_split),
    }
    loaders[fmt]()
    if fmt == "hf":
        assert "left out of the dataset card" in err
        card = (out / "README.md").read_text(encoding="utf-8")
        assert "path: train.jsonl" not in card and "path: dev.jsonl" not in card and "path: test.jsonl" in card


def test_an_all_empty_hf_export_is_one_line_and_keeps_the_earlier_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold"
    shutil.copytree(CASE, gold)
    out = tmp_path / "out"
    assert main(["export", str(gold), "--format", "hf", "-o", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert main(["export", str(gold), "--format", "hf", "-o", str(out), "--split", "train,dev"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no documents in train, dev" in err[0] and "--split" in err[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(tmp_path) == []
