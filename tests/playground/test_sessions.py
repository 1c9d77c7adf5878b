"""The sessions without the HTTP layer: each kind trains, reports JSON-ready state, applies
parameters live or rebuilds, refuses bad actions, and the store frees idle sessions."""

import base64
import json

import numpy as np
import pytest

from neuronet.classic import Hopfield
from neuronet.playground import planar
from neuronet.playground.network import NetworkSession
from neuronet.playground.params import ParamError
from neuronet.playground.sessions import KINDS, SessionStore, TooManySessions, UnknownSession


def decode_map(text):
    """planar.encode_map's base64 codes -> values in [-1, 1]."""
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8) / 127.5 - 1


def as_json(state):
    return json.loads(json.dumps(state, allow_nan=False))  # what the server sends, or fails


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_reports_plain_json_before_and_after_work(kind):
    store = SessionStore()
    session = store.create(kind, {})
    if kind == "hopfield":
        session.act("random_patterns", {"count": 2})
    before = as_json(session.state())
    session.act("step", {"steps": 5})
    after = as_json(session.state(with_data=False))
    assert before["kind"] == after["kind"] == kind
    assert after["version"] > before["version"] and after["config"] == before["config"]
    assert kind == "hopfield" or ("data" in before and "data" not in after)


def test_network_learns_xor_and_reports_every_neuron():
    session = NetworkSession("a", {"dataset": "xor", "hidden": [4, 3], "optimizer": "adam"})
    first = session.state()["loss"]["train"]
    session.act("step", {"steps": 1000})
    state = session.state()
    assert first > 0.5 and state["loss"]["train"] < 0.1 and state["loss"]["test"] < 0.15
    assert state["step"] == 1000 and len(state["history"]) == 2
    maps = state["neurons"]["maps"]
    assert [len(column) for column in maps] == [2, 4, 3, 1]
    size = state["neurons"]["size"]
    assert all(len(decode_map(m)) == size * size for column in maps for m in column)
    assert [np.shape(w) for w in state["weights"]] == [(4, 2), (3, 4), (1, 3)]
    assert [np.shape(g) for g in state["gradients"]] == [(4, 2), (3, 4), (1, 3)]
    boundary = decode_map(state["boundary"]["values"])
    assert boundary.size == state["boundary"]["size"] ** 2
    # the boundary agrees with the net's own predictions on the training points
    grid = planar.grid(state["boundary"]["size"])
    x, y = session.train_xy
    cell = np.argmin(((x[:, None, :] - grid[None]) ** 2).sum(-1), axis=1)
    assert np.mean((boundary[cell] > 0) == y) > 0.9


def test_network_features_layers_and_extras_change_the_net():
    session = NetworkSession("a", {})
    session.configure({"features": ["x1", "x2", "x1x2", "sin(x1)"], "hidden": [3],
                       "batchnorm": True, "dropout": 0.2, "optimizer": "adam", "init": "he",
                       "activation": "relu", "regularization": "l1", "reg_rate": 0.01})
    session.act("step", {"steps": 20})
    state = session.state()
    assert [np.shape(w) for w in state["weights"]] == [(3, 4), (1, 3)]
    assert [len(column) for column in state["neurons"]["maps"]] == [4, 3, 1]
    assert np.isfinite(state["loss"]["train"])


def test_live_parameters_keep_the_net_and_others_rebuild_it():
    session = NetworkSession("a", {})
    session.act("step", {"steps": 30})
    session.configure({"learning_rate": 0.3, "reg_rate": 0.1})
    assert session.step_count == 30 and session.optimizer.param_groups[0]["lr"] == 0.3
    data_version = session.data_version
    session.configure({"hidden": [5]})
    assert session.step_count == 0 and session.data_version == data_version + 1


def test_a_diverging_network_stops_with_a_message():
    session = NetworkSession("a", {"learning_rate": 10.0, "activation": "linear",
                                   "hidden": [8, 8, 8, 8, 8, 8], "init": "normal"})
    session.act("play", {})
    with pytest.raises(ParamError, match="lower the learning rate"):
        for _ in range(200):
            session.advance_frame(0.01)
    assert not session.playing
    as_json(session.state())  # what diverged is still sent without NaN


def test_checks_across_parameters():
    with pytest.raises(ParamError, match="batch norm needs batch_size >= 2"):
        NetworkSession("a", {"batchnorm": True, "batch_size": 1})
    session = NetworkSession("a", {})
    with pytest.raises(ParamError):
        session.configure({"batchnorm": True, "batch_size": 1})
    assert not session.config["batchnorm"]  # a refused change changes nothing


@pytest.mark.parametrize("name, args, says", [
    ("fly", {}, "unknown action 'fly'; the actions are: play, pause"),
    ("step", {"steps": 0}, "step: steps must be an integer in [1, 1000]"),
    ("step", {"stride": 1}, "unknown parameter 'stride'"),
    (None, {}, "unknown action None"),
])
def test_bad_actions(name, args, says):
    with pytest.raises(ParamError, match=says.replace("[", r"\[").replace("]", r"\]")):
        NetworkSession("a", {}).act(name, args)


def test_perceptron_converges_on_separable_data_and_not_on_xor():
    store = SessionStore()
    separable = store.create("perceptron", {"dataset": "gauss"})
    separable.act("step", {"steps": 10000})
    assert separable.state()["finished"] == "converged" and separable.state()["wrong_now"] == 0
    xor = store.create("perceptron", {"dataset": "xor", "max_epochs": 20})
    xor.act("step", {"steps": 10000})
    state = xor.state()
    assert state["finished"] == "max_epochs" and len(state["errors"]) == 20
    assert min(state["errors"]) > 0


def test_hopfield_recalls_a_stored_pattern_and_the_energy_never_rises():
    session = SessionStore().create("hopfield", {"side": 8, "seed": 3})
    with pytest.raises(ParamError, match="store at least one pattern"):
        session.act("play", {})
    session.act("random_patterns", {"count": 3})
    stored = session.patterns[1].astype(int).tolist()
    session.act("set_state", {"pattern": stored})
    session.act("noise", {"fraction": 0.15})
    assert session.state()["overlaps"][1] < 1
    session.act("step", {"steps": 64 * 5})
    state = session.state()
    assert state["settled"] and state["state"] == stored
    energies = np.array(state["energies"])
    assert np.all(np.diff(energies) <= 1e-9)
    # each step is Hopfield.update_unit: the same net reached by fit gives the same energy
    assert Hopfield().fit(session.patterns).energy(np.array(stored)) == pytest.approx(
        state["energy"])
    with pytest.raises(ParamError, match="64 values, each -1 or 1"):
        session.act("store", {"pattern": [1] * 63})


def test_som_unfolds_over_the_data():
    session = SessionStore().create("som", {"rows": 6, "columns": 6, "n_iter": 1500})
    start = session.state()["quantization_error"]
    tangled = session.som.topographic_error(session.points)  # started from random samples
    session.act("step", {"steps": 2000})
    state = session.state()
    assert state["finished"] and state["step"] == 1500
    assert state["quantization_error"] < 0.9 * start
    assert tangled > 0.5 and session.som.topographic_error(session.points) < 0.05
    assert len(state["weights"]) == 36 and len(state["links"]) == 2 * 6 * 5


def test_the_store_frees_idle_sessions_and_refuses_beyond_its_size():
    store = SessionStore(idle_timeout=10, max_sessions=2)
    a = store.create("network", {})
    b = store.create("perceptron", {})
    with pytest.raises(TooManySessions, match="2 sessions are open"):
        store.create("som", {})
    a.last_seen -= 11
    assert store.sweep() == 1 and a.closed and not b.closed
    with pytest.raises(UnknownSession, match="freed after 10 s idle"):
        store.get(a.id)
    assert store.create("som", {}).KIND == "som"
    with pytest.raises(ParamError, match="unknown session kind 'mlp'"):
        store.create("mlp", {})
