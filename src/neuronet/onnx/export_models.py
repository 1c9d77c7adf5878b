"""ONNX emitters of the zoo's models and blocks: each writes what the model's forward does.

    LeNet5, SimpleCNN, AlexNet, VGG, ResNet, GoogLeNet, BasicConv2d: their layers in order
    (with the flatten(1) of the forward)
    BasicBlock, Bottleneck: relu(residual branch + shortcut) -> Add
    Inception: the four branches -> Concat on channels
    CNN1D: Unsqueeze of an (N, L) signal, then its layers
    DCGANGenerator: [Gather of the label embedding, Concat with z], the projection, Reshape
    to (2w, H/4, W/4), the transposed convolutions
(MLP is an nn.Sequential, SequenceClassifier is in export_recurrent.py.)
"""

from neuronet.models.alexnet import AlexNet
from neuronet.models.cnn1d import CNN1D
from neuronet.models.gan import DCGANGenerator
from neuronet.models.googlenet import BasicConv2d, GoogLeNet, Inception
from neuronet.models.lenet import LeNet5
from neuronet.models.resnet import BasicBlock, Bottleneck, ResNet
from neuronet.models.simple_cnn import SimpleCNN
from neuronet.models.vgg import VGG
from neuronet.onnx.export_graph import emitter, joined
from neuronet.onnx.export_layers import flatten, reshape, unsqueeze
from neuronet.ops.shape import cat


def _flatten(g, module, x):
    """The forward's x.flatten(1)."""
    return flatten(g, x, joined(g.path(module), "flatten"))


def in_order(*steps):
    """The emitter of a module whose forward applies `steps` one after another: the names of
    its submodules, or functions (g, module, x) -> Value."""
    def emit(g, module, x):
        for step in steps:
            x = step(g, module, x) if callable(step) else g.module(getattr(module, step), x)
        return x
    return emit


emitter(LeNet5)(in_order("conv1", "act1", "pool1", "conv2", "act2", "pool2", "flatten", "fc1",
                         "act3", "fc2", "act4", "fc3"))
emitter(SimpleCNN)(in_order("features", "classifier"))
emitter(AlexNet, VGG)(in_order("features", "avgpool", _flatten, "classifier"))
emitter(ResNet)(in_order("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3",
                         "layer4", "avgpool", _flatten, "fc"))
emitter(BasicConv2d)(in_order("conv", "bn", "relu"))
emitter(GoogLeNet)(in_order("conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a",
                            "inception3b", "maxpool3", "inception4a", "inception4b",
                            "inception4c", "inception4d", "inception4e", "maxpool4",
                            "inception5a", "inception5b", "avgpool", _flatten, "dropout", "fc"))


def _residual(branch):
    """relu(branch(x) + shortcut(x)), the shortcut being x or downsample(x)."""
    def emit(g, block, x):
        out = branch(g, block, x)
        shortcut = x if block.downsample is None else g.module(block.downsample, x)
        total = g.op("Add", [out.name, shortcut.name], joined(g.path(block), "add"),
                     out.data + shortcut.data)
        return g.module(block.relu, total)
    return emit


emitter(BasicBlock)(_residual(in_order("conv1", "bn1", "relu", "conv2", "bn2")))
emitter(Bottleneck)(_residual(in_order("conv1", "bn1", "relu", "conv2", "bn2", "relu", "conv3",
                                       "bn3")))


@emitter(Inception)
def _inception(g, module, x):
    branches = [g.module(getattr(module, f"branch{i}"), x) for i in range(1, 5)]
    return g.op("Concat", [b.name for b in branches], joined(g.path(module), "concat"),
                cat([b.data for b in branches], 1), axis=1)


@emitter(CNN1D)
def _cnn1d(g, module, x):
    if x.data.ndim == 2 and module.in_channels == 1:
        x = unsqueeze(g, x, 1, joined(g.path(module), "channel"))
    return in_order("features", "pool", "flatten", "fc")(g, module, x)


@emitter(DCGANGenerator)
def _dcgan_generator(g, module, z, labels=None):
    path = g.path(module)
    if module.num_classes is not None:
        if labels is None:
            raise g.unsupported(module, "a conditional generator is exported with an example "
                                        "of both its inputs: (z, labels)")
        embedded = g.module(module.embed, labels)
        z = g.op("Concat", [z.name, embedded.name], joined(path, "joined"),
                 cat([z.data, embedded.data], dim=1), axis=1)
    h = g.module(module.project_norm, g.module(module.project, z))
    start = reshape(g, h.name, [0, *module.start], joined(path, "start"),
                    h.data.reshape(len(z.data), *module.start))
    return g.module(module.up, start)
