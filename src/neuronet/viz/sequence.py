"""What a recurrent network's hidden state does over one sequence: the input, every hidden unit
per step as a heat map, and the state's path through its two main directions (PCA)."""

import numpy as np

from neuronet.viz.backend import new_figure, save_png


def principal_path(states):
    """states (T, H) projected on their first two principal components: (T, 2) (zeros in the
    directions the states never vary in)."""
    centered = states - states.mean(axis=0)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    path = centered @ vt[:2].T
    return np.pad(path, ((0, 0), (0, 2 - path.shape[1])))


def plot_hidden_states(inputs, states, path, title=None, unit_range=(-1.0, 1.0)):
    """Save three panels for one sequence of T steps: the input (T,) or (T, F) per step, the
    hidden states (T, H) as a units-by-time heat map (colours spanning `unit_range`, tanh's
    range by default), and the state's trajectory in the plane of its two principal
    components, coloured by time. Returns `path`."""
    inputs, states = np.asarray(inputs), np.asarray(states)
    if states.ndim != 2 or len(states) < 2:
        raise ValueError(f"plot_hidden_states: expected states (T, H) with T >= 2, got shape "
                         f"{states.shape}")
    if inputs.ndim not in (1, 2) or len(inputs) != len(states):
        raise ValueError(f"plot_hidden_states: expected inputs (T,) or (T, F) with T = "
                         f"{len(states)} (one per state), got shape {inputs.shape}")
    steps = np.arange(len(states))
    fig = new_figure(figsize=(13, 4), layout="constrained")
    signal, heat, trajectory = fig.subplots(1, 3, width_ratios=(1, 1.3, 1))
    signal.plot(steps, inputs.reshape(len(steps), -1), marker=".")
    signal.set(title="input", xlabel="step")
    signal.grid(alpha=0.3)
    image = heat.imshow(states.T, aspect="auto", cmap="RdBu_r", vmin=unit_range[0],
                        vmax=unit_range[1], interpolation="nearest")
    heat.set(title=f"hidden state ({states.shape[1]} units)", xlabel="step", ylabel="unit")
    fig.colorbar(image, ax=heat)
    pc = principal_path(states)
    trajectory.plot(pc[:, 0], pc[:, 1], color="0.7", zorder=1)
    dots = trajectory.scatter(pc[:, 0], pc[:, 1], c=steps, cmap="viridis", zorder=2)
    trajectory.annotate("start", pc[0], textcoords="offset points", xytext=(5, 5))
    trajectory.annotate("end", pc[-1], textcoords="offset points", xytext=(5, 5))
    trajectory.set(title="trajectory (first two principal components)", xlabel="PC 1",
                   ylabel="PC 2")
    fig.colorbar(dots, ax=trajectory, label="step")
    if title:
        fig.suptitle(title)
    return save_png(fig, path)
