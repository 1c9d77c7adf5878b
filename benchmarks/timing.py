"""Timing shared by the benchmarks: alternate the sides, keep each side's best time."""

import time


def best_of(fns, repeats, clock=time.perf_counter):
    """Alternate the functions `repeats` times; the best time of each by `clock` (wall time by
    default; on a shared, noisy machine the best time is the one least disturbed by other
    work).

    Each timed call follows an untimed call of the same function. Without it, every call
    would start right after the other framework's, whose threads are still spinning: after
    a product OpenBLAS's threads busy-wait for a while, and torch measured up to twice as
    slow right after neuronet as in a run of its own (LeNet-5: 170-190 against 87 ms per 10
    steps), which made the ratios look better than they are.
    """
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            fn()  # settle: the other side's threads stop spinning, ours are warm
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
