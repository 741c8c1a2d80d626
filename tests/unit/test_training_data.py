"""Train and dev documents of a gold version, and what is too little to learn."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventgold.errors import ConfigError, InputError
from eventgold.gold.dataset import GOLD_FILE, read_gold_version
from eventgold.models import GoldDocument
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_samples
from eventgold.training.data import fraction, training_data

SAMPLE = packaged_samples() / "gold" / "v1"
PLOVER = load_ontology()


def _copy_with(tmp_path: Path, change: object) -> Path:
    """The sample gold version copied to ``tmp_path`` with each document passed through ``change``."""
    out = tmp_path / "v1"
    shutil.copytree(SAMPLE, out)
    docs = [change(d) for d in read_gold_version(SAMPLE).documents]  # type: ignore[operator]
    (out / GOLD_FILE).write_text("".join(d.model_dump_json() + "\n" for d in docs), encoding="utf-8")
    return out


def test_the_sample_gold_gives_its_train_and_dev_documents() -> None:
    data = training_data(SAMPLE, PLOVER)
    assert [d.split for d in data.train] == ["train"] * 3 and [d.split for d in data.dev] == ["dev"]
    # the sample gold has no REJECT (one of several types never annotated there): named in a warning
    assert any("REJECT" in w and "event types" in w for w in data.warnings)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"train_split": "dev", "dev_split": "dev"}, "both 'dev'"),
        ({"dev_split": "validation"}, "no document in split 'validation' (this version has: dev, test, train)"),
        ({"train_split": "holdout"}, "no document in split 'holdout'"),
    ],
)
def test_a_missing_or_repeated_split_is_one_clear_error(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        training_data(SAMPLE, PLOVER, **kwargs)


def test_a_train_split_without_events_is_too_little_to_learn(tmp_path: Path) -> None:
    def no_events(d: GoldDocument) -> GoldDocument:
        return d.model_copy(update={"events": []}) if d.split == "train" else d

    with pytest.raises(InputError, match="split 'train' has no event with a trigger: nothing to learn"):
        training_data(_copy_with(tmp_path, no_events), PLOVER)


def test_a_train_split_without_mentions_is_too_little_to_learn(tmp_path: Path) -> None:
    def no_units(d: GoldDocument) -> GoldDocument:
        return d.model_copy(update={"events": [], "mentions": []}) if d.split == "train" else d

    with pytest.raises(InputError, match="no actor mention with offsets"):
        training_data(_copy_with(tmp_path, no_units), PLOVER)


@given(st.integers(0, 60), st.integers(0, 3))
def test_fractions_are_nested_ordered_and_never_empty(n: int, seed: int) -> None:
    docs = list(range(n))
    previous: set[int] = set()
    for percent in (10, 25, 50, 75, 100):
        part = fraction(docs, percent, seed)  # type: ignore[arg-type]
        assert part == sorted(part)
        assert previous <= set(part)
        assert len(part) == (max(1, round(n * percent / 100)) if n else 0)
        previous = set(part)
    assert fraction(docs, 100, seed) == docs  # type: ignore[arg-type]


@pytest.mark.parametrize("percent", [0, -5, 101])
def test_a_curve_point_outside_1_to_100_is_refused(percent: int) -> None:
    with pytest.raises(ConfigError, match=f"not {percent}"):
        fraction([], percent)


def test_units_without_a_span_are_counted_in_a_warning(tmp_path: Path) -> None:
    def drop_trigger(d: GoldDocument) -> GoldDocument:
        if d.split != "train":
            return d
        return d.model_copy(update={"events": [d.events[0].model_copy(update={"trigger": None}), *d.events[1:]]})

    data = training_data(_copy_with(tmp_path, drop_trigger), PLOVER)
    assert any(
        "0 mention(s) without offsets and 3 event(s) without a trigger are not learnt from" in w for w in data.warnings
    )
