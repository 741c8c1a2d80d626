"""Extractors: the plugin interface and the built-in baselines (readers of others' outputs: :mod:`eventgold.readers`).

- :mod:`.base`: the ``Extractor`` protocol and the registry (built-ins, ``spacy:NAME``,
  the ``eventgold.extractors`` entry-point group, ``package.module:callable``);
- :mod:`.gazetteer`: actor mentions from the dictionary, and ``actor_candidates``;
- :mod:`.rules`: the baseline event coder (trigger lexicon + gazetteer);
- :mod:`.spacy_ner`: any installed spaCy pipeline (``spacy`` extra);
- :mod:`.suggest`: which articles to annotate next.

The actor dictionary and its upkeep are :mod:`eventgold.actors`.
"""
