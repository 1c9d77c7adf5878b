"""What a search found: trials ranked by their validation score, a table, a scatter plot."""

from neuronet.search.runner import read_results


class SearchResult:
    """The trial records of a search.

    Each record: {"round", "trial", "params", "seed", "status" ("ok", "failed" or "pruned":
    stopped early as weak), "scores" (dict; of a pruned trial: its last reported score),
    "error" (None or text: why it failed or was stopped), "time" (seconds), and with a
    pruner "curve" ([epoch, score] pairs as reported)}. Only "ok" trials are ranked.
    metric: the score that ranks trials; mode: 'max' (accuracy) or 'min' (loss).
    """

    def __init__(self, records, metric="val_accuracy", mode="max"):
        self.records = list(records)
        self.metric, self.mode = metric, mode
        self.spaces = None

    @classmethod
    def load(cls, path, metric="val_accuracy", mode="max"):
        """The results of a search from its JSON-lines file."""
        return cls(read_results(path), metric, mode)

    @property
    def failed(self):
        return [r for r in self.records if r["status"] == "failed"]

    @property
    def pruned(self):
        return [r for r in self.records if r["status"] == "pruned"]

    def ranked(self):
        """Successful trials, best first (ties keep the order in which trials were run)."""
        ok = [r for r in self.records if r["status"] == "ok"]
        sign = -1 if self.mode == "max" else 1
        return sorted(ok, key=lambda r: sign * r["scores"][self.metric])

    def best(self):
        ranked = self.ranked()
        if not ranked:
            raise ValueError(f"search: no successful trial among {len(self.records)} "
                             f"({len(self.failed)} failed, {len(self.pruned)} pruned)")
        return ranked[0]

    def best_params(self):
        return dict(self.best()["params"])

    def table(self, top=None):
        """A text table: rank, validation score, time, hyperparameters; then the trials
        stopped early (their last reported score) and the failed ones."""
        rows = self.ranked()[:top] if top else self.ranked()
        names = sorted({name for r in self.records for name in r["params"]})
        header = ["rank", self.metric, "time s", "round", "trial", *names]
        lines = [[str(i), f"{r['scores'][self.metric]:.4f}", f"{r['time']:.1f}",
                  str(r["round"]), str(r["trial"]), *(_fmt(r["params"].get(n)) for n in names)]
                 for i, r in enumerate(rows, 1)]
        lines += [["pruned", f"{r['scores'][self.metric]:.4f}", f"{r['time']:.1f}",
                   str(r["round"]), str(r["trial"]), *(_fmt(r["params"].get(n)) for n in names)]
                  for r in self.pruned]
        lines += [["-", "failed", f"{r['time']:.1f}", str(r["round"]), str(r["trial"]),
                   *(_fmt(r["params"].get(n)) for n in names)] for r in self.failed]
        widths = [max(len(row[c]) for row in [header, *lines]) for c in range(len(header))]
        text = [" ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True))
                for row in [header, *lines]]
        if self.pruned:
            text.append(f"{len(self.pruned)} stopped early as weak (pruned)")
        if self.failed:
            text.append(f"{len(self.failed)} failed: " + "; ".join(
                f"trial {r['round']}/{r['trial']}: {r['error']}" for r in self.failed))
        return "\n".join(text)

    def scatter(self, x, y, path, *, log=True):
        """Save a PNG: each successful trial at (params[x], params[y]), coloured by the score.

        log: logarithmic axes (right for learning rate and weight decay). Failed trials are
        drawn as grey crosses, trials stopped early as hollow grey circles. Needs matplotlib
        (neuronet.viz.PlotsUnavailable otherwise).
        """
        from neuronet.viz.backend import new_figure, save_png

        ok = self.ranked()
        fig = new_figure(figsize=(6, 4.5))
        ax = fig.add_subplot()
        points = ax.scatter([r["params"][x] for r in ok], [r["params"][y] for r in ok],
                            c=[r["scores"][self.metric] for r in ok], cmap="viridis", s=40)
        fig.colorbar(points, ax=ax, label=self.metric)
        if self.pruned:
            ax.scatter([r["params"][x] for r in self.pruned],
                       [r["params"][y] for r in self.pruned], s=40, facecolors="none",
                       edgecolors="grey", label="stopped early")
        if self.failed:
            ax.scatter([r["params"][x] for r in self.failed],
                       [r["params"][y] for r in self.failed], marker="x", c="grey",
                       label="failed")
        if self.failed or self.pruned:
            ax.legend()
        if ok:
            best = ok[0]["params"]
            ax.scatter([best[x]], [best[y]], s=200, facecolors="none", edgecolors="red")
        if log:
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(f"{self.metric} by trial ({len(ok)} ok, {len(self.pruned)} stopped early, "
                     f"{len(self.failed)} failed)")
        fig.tight_layout()
        return save_png(fig, path)


def _fmt(value):
    if isinstance(value, float) and value != 0 and not 1e-3 <= abs(value) < 1e4:
        return f"{value:.3g}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
