"""LeNet-5 (LeCun et al. 1998): two convolutions with pooling, then three fully connected
layers. 61,706 parameters for 1x32x32 input and 10 classes."""

from neuronet import nn
from neuronet.models.inputs import image_shape

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}
POOLINGS = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}


def _option(table, value, what):
    if value not in table:
        raise ValueError(f"LeNet5: {what} must be one of {sorted(table)}, got {value!r}")
    return table[value]


class LeNet5(nn.Module):
    """conv 5x5 (6) - pool 2 - conv 5x5 (16) - pool 2 - fc 120 - fc 84 - fc num_classes.

    x: (N, in_channels, 32, 32), or (N, in_channels, 28, 28) with padding=2 (the first
    convolution pads the image back to 32x32, so every later shape is the classic one)
    -> scores (N, num_classes).
    activation: 'relu' (default) or 'tanh' (the original's squashing); pooling: 'max'
    (default) or 'avg' (the original's subsampling, without its trainable scale).
    Keys: conv1, conv2, fc1, fc2, fc3 (as in PyTorch's tutorial LeNet).
    """

    def __init__(self, num_classes=10, in_channels=1, padding=0, activation="relu",
                 pooling="max"):
        super().__init__()
        act = _option(ACTIVATIONS, activation, "activation")
        pool = _option(POOLINGS, pooling, "pooling")
        self.in_channels, self.padding = in_channels, padding
        self.conv1 = nn.Conv2d(in_channels, 6, 5, padding=padding)
        self.act1 = act()
        self.pool1 = pool(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.act2 = act()
        self.pool2 = pool(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.act3 = act()
        self.fc2 = nn.Linear(120, 84)
        self.act4 = act()
        self.fc3 = nn.Linear(84, num_classes)

    def features(self, x):
        """The feature maps of both convolution stages: [(N, 6, 28, 28), (N, 16, 10, 10)]
        after each convolution's activation, for pictures of what the filters respond to."""
        side = 32 - 2 * self.padding
        if x.ndim != 4 or tuple(x.shape[1:]) != (self.in_channels, side, side):
            raise ValueError(f"LeNet5: expected input (N, {self.in_channels}, {side}, {side}) "
                             f"(padding={self.padding}), got shape {tuple(x.shape)}")
        first = self.act1(self.conv1(x))
        return [first, self.act2(self.conv2(self.pool1(first)))]

    def forward(self, x):
        x = self.act3(self.fc1(self.flatten(self.pool2(self.features(x)[1]))))
        return self.fc3(self.act4(self.fc2(x)))


def build_lenet5(input_shape, num_classes, activation="relu", pooling="max"):
    """Registry builder: square images of side 32 or less (padded to 32 by the first conv)."""
    channels, height, width = image_shape("lenet5", input_shape)
    if height != width or height > 32 or height % 2:
        raise ValueError(f"lenet5: needs square images of even side up to 32 (the first "
                         f"convolution pads them to 32x32), got {height}x{width}")
    return LeNet5(num_classes, channels, padding=(32 - height) // 2, activation=activation,
                  pooling=pooling)
