"""The optional extras the unit suite can run without, and how a test says it needs one."""

from __future__ import annotations

import importlib.util

import pytest

HAS_SPACY = importlib.util.find_spec("spacy") is not None
NEEDS_SPACY = "needs spaCy (the spacy extra: pip install 'eventgold[spacy]')"
needs_spacy = pytest.mark.skipif(not HAS_SPACY, reason=NEEDS_SPACY)
"""Mark a test (or a parameter) that needs spaCy; it skips, saying why, where spaCy is absent."""
