"""The model zoo: ready-made networks built from `neuronet.nn` layers."""

from neuronet.models.alexnet import AlexNet
from neuronet.models.autoencoder import Autoencoder, DenoisingAutoencoder
from neuronet.models.charlm import CharLM
from neuronet.models.cnn1d import CNN1D
from neuronet.models.googlenet import GoogLeNet
from neuronet.models.lenet import LeNet5
from neuronet.models.mlp import MLP
from neuronet.models.resnet import ResNet, resnet18, resnet34, resnet50
from neuronet.models.rnn import SequenceClassifier
from neuronet.models.simple_cnn import SimpleCNN
from neuronet.models.vgg import (
    VGG,
    vgg11,
    vgg11_bn,
    vgg13,
    vgg13_bn,
    vgg16,
    vgg16_bn,
    vgg19,
    vgg19_bn,
)

__all__ = ["MLP", "SequenceClassifier", "Autoencoder", "DenoisingAutoencoder",
           "LeNet5", "AlexNet", "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16",
           "vgg16_bn", "vgg19", "vgg19_bn", "ResNet", "resnet18", "resnet34", "resnet50",
           "GoogLeNet", "SimpleCNN", "CNN1D", "CharLM"]
