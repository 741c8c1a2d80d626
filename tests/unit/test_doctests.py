"""The example runs in the docstrings of the main entry points are part of the suite.

Each module below carries at least one example (``>>>``) in the docstring of its public entry
point; the example must run and print what it says.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

ENTRY_POINTS = [
    "eventgold.scoring.api",  # score
    "eventgold.gold.agreement",  # compute_agreement
    "eventgold.gold.adjudicate",  # adjudicate
    "eventgold.gold.dataset",  # build_gold
    "eventgold.extractors.base",  # run_extractor
    "eventgold.labelstudio.snapshot",  # read_snapshot
    "eventgold.training.data",  # training_data
    "eventgold.training.roles",  # ArgumentModel (scikit-learn only)
    "eventgold.training.modes",  # ModeModel
    "eventgold.training.uncertainty",  # doc_uncertainty, diverse
    "eventgold.mlbackend.app",  # create_app
]


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no example in its docstrings"
    assert result.failed == 0
