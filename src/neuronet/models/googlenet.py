"""GoogLeNet (Szegedy et al. 2014, Inception v1) as torchvision builds it: every convolution is
conv (no bias) + BatchNorm + ReLU; 6,624,904 parameters for 3x224x224 input and 1000 classes
without the auxiliary classifiers (13,004,888 with them)."""

import collections

from neuronet import nn
from neuronet.models.inputs import image_shape
from neuronet.ops.shape import cat

# The training-mode output with auxiliary heads, as torchvision's (main scores first).
GoogLeNetOutputs = collections.namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2",
                                                               "aux_logits1"])


class BasicConv2d(nn.Module):
    """conv (bias=False) - BatchNorm (eps 1e-3) - ReLU. Keys: conv, bn."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                              padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """Four parallel branches concatenated on channels: 1x1; 1x1 bottleneck then 3x3; 1x1
    bottleneck then a second 3x3 (torchvision's choice where the paper has 5x5, kept so that
    its weights load); 3x3 max-pool then 1x1 projection.

    x: (N, in_channels, H, W) -> (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W).
    """

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, 1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, ch3x3red, 1),
                                     BasicConv2d(ch3x3red, ch3x3, 3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, ch5x5red, 1),
                                     BasicConv2d(ch5x5red, ch5x5, 3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv2d(in_channels, pool_proj, 1))

    def forward(self, x):
        return cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    """Auxiliary classifier: adaptive avg-pool to 4x4 - 1x1 conv (128) - fc 1024 - ReLU -
    dropout 0.7 - fc num_classes. x: (N, in_channels, H, W) -> (N, num_classes)."""

    def __init__(self, in_channels, num_classes, dropout=0.7):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d((4, 4))
        self.conv = BasicConv2d(in_channels, 128, 1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, num_classes)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = self.conv(self.pool(x)).flatten(1)
        return self.fc2(self.dropout(self.relu(self.fc1(x))))


# (in, 1x1, 3x3 reduce, 3x3, "5x5" reduce, "5x5", pool proj) per module: the paper's table 1
INCEPTIONS = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


class GoogLeNet(nn.Module):
    """conv 7x7/2 - pool - conv 1x1 - conv 3x3 - pool - inception 3a, 3b - pool - 4a..4e -
    pool - 5a, 5b - global average pool - dropout - fc num_classes (pools: 3x3/2, ceil mode).

    x: (N, in_channels, H, W) -> scores (N, num_classes); any H, W >= 1.
    aux_logits: add the two auxiliary classifiers (after 4a and 4d); in training mode forward
    then returns GoogLeNetOutputs(logits, aux_logits2, aux_logits1) - the paper trains on
    loss(logits) + 0.3 * (loss(aux_logits1) + loss(aux_logits2)); in eval mode, the scores.
    Initialized as torchvision: conv and linear weights N(0, 0.01) (torchvision truncates at
    +-2, i.e. 200 standard deviations: never), BN 1/0.
    Keys as torchvision's: conv1.conv, conv1.bn, inception3a.branch2.1.conv, aux1.fc1, fc.
    """

    def __init__(self, num_classes=1000, in_channels=3, aux_logits=False, dropout=0.2,
                 dropout_aux=0.7):
        super().__init__()
        self.aux_logits = aux_logits
        self.conv1 = BasicConv2d(in_channels, 64, 7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, 1)
        self.conv3 = BasicConv2d(64, 192, 3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = Inception(*INCEPTIONS["inception3a"])
        self.inception3b = Inception(*INCEPTIONS["inception3b"])
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = Inception(*INCEPTIONS["inception4a"])
        self.inception4b = Inception(*INCEPTIONS["inception4b"])
        self.inception4c = Inception(*INCEPTIONS["inception4c"])
        self.inception4d = Inception(*INCEPTIONS["inception4d"])
        self.inception4e = Inception(*INCEPTIONS["inception4e"])
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = Inception(*INCEPTIONS["inception5a"])
        self.inception5b = Inception(*INCEPTIONS["inception5b"])
        if aux_logits:
            self.aux1 = InceptionAux(512, num_classes, dropout_aux)
            self.aux2 = InceptionAux(528, num_classes, dropout_aux)
        else:
            self.aux1 = self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(1024, num_classes)
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(module.weight, 0.0, 0.01)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        x = self.maxpool2(self.conv3(self.conv2(self.maxpool1(self.conv1(x)))))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.inception5b(self.inception5a(self.maxpool4(self.inception4e(x))))
        logits = self.fc(self.dropout(self.avgpool(x).flatten(1)))
        return GoogLeNetOutputs(logits, aux2, aux1) if aux1 is not None else logits


def build_googlenet(input_shape, num_classes, dropout=0.2):
    """Registry builder: any image shape, without the auxiliary heads (the training loop takes
    one output)."""
    channels, _, _ = image_shape("googlenet", input_shape)
    return GoogLeNet(num_classes, channels, aux_logits=False, dropout=dropout)
