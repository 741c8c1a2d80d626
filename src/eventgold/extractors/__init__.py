"""Extractors: the plugin interface, built-in baselines and readers for others' outputs.

- :mod:`.base`: the ``Extractor`` protocol and the registry (built-ins, ``spacy:NAME``,
  the ``eventgold.extractors`` entry-point group, ``package.module:callable``);
- :mod:`.dictionary`: the actor dictionary ``label_config/actors.yaml``;
- :mod:`.gazetteer`: actor mentions from the dictionary, and ``actor_candidates``;
- :mod:`.rules`: the baseline event coder (trigger lexicon + gazetteer);
- :mod:`.spacy_ner`: any installed spaCy pipeline (``spacy`` extra);
- :mod:`.readers`: ``read_predictions`` for our JSONL, Label Studio, PLOVER, DocBin;
- :mod:`.suggest`: which articles to annotate next;
- :mod:`.pending`: canonical ids the dictionary lacks.
"""
