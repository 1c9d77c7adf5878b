"""Checkpoints: contents without pickle, atomic replacement, bit-exact resume, clear errors,
and the last good checkpoint when a NaN/Inf stops training."""

import json
import os

import numpy as np
import pytest
import safetensors.numpy
from train_helpers import CE, adam, make_mlp, weights

import neuronet
from neuronet import optim
from neuronet.io import CorruptFileError
from neuronet.nn.modules.module import StateDictError
from neuronet.train import (
    CheckpointError,
    History,
    ModelCheckpoint,
    TrainingDivergedError,
    fit,
    load_checkpoint,
    save_checkpoint,
)
from neuronet.train import checkpoint as ckpt
from oracle import needs_torch


def trained(digits, epochs=2):
    """(model, optimizer, scheduler, loader, history) after a short real training run."""
    train, _ = digits(n_train=128)
    model = make_mlp(dropout=0.2)
    opt = adam(model)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    history = fit(model, train, CE, opt, epochs=epochs, scheduler=sched, progress=False)
    return model, opt, sched, train, history


def test_checkpoint_files_hold_everything_without_pickle(digits, tmp_path):
    model, opt, sched, train, history = trained(digits)
    folder = save_checkpoint(tmp_path / "ck", model, opt, sched, epoch=2, history=history,
                             config={"sizes": [64, 32, 10]}, extra={"note": "hi"}, loader=train)
    assert sorted(os.listdir(folder)) == ["checkpoint.json", "history.json", "model.safetensors",
                                          "optimizer.json", "optimizer.npz", "scheduler.json"]
    assert os.listdir(tmp_path) == ["ck"]  # no temporary folder left
    stored = safetensors.numpy.load_file(folder / "model.safetensors")
    assert sorted(stored) == sorted(model.state_dict())
    assert all(np.array_equal(stored[k], v) for k, v in weights(model).items())
    with np.load(folder / "optimizer.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    saved_state = opt.state_dict()["state"]
    assert sorted(arrays) == sorted(f"state.{i}.{name}" for i in saved_state
                                    for name in ("exp_avg", "exp_avg_sq"))
    assert np.array_equal(arrays["state.0.exp_avg"], saved_state[0]["exp_avg"])
    structure = json.loads((folder / "optimizer.json").read_text())
    assert structure["state"]["0"]["step"] == saved_state[0]["step"]
    assert json.loads((folder / "scheduler.json").read_text()) == sched.state_dict()
    manifest = json.loads((folder / "checkpoint.json").read_text())
    assert manifest["epoch"] == 2 and manifest["config"] == {"sizes": [64, 32, 10]}
    assert manifest["rng"]["global"] == neuronet.get_rng_state()
    assert manifest["rng"]["loader"] == train.generator.bit_generator.state
    assert History.from_json(folder / "history.json") == history
    for path in folder.iterdir():
        assert b"\x80\x04" not in path.read_bytes()[:2]  # no pickle protocol header


def test_checkpoint_weights_load_into_the_torch_twin(digits, tmp_path):
    torch = needs_torch()
    from safetensors.torch import load_file

    model, opt, sched, train, history = trained(digits, epochs=1)
    save_checkpoint(tmp_path, model, epoch=1)
    twin = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(),
                               torch.nn.Dropout(0.2), torch.nn.Linear(32, 10))
    twin.load_state_dict(load_file(tmp_path / "model.safetensors"))
    assert np.array_equal(twin[4].weight.detach().numpy(), model.state_dict()["4.weight"].data)


def test_load_restores_model_optimizer_scheduler_and_rng(digits, tmp_path):
    model, opt, sched, train, history = trained(digits)
    save_checkpoint(tmp_path, model, opt, sched, epoch=2, history=history, loader=train,
                    config={"a": 1})
    expected_global = neuronet.get_rng_state()
    neuronet.manual_seed(99)
    fresh = make_mlp(dropout=0.2, seed=5)
    fresh_opt = adam(fresh, lr=0.3)
    fresh_sched = optim.lr_scheduler.StepLR(fresh_opt, step_size=1, gamma=0.5)
    fresh_loader, _ = digits(n_train=128, generator=42)
    info = load_checkpoint(tmp_path, fresh, fresh_opt, fresh_sched, loader=fresh_loader)
    assert (info["epoch"], info["config"], info["history"]) == (2, {"a": 1}, history)
    assert all(np.array_equal(weights(fresh)[k], v) for k, v in weights(model).items())
    assert fresh_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"] == 0.01 * 0.25
    assert fresh_sched.state_dict() == sched.state_dict()
    ours, theirs = fresh_opt.state_dict(), opt.state_dict()
    assert ours["param_groups"] == theirs["param_groups"]
    for i, state in theirs["state"].items():
        assert state["step"] == ours["state"][i]["step"]
        assert np.array_equal(state["exp_avg_sq"], ours["state"][i]["exp_avg_sq"])
    assert neuronet.get_rng_state() == expected_global
    assert fresh_loader.generator.bit_generator.state == train.generator.bit_generator.state


def resume_run(digits, folder, stop_at, epochs, num_workers, own_generator, restore_rng=True):
    """Final weights and history of a run that (if stop_at) checkpoints at epoch `stop_at`
    and continues from the checkpoint in fresh objects (restoring the RNG states or not)."""

    def build(seed):
        model = make_mlp((64, 48, 10), dropout=0.3, seed=seed)
        opt = optim.AdamW(model.parameters(), lr=5e-3)
        sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
        train, val = digits(n_train=200, num_workers=num_workers,
                            generator=7 if own_generator else None)
        return model, opt, sched, train, val

    model, opt, sched, train, val = build(seed=0)
    history = fit(model, train, CE, opt, epochs=stop_at or epochs, val_data=val, scheduler=sched,
                  callbacks=[ModelCheckpoint(folder)], progress=False)
    if stop_at:
        neuronet.manual_seed(1234)  # whatever happened to the global generator in between
        model, opt, sched, train, val = build(seed=3)
        info = load_checkpoint(folder / "last", model, opt, sched,
                               loader=train if restore_rng else None, restore_rng=restore_rng)
        history = fit(model, train, CE, opt, epochs=epochs, val_data=val, scheduler=sched,
                      start_epoch=info["epoch"], history=info["history"], progress=False)
    return weights(model), history


@pytest.mark.parametrize("num_workers, own_generator", [(0, True), (2, False)])
def test_resume_is_bit_identical_to_an_uninterrupted_run(digits, tmp_path, num_workers,
                                                         own_generator):
    whole, whole_history = resume_run(digits, tmp_path / "a", None, 5, num_workers,
                                      own_generator)
    resumed, resumed_history = resume_run(digits, tmp_path / "b", 2, 5, num_workers,
                                          own_generator)
    for key, value in whole.items():
        assert np.array_equal(value, resumed[key]), key
    assert resumed_history == whole_history


def test_resume_without_the_rng_states_differs(digits, tmp_path):
    """The bit-exact test above can fail: without the RNG states the runs part ways."""
    whole, _ = resume_run(digits, tmp_path / "a", None, 3, 0, True)
    resumed, _ = resume_run(digits, tmp_path / "b", 1, 3, 0, True, restore_rng=False)
    assert not np.array_equal(whole["1.weight"], resumed["1.weight"])


# ----- atomicity ------------------------------------------------------------------------------
def saved_pair(digits, tmp_path):
    """A checkpoint at tmp_path/ck of a trained model, and a differently trained model."""
    model, opt, sched, train, history = trained(digits, epochs=1)
    save_checkpoint(tmp_path / "ck", model, opt, sched, epoch=1, history=history)
    newer = make_mlp(dropout=0.2, seed=8)
    return model, newer, opt, sched


def assert_loads_as(folder, model):
    fresh = make_mlp(dropout=0.2, seed=9)
    assert load_checkpoint(folder, fresh)["epoch"] == 1
    assert all(np.array_equal(weights(fresh)[k], v) for k, v in weights(model).items())


def test_a_crash_while_writing_files_keeps_the_previous_checkpoint(digits, tmp_path,
                                                                    monkeypatch):
    model, newer, opt, sched = saved_pair(digits, tmp_path)
    real_write = ckpt.write_bytes

    def crash_on_optimizer(path, data):
        if path.name == "optimizer.npz":
            real_write(path, data[: len(data) // 2])  # half written, then the power goes
            raise OSError("simulated crash")
        real_write(path, data)

    monkeypatch.setattr(ckpt, "write_bytes", crash_on_optimizer)
    with pytest.raises(OSError, match="simulated crash"):
        save_checkpoint(tmp_path / "ck", newer, opt, sched, epoch=2)
    assert os.listdir(tmp_path) == ["ck"]
    assert_loads_as(tmp_path / "ck", model)


def test_a_crash_between_the_renames_is_recovered_on_load(digits, tmp_path, monkeypatch):
    model, newer, opt, sched = saved_pair(digits, tmp_path)
    real_rename = os.rename
    calls = []

    def die_after_first_rename(src, dst):
        calls.append((src, dst))
        if len(calls) > 1:  # the switch-in, and the in-process undo, both "never happen"
            raise KeyboardInterrupt("simulated crash")
        real_rename(src, dst)

    monkeypatch.setattr(ckpt.os, "rename", die_after_first_rename)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(tmp_path / "ck", newer, opt, sched, epoch=2)
    monkeypatch.setattr(ckpt.os, "rename", real_rename)
    assert not (tmp_path / "ck").exists()  # the state a real crash would leave
    assert_loads_as(tmp_path / "ck", model)
    assert os.listdir(tmp_path) == ["ck"]


def test_an_interrupted_save_is_undone_in_process(digits, tmp_path, monkeypatch):
    model, newer, opt, sched = saved_pair(digits, tmp_path)
    real_rename = os.rename
    calls = []

    def fail_second_rename(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        real_rename(src, dst)

    monkeypatch.setattr(ckpt.os, "rename", fail_second_rename)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(tmp_path / "ck", newer, opt, sched, epoch=2)
    assert os.listdir(tmp_path) == ["ck"]
    assert_loads_as(tmp_path / "ck", model)


def test_saving_again_replaces_the_checkpoint(digits, tmp_path):
    model, newer, opt, sched = saved_pair(digits, tmp_path)
    save_checkpoint(tmp_path / "ck", newer, epoch=1)
    assert_loads_as(tmp_path / "ck", newer)
    assert os.listdir(tmp_path) == ["ck"]


def test_a_folder_that_is_not_a_checkpoint_is_never_replaced(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("precious")
    with pytest.raises(CheckpointError, match="exists and is not a checkpoint; refusing"):
        save_checkpoint(tmp_path / "run", make_mlp(), epoch=0)
    assert (tmp_path / "run" / "notes.txt").read_text() == "precious"
    (tmp_path / "empty").mkdir()
    save_checkpoint(tmp_path / "empty", make_mlp(), epoch=0)  # an empty folder is fine
    assert load_checkpoint(tmp_path / "empty", make_mlp())["epoch"] == 0


# ----- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes, message", [
    ((64, 16, 10), r"shape mismatch: 1\.weight: expected shape \(16, 64\), got \(32, 64\)"),
    ((64, 32, 32, 10), r"missing keys: 5\.weight, 5\.bias"),
    ((64, 10), r"unexpected keys: 3\.bias, 3\.weight"),
])
def test_a_different_architecture_lists_the_mismatched_keys(tmp_path, sizes, message):
    save_checkpoint(tmp_path, make_mlp((64, 32, 10)), epoch=0)
    other = make_mlp(sizes)
    before = weights(other)
    with pytest.raises(StateDictError, match=message) as info:
        load_checkpoint(tmp_path, other)
    assert str(tmp_path) in "".join(info.value.__notes__)
    assert all(np.array_equal(before[k], v) for k, v in weights(other).items())


@pytest.mark.parametrize("name", ["model.safetensors", "optimizer.npz", "optimizer.json",
                                  "history.json"])
@pytest.mark.parametrize("damage, message", [("truncate", "truncated or damaged"),
                                             ("flip", "corrupted: its SHA-256 differs")])
def test_a_damaged_file_is_named(digits, tmp_path, name, damage, message):
    model, opt, sched, train, history = trained(digits, epochs=1)
    save_checkpoint(tmp_path, model, opt, epoch=1, history=history)
    path = tmp_path / name
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        del data[len(data) // 2:]
    else:
        data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match=f"{name}: {message}"):
        load_checkpoint(tmp_path, make_mlp(dropout=0.2), adam(make_mlp()))


def test_incomplete_or_foreign_folders_are_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint folder at"):
        load_checkpoint(tmp_path / "nothing", make_mlp())
    save_checkpoint(tmp_path / "a", make_mlp(), epoch=0)
    (tmp_path / "a" / "checkpoint.json").unlink()
    with pytest.raises(CheckpointError, match="no checkpoint.json.*save never finished"):
        load_checkpoint(tmp_path / "a", make_mlp())
    save_checkpoint(tmp_path / "b", make_mlp(), epoch=0)
    (tmp_path / "b" / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="model.safetensors, listed in checkpoint.json, is"):
        load_checkpoint(tmp_path / "b", make_mlp())
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "checkpoint.json").write_text('{"format": "other"}')
    with pytest.raises(CheckpointError, match="not a neuronet checkpoint manifest"):
        load_checkpoint(tmp_path / "c", make_mlp())
    (tmp_path / "c" / "checkpoint.json").write_text('{"format": "neu')
    with pytest.raises(CorruptFileError, match="checkpoint.json: not valid JSON"):
        load_checkpoint(tmp_path / "c", make_mlp())


def test_asking_for_state_the_checkpoint_lacks_is_explained(digits, tmp_path):
    model = make_mlp()
    save_checkpoint(tmp_path, model, epoch=0)
    with pytest.raises(CheckpointError, match="holds no optimizer state"):
        load_checkpoint(tmp_path, model, adam(model))
    opt = adam(model)
    with pytest.raises(CheckpointError, match="holds no scheduler state"):
        load_checkpoint(tmp_path, model, scheduler=optim.lr_scheduler.StepLR(opt, 1))
    train, _ = digits(generator=3)
    with pytest.raises(CheckpointError, match="has its own generator but none was saved"):
        load_checkpoint(tmp_path, model, loader=train)
    save_checkpoint(tmp_path, model, epoch=0, loader=train)
    global_loader, _ = digits(generator=None)
    with pytest.raises(CheckpointError, match="has no generator of its own but one was saved"):
        load_checkpoint(tmp_path, model, loader=global_loader)


# ----- divergence -----------------------------------------------------------------------------
def poisoned_loss(epoch, step, how):
    """Cross-entropy, but at (epoch, step) (from 1) the loss or its gradient goes bad."""
    seen = []

    def loss_fn(outputs, targets):
        seen.append(None)
        loss = CE(outputs, targets)
        if len(seen) != (epoch - 1) * 4 + step:  # 4 batches per epoch
            return loss
        if how == "nan":
            return loss * float("nan")
        if how == "grad":  # sqrt at 0: the value is finite, its gradient is not
            return loss + neuronet.sqrt(outputs * 0.0).sum()
        return loss + neuronet.log(outputs * 0.0 - 1.0).mean()  # "op": NaN inside an op

    return loss_fn


@pytest.mark.parametrize("how, reason", [
    ("nan", "the loss is nan"),
    ("grad", "the gradient of '1.weight' holds NaN or Inf"),
])
def test_divergence_stops_with_epoch_and_step_after_saving_the_last_good_state(
        digits, tmp_path, how, reason):
    train, _ = digits(n_train=128)
    model = make_mlp()
    spy = []

    class Snapshot(ModelCheckpoint):  # remembers the weights before each step
        def on_batch_end(self, batch, logs=None):
            spy.append(weights(self.trainer.model))

    with np.errstate(all="ignore"), pytest.raises(TrainingDivergedError,
                                                  match=f"epoch 2, step 3: {reason}") as info:
        fit(model, train, poisoned_loss(2, 3, how), adam(model), epochs=3,
            callbacks=[Snapshot(tmp_path)], progress=False)
    error = info.value
    assert (error.epoch, error.step) == (2, 3) and error.checkpoint == tmp_path / "last_good"
    assert f"last good checkpoint saved to {tmp_path / 'last_good'}" in str(error)
    assert "detect_anomaly" in str(error)
    good = weights(model)
    assert all(np.array_equal(good[k], spy[-1][k]) for k in good)  # the failing step not applied
    assert all(np.isfinite(v).all() for v in good.values())
    fresh = make_mlp(seed=4)
    info = load_checkpoint(tmp_path / "last_good", fresh, adam(fresh))
    assert info["epoch"] == 1 and info["extra"]["diverged"]["step"] == 3
    assert all(np.array_equal(weights(fresh)[k], v) for k, v in good.items())
    assert load_checkpoint(tmp_path / "last", make_mlp())["epoch"] == 1  # the epoch-1 one
    assert load_checkpoint(tmp_path / "best", make_mlp())["extra"] == {
        "loss": info["history"].history["loss"][0]}  # monitor=None: "loss" without val data


def test_with_anomaly_detection_the_op_is_named(digits):
    train, _ = digits(n_train=128)
    model = make_mlp()
    with np.errstate(invalid="ignore"), neuronet.autograd.detect_anomaly():
        with pytest.raises(TrainingDivergedError, match="epoch 1, step 2: anomaly detected: "
                                                        "Log produced NaN") as info:
            fit(model, train, poisoned_loss(1, 2, "op"), adam(model), epochs=1, progress=False)
    assert isinstance(info.value.__cause__, FloatingPointError)
    assert "detect_anomaly" not in str(info.value) and info.value.checkpoint is None


def test_divergence_undoes_batch_norm_statistics_of_the_failing_step():
    from neuronet import nn

    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    x = np.random.default_rng(0).random((8, 3), dtype=np.float32)
    bad = x.copy()
    bad[0, 0] = np.nan
    data = [(x, np.zeros(8, np.int64)), (bad, np.zeros(8, np.int64))]
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 2"):
        fit(model, data, CE, adam(model), epochs=1, progress=False)
    stats = model.state_dict()
    assert np.isfinite(stats["1.running_mean"].data).all()
    assert stats["1.num_batches_tracked"].item() == 1


def test_divergence_stops_the_loader_worker_threads(digits):
    import threading

    train, _ = digits(n_train=128, num_workers=2, batch_size=8)
    model = make_mlp()
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 2"):
        fit(model, train, poisoned_loss(1, 2, "nan"), adam(model), epochs=1, progress=False)
    assert not [t for t in threading.enumerate() if t.name.startswith("neuronet-DataLoader")]
