"""Dictionary upkeep: ids the dictionary lacks, and appending stubs without losing comments."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eventgold.actors.dictionary import load_actor_dictionary
from eventgold.actors.upkeep import append_stubs, find_pending, read_annotated
from eventgold.cli import main
from eventgold.jsonl import write_jsonl
from eventgold.models import Article, DocumentAnnotation, GoldDocument, Mention, Origin
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config, packaged_samples

REPO = Path(__file__).resolve().parents[2]
TEXT = "Brig. Gen. Yahya Rasool met Al-Kazemi and Abu Fadak al-Mohammadawi in Baghdad."


def mention(i: int, surface: str, cid: str | None, typ: str = "PERSON") -> Mention:
    start = TEXT.index(surface)
    return Mention(id=f"m{i}", type=typ, start=start, end=start + len(surface), text=surface,
                   canonical_id=cid, country="IRQ")


def gold_file(tmp_path: Path) -> Path:
    gold = GoldDocument(
        article=Article(id="g1", text=TEXT),
        mentions=[mention(1, "Yahya Rasool", "rasool_yahya"),
                  mention(2, "Al-Kazemi", "kazemi_mustafa"),
                  mention(3, "Abu Fadak al-Mohammadawi", "mohammadawi_abu_fadak")],
    )
    other = DocumentAnnotation(
        doc_id="g2", origin=Origin(kind="annotator", name="ann1"),
        mentions=[Mention(id="x", type="PERSON", text="Yahya Rasool", canonical_id="rasool_yahya"),
                  Mention(id="y", type="PERSON", text="Sabah", canonical_id="bad — id")],
    )
    path = tmp_path / "gold.jsonl"
    write_jsonl(path, [gold, other])
    return path


def test_find_pending_counts_and_contexts(tmp_path: Path) -> None:
    pending = find_pending(read_annotated(gold_file(tmp_path)), load_actor_dictionary())
    assert [(p.canonical_id, p.count, len(p.documents)) for p in pending] == [
        ("rasool_yahya", 2, 2), ("bad — id", 1, 1), ("mohammadawi_abu_fadak", 1, 1)]
    assert pending[0].examples[0] == (
        "g1: …Brig. Gen. [Yahya Rasool] met Al-Kazemi and Abu Fadak al-Mohammad…"  # 40 chars each side
    )
    assert pending[0].examples[1] == "g2: Yahya Rasool"


def test_append_stubs_keeps_comments_and_loads(tmp_path: Path) -> None:
    actors = tmp_path / "actors.yaml"
    shutil.copy(packaged_label_config() / "actors.yaml", actors)
    before = actors.read_text(encoding="utf-8")
    pending = find_pending(read_annotated(gold_file(tmp_path)), load_actor_dictionary(actors))
    added = append_stubs(actors, pending, load_ontology())
    assert added == ["rasool_yahya", "mohammadawi_abu_fadak"]  # "bad — id" cannot be a key
    after = actors.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert "# --- Added by `eventgold actors pending --add`: complete name," in after
    d = load_actor_dictionary(actors)
    stub = d.entries["rasool_yahya"]
    assert (stub.name, stub.type, stub.country, stub.needs_review) == (
        "Yahya Rasool", "PERSON", "IRQ", True)
    assert len(d) == len(load_actor_dictionary()) + 2


def test_actors_pending_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    actors = tmp_path / "actors.yaml"
    shutil.copy(packaged_label_config() / "actors.yaml", actors)
    gold = gold_file(tmp_path)
    rc = main(["actors", "pending", str(gold), "--actors", str(actors), "--json", "-"])
    assert rc == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["pending"][0]["canonical_id"] == "rasool_yahya"
    assert payload["added"] == []
    rc = main(["actors", "pending", str(gold), "--actors", str(actors), "--add"])
    assert rc == 0
    assert "rasool_yahya" in load_actor_dictionary(actors)
    rc = main(["actors", "pending", str(tmp_path / "nope.jsonl"), "--actors", str(actors)])
    assert rc == 2


def test_broken_dictionary_is_not_replaced(tmp_path: Path) -> None:
    from eventgold.errors import ConfigError

    actors = tmp_path / "actors.yaml"
    actors.write_text("# mine\nfoo:\n  name: Foo\n  type: PERSON\n", encoding="utf-8")
    pending = find_pending(read_annotated(gold_file(tmp_path)), load_actor_dictionary(actors))
    ontology = load_ontology()
    # an ontology without PERSON would make the stubs invalid: the file must stay as it was
    narrowed = ontology.model_copy(update={"actor_types": ontology.actor_types[1:]})
    with pytest.raises(ConfigError):
        append_stubs(actors, pending, narrowed)
    assert actors.read_text(encoding="utf-8") == "# mine\nfoo:\n  name: Foo\n  type: PERSON\n"


def test_pending_refuses_two_gold_documents_with_one_id(tmp_path: Path) -> None:
    from eventgold.records_io import DuplicateIdError

    first = (packaged_samples() / "gold" / "v1" / "gold.jsonl").read_text().splitlines()[0]
    changed = json.loads(first)
    changed["split"] = "test" if changed["split"] != "test" else "dev"
    path = tmp_path / "gold.jsonl"
    path.write_text(first + "\n" + json.dumps(changed) + "\n", encoding="utf-8")
    with pytest.raises(DuplicateIdError, match="lines 1 and 2"):
        list(read_annotated(path))
