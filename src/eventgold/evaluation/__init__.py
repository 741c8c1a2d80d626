"""The evaluation core shared by agreement (``gold``) and scoring: span matching, counts, errors.

Modules: ``matching`` (span tables, candidate pairs, matching schemes and the
:class:`~eventgold.evaluation.matching.Alignment` they produce), ``counts``
(the tp/fp/fn :class:`~eventgold.evaluation.counts.Counts`, SemEval counts,
P/R/F and the zero-division rule), ``error_items`` (error items and context
snippets). Nothing here knows about gold datasets, score reports or the CLI.

Scheme families (a scheme's name is a :data:`~eventgold.evaluation.matching.SchemeName`):

- **SemEval-2013 9.1 / nervaluate** (``strict``, ``exact``, ``partial``,
  ``type``): used by ``score``. Overlapping gold/predicted spans are matched
  one-to-one, optimally (most correct pairs, then most pairs); a matched pair
  that is not correct is incorrect, or partial (half credit) under ``partial``.
  Counts are COR/INC/PAR/MIS/SPU (:class:`~eventgold.evaluation.counts.SchemeCounts`).
- **Agreement** (``strict`` and ``overlap``): used by ``agree`` between two
  annotators. ``strict`` is the SemEval scheme of the same name counted as
  tp/fp/fn (a correct pair is tp, every other unit "only a" or "only b");
  ``overlap`` matches same-type overlapping spans greedily by largest overlap.
  Counts are tp/fp/fn (:class:`~eventgold.evaluation.counts.Counts`).
"""
