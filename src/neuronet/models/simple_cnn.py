"""SimpleCNN: a small VGG-style network with batch norm for small images such as
Fashion-MNIST (28x28)."""

from neuronet import nn
from neuronet.models.inputs import image_shape


class SimpleCNN(nn.Module):
    """Stages of (conv 3x3 - BatchNorm - ReLU) x convs_per_stage, then max-pool 2, with the
    widths in `channels`; then dropout, fc `hidden` + BatchNorm + ReLU, dropout, fc num_classes.

    x: (N, in_channels, H, W) with H, W = input_size -> scores (N, num_classes).
    With the defaults (28x28, channels (32, 64), one conv per stage) this is the
    "2 Conv + pooling + BN" net of the Fashion-MNIST benchmark table; 421,866 parameters.
    Keys: features.N... (the convolution stack), classifier.N... (as torchvision's VGG).
    """

    def __init__(self, num_classes=10, in_channels=1, input_size=(28, 28), channels=(32, 64),
                 convs_per_stage=1, hidden=128, dropout=0.25):
        super().__init__()
        height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
        if height >> len(channels) < 1 or width >> len(channels) < 1:
            raise ValueError(f"SimpleCNN: {len(channels)} pooling stages need inputs of at least "
                             f"{2 ** len(channels)}x{2 ** len(channels)}, got {height}x{width}")
        layers, previous = [], in_channels
        for width_out in channels:
            for _ in range(convs_per_stage):
                layers += [nn.Conv2d(previous, width_out, 3, padding=1, bias=False),
                           nn.BatchNorm2d(width_out), nn.ReLU()]
                previous = width_out
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        flat = previous * (height >> len(channels)) * (width >> len(channels))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(flat, hidden, bias=False),
            nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def build_simple_cnn(input_shape, num_classes, channels=(32, 64), convs_per_stage=1, hidden=128,
                     dropout=0.25):
    """Registry builder: any image shape with sides of at least 2 ** len(channels)."""
    in_channels, height, width = image_shape("simplecnn", input_shape, 2 ** len(channels))
    return SimpleCNN(num_classes, in_channels, (height, width), tuple(channels),
                     convs_per_stage, hidden, dropout)
