"""Actors: the actor dictionary and its upkeep.

- :mod:`.dictionary`: the actor dictionary ``label_config/actors.yaml`` (canonical ids,
  types, aliases);
- :mod:`.upkeep`: canonical ids annotators used that the dictionary lacks, and stub
  entries appended for a person to complete (``eventgold actors pending``).

The gazetteer extractor that finds the dictionary's actors in text stays in
:mod:`eventgold.extractors.gazetteer`.
"""
