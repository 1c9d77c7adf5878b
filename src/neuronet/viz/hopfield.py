"""The Hopfield capacity curve as PNG: the share of stored patterns recalled against the load."""

import numpy as np

from neuronet.viz.backend import new_figure, save_png

AMIT_CAPACITY = 0.138  # Hebbian recall breaks down near P = 0.138 N (Amit, Gutfreund, Sompolinsky)


def plot_capacity(loads, rates, path, n_neurons=None, title=None):
    """Save the recall rate against the load P/N to `path`.

    loads: (L,) loads P/N; rates: {rule name: (L,) shares of patterns recalled}, one line each.
    """
    loads = np.asarray(loads, dtype=np.float64)
    if loads.ndim != 1 or not rates or any(np.shape(r) != loads.shape for r in rates.values()):
        raise ValueError(f"plot_capacity: needs (L,) loads and an (L,) rate array per rule, got "
                         f"loads {loads.shape} and rates "
                         f"{ {k: np.shape(v) for k, v in rates.items()} }")
    fig = new_figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for rule, rate in rates.items():
        ax.plot(loads, rate, "o-", label=rule)
    ax.axvline(AMIT_CAPACITY, color="grey", ls="--", label=f"{AMIT_CAPACITY} N (Amit et al.)")
    ax.set_xlabel("stored patterns / neurons (P/N)")
    ax.set_ylabel("share of patterns recalled")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(title or "Hopfield capacity" + (f", N = {n_neurons}" if n_neurons else ""))
    ax.legend()
    return save_png(fig, path)
