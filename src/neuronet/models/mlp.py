"""A multilayer perceptron: Linear layers with an activation between them."""

from neuronet import nn


class MLP(nn.Sequential):
    """Fully connected net, e.g. MLP([784, 256, 128, 10]) = 784-256-128-10 with ReLU.

    sizes: layer widths, input first, output last (at least two).
    activation: module class put after every layer but the last (no activation on the output:
    the scores go straight to a loss such as cross_entropy).
    dropout: probability of a Dropout after each hidden activation (0 = none).
    Input (N, sizes[0]) or (N, ...) which is flattened; output (N, sizes[-1]).
    State-dict keys match torch's nn.Sequential of the same layers ("1.weight", "1.bias", ...),
    counting the leading Flatten as layer 0.
    """

    def __init__(self, sizes, activation=None, dropout=0.0):
        sizes = list(sizes)
        if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
            raise ValueError(f"MLP: sizes must be at least two positive integers, got {sizes}")
        activation = activation or nn.ReLU
        layers = [nn.Flatten()]
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(activation())
                if dropout:
                    layers.append(nn.Dropout(dropout))
        super().__init__(*layers)
        self.sizes = sizes
