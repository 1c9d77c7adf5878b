"""Watch a recurrent network read a sequence: train a GRU (or LSTM / plain RNN) on MNIST-1D,
then draw its hidden state over one test signal, step by step.

    python examples/rnn_hidden_states.py [--kind gru] [--epochs 10] [--index 0]
                                         [--out rnn_hidden_states.png]

The picture has three panels: the 40-step input signal, every hidden unit per step as a heat
map (most units settle into a code for the digit as the signal goes by), and the path of the
hidden state through its two principal directions, from the zero state to the final state
that the linear read-out classifies.
"""

import argparse

import numpy as np
from rnn_classifier import train

from neuronet import no_grad
from neuronet.creation import from_numpy
from neuronet.data.datasets.mnist1d import MNIST1D
from neuronet.viz import plot_hidden_states


def hidden_states(model, signal):
    """The hidden states (T, H) of `model.rnn` (the top layer's h) over one signal (T,)."""
    model.eval()
    with no_grad():
        outputs, _ = model.rnn(from_numpy(signal[None, :, None]))
        score = model(from_numpy(signal[None]))
    return outputs.data[0], int(score.data.argmax())


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--kind", choices=["gru", "lstm", "rnn"], default="gru")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--index", type=int, default=0, help="which test signal to draw")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="rnn_hidden_states.png")
    args = parser.parse_args()
    model, result, _ = train("mnist1d", args.kind, epochs=args.epochs, seed=args.seed)
    test = MNIST1D(train=False)
    signal, label = test.data[args.index], int(test.targets[args.index])
    states, predicted = hidden_states(model, signal.astype(np.float32))
    title = (f"{args.kind.upper()} (test accuracy {result['test_accuracy']:.3f}) reading MNIST-1D "
             f"test signal {args.index}: digit {label}, predicted {predicted}")
    print(f"wrote {plot_hidden_states(signal, states, args.out, title=title)}")


if __name__ == "__main__":
    main()
