"""VGG (Simonyan & Zisserman 2014): stacks of 3x3 convolutions, with or without batch norm,
as torchvision builds them (VGG-16: 138,357,544 parameters for 3x224x224 and 1000 classes).

    vgg16(num_classes=10)            VGG("D", batch_norm=False, ...)
    vgg11_bn(in_channels=1)          VGG("A", batch_norm=True, ...)
"""

from neuronet import nn
from neuronet.models.inputs import image_shape

# Output widths of the 3x3 convolutions; "M" is a 2x2 max-pool. Named as in the paper.
CONFIGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}
DEPTHS = {11: "A", 13: "B", 16: "D", 19: "E"}
# Five 2x2 poolings: smaller images would reach a zero-sized feature map.
MIN_SIZE = 32


def make_layers(config, batch_norm, in_channels=3):
    """The `features` stack of a config: conv 3x3 (pad 1) [+ BatchNorm] + ReLU per width,
    MaxPool2d(2) per "M"."""
    layers = []
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, item, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(item))
        layers.append(nn.ReLU())
        in_channels = item
    return nn.Sequential(*layers)


class VGG(nn.Module):
    """features - adaptive avg-pool to pool_size x pool_size - classifier (fc hidden, ReLU,
    dropout, fc hidden, ReLU, dropout, fc num_classes).

    config: "A", "B", "D" or "E" (VGG-11/13/16/19) or a list as in CONFIGS.
    x: (N, in_channels, H, W), H and W >= 32 -> scores (N, num_classes).
    pool_size=7, hidden=4096 is torchvision's head (102M of VGG-16's 138M parameters are in its
    first fc); on small images (32x32 reaches the pool as 1x1) pool_size=1, hidden=512 is the
    usual lighter head.
    Initialized as torchvision: convs kaiming-normal (fan_out, ReLU) with zero bias, batch
    norm 1/0, linear layers N(0, 0.01) with zero bias. Keys: features.N..., classifier.N...
    """

    def __init__(self, config="D", batch_norm=False, num_classes=1000, in_channels=3,
                 dropout=0.5, pool_size=7, hidden=4096):
        super().__init__()
        if isinstance(config, str):
            if config not in CONFIGS:
                raise ValueError(f"VGG: config must be one of {sorted(CONFIGS)} or a list of "
                                 f"widths and 'M', got {config!r}")
            config = CONFIGS[config]
        self.features = make_layers(config, batch_norm, in_channels)
        self.avgpool = nn.AdaptiveAvgPool2d((pool_size, pool_size))
        widths = [w for w in config if w != "M"]
        self.classifier = nn.Sequential(
            nn.Linear(widths[-1] * pool_size * pool_size, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, num_classes),
        )
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0, 0.01)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def vgg_parameter_count(depth, batch_norm=False, num_classes=1000, in_channels=3, pool_size=7,
                        hidden=4096):
    """The parameter count of VGG-`depth` worked out from CONFIGS without building it (the full
    VGG-16 holds 550 MB of float32 weights and takes a minute to initialize here)."""
    total, previous = 0, in_channels
    for width in (w for w in CONFIGS[DEPTHS[depth]] if w != "M"):
        total += 9 * previous * width + width + (2 * width if batch_norm else 0)
        previous = width
    widths = [previous * pool_size * pool_size, hidden, hidden, num_classes]
    return total + sum(a * b + b for a, b in zip(widths, widths[1:]))


def _vgg(depth, batch_norm):
    def build(num_classes=1000, in_channels=3, dropout=0.5, pool_size=7, hidden=4096):
        return VGG(DEPTHS[depth], batch_norm, num_classes, in_channels, dropout, pool_size,
                   hidden)

    build.__name__ = f"vgg{depth}{'_bn' if batch_norm else ''}"
    build.__qualname__ = build.__name__
    build.__doc__ = (f"VGG-{depth}{' with batch norm' if batch_norm else ''} "
                     f"(config {DEPTHS[depth]!r}).")
    return build


vgg11, vgg11_bn = _vgg(11, False), _vgg(11, True)
vgg13, vgg13_bn = _vgg(13, False), _vgg(13, True)
vgg16, vgg16_bn = _vgg(16, False), _vgg(16, True)
vgg19, vgg19_bn = _vgg(19, False), _vgg(19, True)


def vgg_builder(depth, batch_norm):
    """Registry builder for VGG-`depth` [+ BN]: images of at least 32x32; by default with the
    light small-image head (pool_size=1, hidden=512)."""
    name = f"vgg{depth}{'_bn' if batch_norm else ''}"

    def build(input_shape, num_classes, dropout=0.5, pool_size=1, hidden=512):
        channels, _, _ = image_shape(name, input_shape, MIN_SIZE)
        return VGG(DEPTHS[depth], batch_norm, num_classes, channels, dropout, pool_size, hidden)

    return build
