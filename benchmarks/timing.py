"""Timing shared by the benchmarks: alternate the sides, keep each side's best time."""

import time


def best_of(fns, repeats, clock=time.perf_counter):
    """Alternate the functions `repeats` times; the best time of each by `clock` (wall time by
    default; on a shared, noisy machine the best time is the one least disturbed by other
    work)."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = clock()
            fn()
            best[i] = min(best[i], clock() - start)
    return best


def profile(fn):
    """Print a pyinstrument profile of one call of `fn` (pyinstrument is in the dev extra)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    fn()
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
