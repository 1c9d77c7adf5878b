"""Timing shared by the benchmarks: alternate the sides, keep each side's best time."""

import time


def best_of(fns, repeats):
    """Alternate the functions `repeats` times; the best wall time of each (on a shared, noisy
    machine the best time is the one least disturbed by other work)."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best
