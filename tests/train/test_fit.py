"""fit / evaluate / predict on real data (scikit-learn's handwritten digits)."""

import numpy as np
import pytest
from train_helpers import CE, adam, make_mlp, weights

import neuronet
from neuronet import optim
from neuronet.nn import functional as F
from neuronet.train import Callback, Trainer, evaluate, fit, metric_function, predict


def test_fit_learns_digits_and_records_history(digits, capsys):
    train, val = digits()
    model = make_mlp()
    history = fit(model, train, CE, adam(model), epochs=8, val_data=val,
                  metrics=("accuracy", "f1_macro"))
    assert history.epoch == list(range(1, 9))
    assert list(history.history) == ["loss", "accuracy", "f1_macro", "val_loss", "val_accuracy",
                                     "val_f1_macro", "lr"]
    assert all(len(v) == 8 for v in history.history.values())
    assert history.history["val_accuracy"][-1] >= 0.93  # chance is 0.1
    assert history.history["loss"][-1] < history.history["loss"][0] / 5
    assert history.history["lr"] == [1e-2] * 8
    # the recorded validation numbers are what evaluate() gives for the final model
    final = evaluate(model, val, CE, metrics=("accuracy", "f1_macro"))
    assert final == {"loss": history.history["val_loss"][-1],
                     "accuracy": history.history["val_accuracy"][-1],
                     "f1_macro": history.history["val_f1_macro"][-1]}
    out = capsys.readouterr().out
    assert "epoch 8/8" in out and "val_accuracy" in out


def test_evaluate_matches_sklearn_and_a_full_batch_loss(digits, digits_arrays):
    metrics = pytest.importorskip("sklearn.metrics")
    train, val = digits()
    model = make_mlp()
    fit(model, train, CE, adam(model), epochs=2, progress=False)
    scores = predict(model, val)
    y = np.concatenate([t.data for _, t in val])
    assert scores.shape == (len(y), 10) and scores.dtype == np.float32
    result = evaluate(model, val, CE, metrics=("accuracy", "top3", "f1_macro", "recall_weighted"))
    labels = scores.argmax(1)
    assert result["accuracy"] == pytest.approx(metrics.accuracy_score(y, labels), abs=1e-12)
    assert result["top3"] == pytest.approx(metrics.top_k_accuracy_score(y, scores, k=3), abs=1e-12)
    assert result["f1_macro"] == pytest.approx(metrics.f1_score(y, labels, average="macro"),
                                               abs=1e-12)
    assert result["recall_weighted"] == pytest.approx(
        metrics.recall_score(y, labels, average="weighted"), abs=1e-12)
    # the sample-weighted mean of the per-batch losses is the loss over all samples at once
    full = F.cross_entropy(neuronet.from_numpy(scores), neuronet.from_numpy(y)).item()
    assert result["loss"] == pytest.approx(full, rel=1e-6)


def test_evaluate_uses_eval_mode_and_restores_the_mode(digits):
    _, val = digits()
    model = make_mlp(dropout=0.5)
    first = evaluate(model, val, CE)
    assert model.training  # restored
    assert evaluate(model, val, CE) == first  # dropout off: deterministic
    model.eval()
    evaluate(model, val)
    assert not model.training
    assert not any(p.grad is not None for p in model.parameters())


def test_predict_takes_inputs_only_batches_and_arrays():
    model = make_mlp((4, 3))
    x = np.random.default_rng(0).random((7, 4), dtype=np.float32)
    scores = predict(model, [x[:5], x[5:]])
    np.testing.assert_array_equal(scores, model(neuronet.from_numpy(x)).data)
    with pytest.raises(ValueError, match="predict: data gave no batches"):
        predict(model, [])


def test_callable_metrics_and_unknown_names():
    def worst_class_recall(y_true, scores):
        return 0.0

    assert Trainer(make_mlp(), CE, adam(make_mlp()), metrics=[worst_class_recall]).metric_fns
    with pytest.raises(ValueError, match="unknown metric 'acc'.*accuracy.*top<k>"):
        metric_function("acc")
    with pytest.raises(TypeError, match="a metric must be a name or a callable"):
        Trainer(make_mlp(), CE, adam(make_mlp()), metrics=[3])


def test_callback_hooks_run_in_order_and_can_stop_training(digits):
    train, _ = digits(n_train=96)
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            calls.append("begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(("epoch", epoch))

        def on_batch_end(self, batch, logs=None):
            calls.append(("batch", batch, logs["size"]))

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("end", epoch, sorted(logs)))
            self.trainer.stop_training = epoch == 1

        def on_train_end(self, logs=None):
            calls.append("done")

    model = make_mlp()
    history = fit(model, train, CE, adam(model), epochs=5, callbacks=[Recorder()],
                  progress=False)
    epoch_calls = []
    for epoch in (0, 1):
        epoch_calls += [("epoch", epoch), *[("batch", b, 32) for b in range(3)],
                        ("end", epoch, ["accuracy", "loss", "lr"])]
    assert calls == ["begin", *epoch_calls, "done"]
    assert len(history) == 2


def test_grad_clip_bounds_every_gradient_norm(digits):
    train, _ = digits(n_train=256)
    norms = {}

    class Norms(Callback):
        def on_batch_end(self, batch, logs=None):
            grads = [p.grad.data for p in self.trainer.model.parameters()]
            norms.setdefault(self.name, []).append(np.sqrt(sum((g**2).sum() for g in grads)))

    for clip in (None, 0.05):
        spy = Norms()
        spy.name = clip
        model = make_mlp()
        fit(model, train, CE, optim.SGD(model.parameters(), lr=0.1), epochs=1, grad_clip=clip,
            callbacks=[spy], progress=False)
    assert max(norms[None]) > 0.05
    assert max(norms[0.05]) <= 0.05 * (1 + 1e-5)


def test_continuing_a_history_appends_to_it(digits):
    train, _ = digits(n_train=64)
    model = make_mlp()
    opt = adam(model)
    history = fit(model, train, CE, opt, epochs=2, progress=False)
    again = fit(model, train, CE, opt, epochs=4, start_epoch=2, history=history, progress=False)
    assert again is history and history.epoch == [1, 2, 3, 4]


def test_fit_with_zero_remaining_epochs_changes_nothing(digits):
    train, _ = digits(n_train=64)
    model = make_mlp()
    before = weights(model)
    assert len(fit(model, train, CE, adam(model), epochs=3, start_epoch=3, progress=False)) == 0
    assert all(np.array_equal(before[k], v) for k, v in weights(model).items())


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": -1}, ValueError, "epochs must be an integer >= 0"),
    ({"epochs": 2.5}, ValueError, "epochs must be an integer >= 0"),
    ({"start_epoch": 4}, ValueError, r"start_epoch \(4\) is beyond epochs \(3\)"),
    ({"grad_clip": 0}, ValueError, "grad_clip must be a positive number"),
    ({"loss_fn": "ce"}, TypeError, "loss_fn must be callable"),
    ({"optimizer": None}, TypeError, "optimizer must be a neuronet.optim optimizer"),
    ({"callbacks": [print]}, TypeError, "callbacks must be Callback instances"),
    ({"history": {}}, TypeError, "history must be a History"),
    ({"train_data": [(np.zeros((2, 64), np.float32),)]}, TypeError,
     "each batch must be a pair \\(inputs, targets\\), got tuple of length 1"),
    ({"train_data": []}, ValueError, "train_data gave no batches"),
])
def test_bad_arguments_are_explained(kwargs, error, message):
    model = make_mlp()
    args = {"model": model, "train_data": [(np.zeros((2, 64), np.float32), np.zeros(2, np.int64))],
            "loss_fn": CE, "optimizer": adam(model), "epochs": 3, "progress": False, **kwargs}
    with pytest.raises(error, match=message):
        fit(**args)


def test_two_schedulers_are_refused():
    from neuronet.train import LearningRateScheduler

    model = make_mlp()
    opt = adam(model)
    step = optim.lr_scheduler.StepLR(opt, 1)
    with pytest.raises(ValueError, match="at most one learning-rate scheduler"):
        Trainer(model, CE, opt, scheduler=step, callbacks=[LearningRateScheduler(step)])


def test_progress_bar_shows_running_loss_and_metrics(digits, capsys, monkeypatch):
    from neuronet.train import loop

    monkeypatch.setattr(loop, "_REFRESH_SECONDS", -1.0)  # refresh at every batch
    train, _ = digits(n_train=96)
    model = make_mlp()
    fit(model, train, CE, adam(model), epochs=1, metrics=("accuracy", "top3"))
    captured = capsys.readouterr()
    assert "epoch 1/1" in captured.err and "batch/s" in captured.err
    assert "loss=" in captured.err and "top3=" in captured.err
    assert captured.out.startswith("epoch 1/1  loss ") and "top3 " in captured.out
