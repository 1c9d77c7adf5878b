"""CNN1D: a 1-D convolutional network for signals such as MNIST-1D (length 40)."""

from neuronet import nn


class CNN1D(nn.Module):
    """Stages of conv1d (kernel `kernel_size`, same padding) - BatchNorm - ReLU, a max-pool 2
    after every stage but the last, then global average pooling over time and fc num_classes.

    x: (N, in_channels, L), or (N, L) when in_channels is 1 -> scores (N, num_classes).
    Global pooling makes the read-out independent of L and of where along the signal a
    pattern appears (MNIST-1D shifts its digits). Keys: features.N..., fc.
    """

    def __init__(self, num_classes=10, in_channels=1, channels=(32, 64, 128), kernel_size=5):
        super().__init__()
        self.in_channels = in_channels
        layers, previous = [], in_channels
        for i, width in enumerate(channels):
            layers += [nn.Conv1d(previous, width, kernel_size, padding=kernel_size // 2,
                                 bias=False),
                       nn.BatchNorm1d(width), nn.ReLU()]
            if i < len(channels) - 1:
                layers.append(nn.MaxPool1d(2))
            previous = width
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(previous, num_classes)

    def forward(self, x):
        if x.ndim == 2 and self.in_channels == 1:
            x = x.unsqueeze(1)
        if x.ndim != 3 or x.shape[1] != self.in_channels:
            raise ValueError(f"CNN1D: expected input (N, {self.in_channels}, L)"
                             f"{' or (N, L)' if self.in_channels == 1 else ''}, got shape "
                             f"{tuple(x.shape)}")
        return self.fc(self.flatten(self.pool(self.features(x))))


def build_cnn1d(input_shape, num_classes, channels=(32, 64, 128), kernel_size=5):
    """Registry builder: signals (L,) (one channel) or (C, L)."""
    shape = tuple(input_shape)
    if len(shape) not in (1, 2):
        raise ValueError(f"cnn1d: needs signal inputs (L,) or (C, L), got input shape {shape}")
    return CNN1D(num_classes, shape[0] if len(shape) == 2 else 1, tuple(channels), kernel_size)
