"""ResNet (He et al. 2015) as torchvision builds it: ResNet-18/34 with basic blocks, ResNet-50
with bottleneck blocks (stride on the 3x3 conv, "v1.5"), 1x1 projection shortcuts where the
shape changes. ResNet-18: 11,689,512 parameters, ResNet-50: 25,557,032 (3x224x224, 1000
classes)."""

from neuronet import nn
from neuronet.models.inputs import image_shape


def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, 1, stride=stride, bias=False)


class ResidualBlock(nn.Module):
    """relu(residual(x) + shortcut(x)); subclasses build the residual branch."""

    def residual(self, x):
        raise NotImplementedError

    def last_bn(self):
        """The batch norm closing the residual branch (zero_init_residual zeroes its scale)."""
        raise NotImplementedError

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(self.residual(x) + shortcut)


class BasicBlock(ResidualBlock):
    """conv3x3 (stride) - BN - ReLU - conv3x3 - BN, plus the shortcut, then ReLU.

    x: (N, inplanes, H, W) -> (N, planes, H / stride, W / stride). downsample: the projection
    (conv1x1 + BN) applied to x when the shapes differ, else None (identity shortcut)."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def residual(self, x):
        return self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))

    def last_bn(self):
        return self.bn2


class Bottleneck(ResidualBlock):
    """conv1x1 - BN - ReLU - conv3x3 (stride) - BN - ReLU - conv1x1 (4 x planes) - BN, plus the
    shortcut, then ReLU. x: (N, inplanes, H, W) -> (N, 4 * planes, H / stride, W / stride)."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv1x1(inplanes, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU()
        self.downsample = downsample

    def residual(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        return self.bn3(self.conv3(self.relu(self.bn2(self.conv2(out)))))

    def last_bn(self):
        return self.bn3


def make_stage(block, inplanes, planes, blocks, stride=1):
    """`blocks` blocks (N, inplanes, H, W) -> (N, planes * expansion, H / stride, W / stride);
    the first one strides, with a projection shortcut (conv1x1 + BN) when the shape changes."""
    out = planes * block.expansion
    downsample = None
    if stride != 1 or inplanes != out:
        downsample = nn.Sequential(conv1x1(inplanes, out, stride), nn.BatchNorm2d(out))
    return nn.Sequential(block(inplanes, planes, stride, downsample),
                         *(block(out, planes) for _ in range(1, blocks)))


class ResNet(nn.Module):
    """conv 7x7/2 - BN - ReLU - max-pool 3x3/2 - layer1..layer4 (64, 128, 256, 512 planes,
    stride 1, 2, 2, 2) - global average pool - fc num_classes.

    block: BasicBlock or Bottleneck; layers: blocks per stage, e.g. [2, 2, 2, 2] for ResNet-18.
    x: (N, in_channels, H, W) -> scores (N, num_classes); any H, W >= 1 (28x28 reaches layer4
    as 1x1). Initialized as torchvision: convs kaiming-normal (fan_out, ReLU), BN 1/0;
    zero_init_residual starts each block's last BN at 0 (each block starts as the identity).
    Keys: conv1, bn1, layer1.0.conv1, layer2.0.downsample.0/1, fc (torchvision's).
    """

    def __init__(self, block, layers, num_classes=1000, in_channels=3, zero_init_residual=False):
        super().__init__()
        e = block.expansion
        self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = make_stage(block, 64, 64, layers[0])
        self.layer2 = make_stage(block, 64 * e, 128, layers[1], stride=2)
        self.layer3 = make_stage(block, 128 * e, 256, layers[2], stride=2)
        self.layer4 = make_stage(block, 256 * e, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * e, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        if zero_init_residual:
            for module in self.modules():
                if isinstance(module, ResidualBlock):
                    nn.init.zeros_(module.last_bn().weight)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


# depth -> (block, blocks per stage), as in the paper's table 1
DEPTHS = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]),
          50: (Bottleneck, [3, 4, 6, 3])}


def resnet18(num_classes=1000, in_channels=3, zero_init_residual=False):
    return ResNet(*DEPTHS[18], num_classes, in_channels, zero_init_residual)


def resnet34(num_classes=1000, in_channels=3, zero_init_residual=False):
    return ResNet(*DEPTHS[34], num_classes, in_channels, zero_init_residual)


def resnet50(num_classes=1000, in_channels=3, zero_init_residual=False):
    return ResNet(*DEPTHS[50], num_classes, in_channels, zero_init_residual)


def resnet_builder(depth):
    """Registry builder for ResNet-`depth`: any image shape."""

    def build(input_shape, num_classes, zero_init_residual=False):
        channels, _, _ = image_shape(f"resnet{depth}", input_shape)
        return ResNet(*DEPTHS[depth], num_classes, channels, zero_init_residual)

    return build
