"""The deep belief network: a stack of RBMs trained greedily, then fine-tuned by backprop.

Pretraining fits RBM 1 to the data, RBM 2 to RBM 1's hidden probabilities, and so on
(Hinton, Osindero & Teh 2006). For classification the stack becomes an `nn.Sequential` of
`nn.Linear` + `nn.Sigmoid` pairs whose weights are the RBMs' (an RBM's `components_` (H, D) is
exactly an `nn.Linear(D, H).weight`), topped by a fresh `nn.Linear` to the classes, and the
whole network is trained with cross-entropy. Generation samples the top RBM by Gibbs sampling
and propagates the sample down through the lower RBMs' visible conditionals.
"""

import numpy as np

from neuronet import nn, optim
from neuronet.classic.base import ClassicModel, Classifier, check_array, check_fitted, check_targets
from neuronet.classic.rbm import BernoulliRBM
from neuronet.creation import from_numpy
from neuronet.data import DataLoader, TensorDataset
from neuronet.random import get_generator
from neuronet.train import fit as train_fit
from neuronet.train import predict as train_predict

_RBM_STATE = ("components_", "intercept_hidden_", "intercept_visible_", "h_samples_")


def stack_to_sequential(rbms, n_outputs=None):
    """nn.Sequential(Linear, Sigmoid, ...) with each RBM's weights and hidden biases copied in,
    plus a freshly initialized Linear(H_top, n_outputs) when n_outputs is given."""
    layers = []
    for rbm in rbms:
        n_hidden, n_visible = rbm.components_.shape
        linear = nn.Linear(n_visible, n_hidden)
        linear.weight.data = rbm.components_.astype(np.float32)
        linear.bias.data = rbm.intercept_hidden_.astype(np.float32)
        layers += [linear, nn.Sigmoid()]
    if n_outputs is not None:
        layers.append(nn.Linear(rbms[-1].components_.shape[0], n_outputs))
    return nn.Sequential(*layers)


class DBN(Classifier, ClassicModel):
    """A deep belief network classifier and generator.

    hidden_layer_sizes: units of each RBM, bottom first. RBM settings (shared by all layers):
    learning_rate, batch_size, n_iter (epochs per layer), k, persistent, momentum,
    weight_decay. Fine-tuning: finetune_epochs (0 = pretraining only), finetune_lr (Adam),
    finetune_batch_size. random_state: int seed or Generator.

    fit(X, y=None): X (N, D) in [0, 1]; with y, also fine-tunes a classifier. Learned: rbms_
    (the BernoulliRBM stack), classes_ and classifier_ (an nn.Sequential) when y was given.
    """


    def __init__(self, hidden_layer_sizes=(256, 128), learning_rate=0.05, batch_size=32,
                 n_iter=5, k=1, persistent=False, momentum=0.5, weight_decay=0.0,
                 finetune_epochs=5, finetune_lr=3e-3, finetune_batch_size=32,
                 random_state=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.finetune_epochs = finetune_epochs
        self.finetune_lr = finetune_lr
        self.finetune_batch_size = finetune_batch_size
        self.random_state = random_state

    def _new_rbm(self, n_hidden, gen):
        return BernoulliRBM(n_components=n_hidden, learning_rate=self.learning_rate,
                            batch_size=self.batch_size, n_iter=self.n_iter, k=self.k,
                            persistent=self.persistent, momentum=self.momentum,
                            weight_decay=self.weight_decay, random_state=gen)

    def _check_sizes(self):
        sizes = list(self.hidden_layer_sizes)
        if not sizes or any(int(s) != s or s < 1 for s in sizes):
            raise ValueError(f"DBN: hidden_layer_sizes must be one or more positive ints, got "
                             f"{self.hidden_layer_sizes!r}")
        return [int(s) for s in sizes]

    def pretrain(self, X):
        """Greedy layer-wise RBM training on X (N, D); returns self."""
        sizes = self._check_sizes()
        X = check_array("DBN", X)
        if X.min() < 0 or X.max() > 1:  # a BernoulliRBM only warns; a DBN is ours: refuse
            raise ValueError(f"DBN: visible values must lie in [0, 1] (the bottom RBM's "
                             f"Bernoulli units), got values in [{X.min()}, {X.max()}]")
        gen = get_generator(self.random_state)
        self.rbms_ = []
        inputs = X
        for n_hidden in sizes:
            rbm = self._new_rbm(n_hidden, gen).fit(inputs)
            self.rbms_.append(rbm)
            inputs = rbm.transform(inputs)
        self._fitted = True
        return self

    def fit(self, X, y=None):
        """Pretrain on X; with labels y (N,), fine-tune the stack as a classifier."""
        self.pretrain(X)
        if y is not None:
            self.finetune(X, y)
        return self

    def finetune(self, X, y):
        """Backprop through the pretrained stack plus a softmax layer; returns self."""
        check_fitted(self)
        X = check_array("DBN", X, n_features=self.n_features_in_).astype(np.float32)
        self.classes_, targets = check_targets("DBN", y, len(X))
        targets = targets.astype(np.int64)
        self.classifier_ = stack_to_sequential(self.rbms_, len(self.classes_))
        seed = int(get_generator(self.random_state).integers(2**31))
        loader = DataLoader(TensorDataset(X, targets), batch_size=self.finetune_batch_size,
                            shuffle=True, generator=seed)
        train_fit(self.classifier_, loader, nn.CrossEntropyLoss(),
                  optim.Adam(self.classifier_.parameters(), lr=self.finetune_lr),
                  epochs=self.finetune_epochs, progress=False)
        return self

    @property
    def n_features_in_(self):
        check_fitted(self)
        return self.rbms_[0].components_.shape[1]

    def transform(self, X):
        """X: (N, D) -> (N, H_top) top-layer hidden probabilities of the pretrained stack."""
        check_fitted(self)
        for rbm in self.rbms_:
            X = rbm.transform(X)
        return X

    def _check_classifier(self):
        check_fitted(self)
        if getattr(self, "classifier_", None) is None:
            raise RuntimeError("DBN: no classifier; call fit(X, y) with labels first")

    def predict_proba(self, X):
        """X: (N, D) -> (N, n_classes) softmax probabilities of the fine-tuned classifier."""
        self._check_classifier()
        X = check_array("DBN", X, n_features=self.n_features_in_).astype(np.float32)
        scores = train_predict(self.classifier_, DataLoader(X, batch_size=1024))
        scores = np.exp(scores - scores.max(1, keepdims=True))
        return scores / scores.sum(1, keepdims=True)

    def predict(self, X):
        best = np.argmax(self.predict_proba(X), axis=1)
        return self.classes_[best]

    def generate(self, n_samples, gibbs_steps=200, generator=None):
        """Sample the top RBM by Gibbs sampling and pass the sample down the stack.

        Returns (n_samples, D): visible probabilities of the bottom layer (binary samples when
        the DBN has a single RBM).
        """
        check_fitted(self)
        gen = get_generator(generator)
        h = self.rbms_[-1].sample(n_samples, steps=gibbs_steps, generator=gen)
        for rbm in reversed(self.rbms_[:-1]):
            h = rbm._visible_probs(h)
        return h

    # --- save/load: every RBM's arrays and the classifier's state_dict ----------------------

    def _state_arrays(self):
        arrays = {f"rbm{i}.{k}": getattr(rbm, k)
                  for i, rbm in enumerate(self.rbms_) for k in _RBM_STATE}
        if getattr(self, "classifier_", None) is not None:
            arrays["classes_"] = self.classes_
            for key, value in self.classifier_.state_dict().items():
                arrays[f"classifier.{key}"] = np.asarray(getattr(value, "data", value))
        return arrays

    def _load_state_arrays(self, arrays, where):
        gen = get_generator(None)
        self.rbms_ = []
        for i, n_hidden in enumerate(self._check_sizes()):
            missing = [k for k in _RBM_STATE if f"rbm{i}.{k}" not in arrays]
            if missing:
                raise ValueError(f"{where} lacks arrays {[f'rbm{i}.{k}' for k in missing]}")
            rbm = self._new_rbm(n_hidden, gen)
            for k in _RBM_STATE:
                setattr(rbm, k, arrays[f"rbm{i}.{k}"])
            rbm._fitted, rbm.history_ = True, []
            self.rbms_.append(rbm)
        self.classifier_ = None
        if "classes_" in arrays:
            self.classes_ = arrays["classes_"]
            self.classifier_ = stack_to_sequential(self.rbms_, len(self.classes_))
            state = {k[len("classifier."):]: from_numpy(v) for k, v in arrays.items()
                     if k.startswith("classifier.")}
            self.classifier_.load_state_dict(state)
