"""The perceptron learns AND, OR and NOT but not XOR; a two-layer net trained by backprop does.

    python examples/classic_perceptron.py [--seed 0]

Prints, for each gate, whether Rosenblatt's rule converged, in how many epochs, and the
learned truth table; then the pocket perceptron's best effort on XOR (3 of 4 right at most);
then a 2-4-1 network (neuronet.nn, tanh hidden layer) trained with Adam solving XOR.
"""

import argparse
import warnings

import numpy as np

import neuronet
from neuronet import nn, optim
from neuronet.classic import ConvergenceWarning, Perceptron

BITS2 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {
    "AND": (BITS2, [0, 0, 0, 1]),
    "OR": (BITS2, [0, 1, 1, 1]),
    "NOT": (np.array([[0], [1]]), [1, 0]),
    "XOR": (BITS2, [0, 1, 1, 0]),
}


def perceptron_gates(seed):
    for name, (X, y) in GATES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            p = Perceptron(max_iter=100, random_state=seed).fit(X, y)
        verdict = f"converged in {p.n_iter_} epochs" if p.converged_ else \
            f"did NOT converge in {p.n_iter_} epochs"
        print(f"{name:4s} {verdict:32s} outputs {p.predict(X).tolist()} (target {y})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pocket = Perceptron(max_iter=100, pocket=True, random_state=seed).fit(*GATES["XOR"])
    print(f"pocket perceptron on XOR: accuracy {pocket.score(*GATES['XOR']):.2f} (best a line "
          "can do: 0.75)")


def mlp_xor(seed, steps=500):
    neuronet.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = optim.Adam(net.parameters(), lr=0.05)
    x = neuronet.from_numpy(BITS2.astype(np.float32))
    t = neuronet.from_numpy(np.array([[0], [1], [1], [0]], dtype=np.float32))
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(steps):
        loss = loss_fn(net(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    out = (net(x).data[:, 0] > 0).astype(int)
    print(f"2-4-1 MLP (backprop) on XOR after {steps} Adam steps: loss {loss.item():.4f}, "
          f"outputs {out.tolist()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    perceptron_gates(args.seed)
    mlp_xor(args.seed)


if __name__ == "__main__":
    main()
