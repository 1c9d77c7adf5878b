"""AlexNet (Krizhevsky et al. 2012) in torchvision's single-tower form: 61,100,840 parameters
for 3x224x224 input and 1000 classes."""

from neuronet import nn
from neuronet.models.inputs import image_shape

# The smallest image side whose three stride-2 poolings still leave one pixel.
MIN_SIZE = 63


class AlexNet(nn.Module):
    """features (5 convs, 3 max-pools) - adaptive avg-pool to pool_size x pool_size -
    classifier (dropout, fc hidden, ReLU, dropout, fc hidden, ReLU, fc num_classes).

    x: (N, in_channels, H, W), H and W >= 63 -> scores (N, num_classes).
    pool_size=6, hidden=4096 is torchvision's head; small images (63x63 reaches the pool as
    1x1) train better and faster with pool_size=1 and a narrower hidden.
    Keys as torchvision's: features.{0,3,6,8,10}, classifier.{1,4,6}.
    """

    def __init__(self, num_classes=1000, in_channels=3, dropout=0.5, pool_size=6, hidden=4096):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 64, 11, stride=4, padding=2), nn.ReLU(),
            nn.MaxPool2d(3, stride=2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(),
            nn.MaxPool2d(3, stride=2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((pool_size, pool_size))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * pool_size * pool_size, hidden), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def build_alexnet(input_shape, num_classes, dropout=0.5, pool_size=1, hidden=1024):
    """Registry builder: images of at least 63x63; by default with a light head."""
    channels, _, _ = image_shape("alexnet", input_shape, MIN_SIZE)
    return AlexNet(num_classes, channels, dropout, pool_size, hidden)
