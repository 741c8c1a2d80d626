"""Agreement coefficients: ours vs the reference libraries, same data, one run.

Run: .venv/bin/python benchmarks/bench_gold_stats.py
Prints seconds per call (best of 5) and the ratio ours / reference.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Callable

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from eventgold.gold.stats import cohen_kappa, fleiss_kappa, krippendorff_alpha_nominal


def best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(name: str, ours: float, ref: float, refname: str) -> None:
    print(f"{name:<34} ours {ours * 1000:8.2f} ms   {refname} {ref * 1000:8.2f} ms   "
          f"ratio {ours / ref:5.2f}")


def main() -> None:
    rnd = random.Random(0)
    labels = [f"L{i}" for i in range(8)]
    n = 100_000
    a = [rnd.choice(labels) for _ in range(n)]
    b = [x if rnd.random() < 0.7 else rnd.choice(labels) for x in a]
    row(f"Cohen's kappa, {n} items", best(lambda: cohen_kappa(a, b)),
        best(lambda: cohen_kappa_score(a, b)), "sklearn")

    units, raters = 20_000, 5
    table = np.zeros((units, len(labels)), dtype=int)
    for u in range(units):
        for _ in range(raters):
            table[u, rnd.randrange(len(labels))] += 1
    rows = table.tolist()
    row(f"Fleiss' kappa, {units} units x {raters}", best(lambda: fleiss_kappa(rows)),
        best(lambda: sm_fleiss(table)), "statsmodels")

    units = 20_000
    data = [[rnd.randrange(6) if rnd.random() < 0.8 else None for _ in range(units)]
            for _ in range(raters)]
    matrix = np.array([[np.nan if v is None else v for v in r] for r in data], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row(f"Krippendorff alpha, {raters} x {units}", best(lambda: krippendorff_alpha_nominal(data)),
            best(lambda: krippendorff.alpha(matrix, level_of_measurement="nominal")),
            "krippendorff")


if __name__ == "__main__":
    main()
