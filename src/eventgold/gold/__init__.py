"""Agreement, adjudication, splits and versioned gold datasets (works on records only).

Modules: ``stats`` (kappa, alpha), ``units`` (unit ids, alignment),
``inputs`` (merging snapshots), ``agreement``, ``adjudicate``, ``splits``,
``dataset`` (gold version folders), ``diff``.
"""
