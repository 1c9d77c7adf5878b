"""Stopping weak trials early: the median stopping rule, made independent of trial order.

A trial that takes a `report` argument calls `report(epoch, score)` after each epoch with its
validation score (the search's metric) so far:

    def train_and_score(params, seed, report):
        for epoch in range(1, epochs + 1):
            train_one_epoch(...)
            report(epoch, validation_accuracy())   # raises TrialPruned for a weak trial
        return {"val_accuracy": validation_accuracy()}

`MedianStopping(after=2, startup=5)` stops a trial at an epoch >= `after` when its score is
worse than the median score of the reference trials at that same epoch. The reference is
fixed before a trial starts, so a trial's fate does not depend on which trials happened to
finish first (or on the number of workers): in a round, the first `startup` trials (fewer when
earlier rounds already give that many finished trials) run to the end; their curves, and
those of the finished trials of earlier rounds, are the reference for the rest of the round.
A stopped trial is recorded with status 'pruned' and the last score it reported.
"""

import numbers
import statistics


class TrialPruned(Exception):
    """Raised by `report` to stop a weak trial; the runner records the trial as pruned."""


class MedianStopping:
    """The median stopping rule (Golovin et al. 2017, Google Vizier).

    after: the first epoch at which a trial may be stopped (the earlier ones are a warm-up:
    scores of barely trained networks say little). startup: the number of trials that run in
    full, before any is stopped, to form the reference.
    """

    def __init__(self, after=1, startup=5):
        for name, value in (("after", after), ("startup", startup)):
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"MedianStopping: {name} must be a positive integer, got "
                                 f"{value!r}")
        self.after, self.startup = int(after), int(startup)

    def thresholds(self, curves):
        """{epoch: median score at that epoch} over the reference `curves` (each a list of
        [epoch, score] pairs), for the epochs >= after that some curve reached."""
        by_epoch = {}
        for curve in curves:
            for epoch, score in curve:
                if epoch >= self.after:
                    by_epoch.setdefault(epoch, []).append(score)
        return {epoch: statistics.median(scores) for epoch, scores in by_epoch.items()}

    def __repr__(self):
        return f"MedianStopping(after={self.after}, startup={self.startup})"


class Reporter:
    """The `report(epoch, score)` callable handed to one trial: it keeps the learning curve
    and raises TrialPruned when the score is worse than the threshold of that epoch."""

    def __init__(self, thresholds=None, mode="max", metric="val_accuracy"):
        self.thresholds, self.mode, self.metric = thresholds or {}, mode, metric
        self.curve = []

    def __call__(self, epoch, score):
        if not isinstance(epoch, numbers.Integral) or isinstance(epoch, bool) or epoch < 1:
            raise ValueError(f"report: epoch must be a positive integer, got {epoch!r}")
        score = float(score)
        self.curve.append([int(epoch), score])
        limit = self.thresholds.get(int(epoch))
        if limit is not None and (score < limit if self.mode == "max" else score > limit):
            raise TrialPruned(f"stopped after epoch {epoch}: {self.metric} {score:.4g} is worse "
                              f"than the median {limit:.4g} of the reference trials")
