"""Scoring extractors against gold: mention schemes, canonical actors, events, statistics.

The entry point is :func:`eventgold.scoring.api.score`, which returns a typed
:class:`~eventgold.scoring.report.ScoreReport`.
"""
