"""The worked examples of the classic course notes, computed with neuronet's own functions:
they must come out exactly as printed in the notes (issue 9)."""

import warnings

import numpy as np
import pytest

import neuronet
from neuronet import nn, optim
from neuronet.classic import ConvergenceWarning, Perceptron
from neuronet.classic.linear import svm_loss
from neuronet.nn import functional as F
from neuronet.train import evaluate, fit

# rows: the cat, car and frog images; columns: the scores of the classes cat, car, frog
SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LABELS = np.array([0, 1, 2])


def test_multiclass_svm_loss_of_the_three_images():
    identity, no_bias = np.eye(3), np.zeros(3)  # the scores are the "features": s = I x
    per_image = [svm_loss(identity, no_bias, SCORES[i:i + 1], LABELS[i:i + 1])[0]
                 for i in range(3)]
    np.testing.assert_allclose(per_image, [2.9, 0.0, 12.9], atol=1e-12)
    mean, _, _ = svm_loss(identity, no_bias, SCORES, LABELS)
    assert round(mean, 2) == 5.27
    # torch's multi_margin_loss (ours copies it) divides by the number of classes
    torch_style = F.multi_margin_loss(neuronet.tensor(SCORES), neuronet.tensor(LABELS),
                                      reduction="none")
    np.testing.assert_allclose(torch_style.data * 3, [2.9, 0.0, 12.9], atol=1e-12)


def test_softmax_and_cross_entropy_of_the_cat_image():
    cat = neuronet.tensor(SCORES[:1], dtype=neuronet.float64)
    exponentials = neuronet.exp(cat).data[0]
    assert [round(float(e), d) for e, d in zip(exponentials, (1, 1, 2))] == [24.5, 164.0, 0.18]
    probabilities = F.softmax(cat, dim=1).data
    np.testing.assert_array_equal(np.round(probabilities, 2), [[0.13, 0.87, 0.00]])
    loss = F.cross_entropy(cat, neuronet.tensor([0])).item()
    assert round(loss, 2) == 2.04
    assert loss == pytest.approx(-np.log(probabilities[0, 0]), rel=1e-6)


def test_5x5_image_cross_correlated_with_the_x_kernel():
    image = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                      [0, 1, 1, 0, 0]], dtype=np.float32)
    kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float32)
    out = F.conv2d(neuronet.tensor(image[None, None]), neuronet.tensor(kernel[None, None]))
    np.testing.assert_array_equal(out.data[0, 0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


def test_20x20_map_max_pooled_10x10_stride_10_is_2x2():
    values = neuronet.randn(1, 1, 20, 20, generator=np.random.default_rng(0))
    pooled = nn.MaxPool2d(10, stride=10)(values)
    assert pooled.shape == (1, 1, 2, 2)
    quadrants = values.data[0, 0].reshape(2, 10, 2, 10).max(axis=(1, 3))
    np.testing.assert_array_equal(pooled.data[0, 0], quadrants)


def test_inception_bottleneck_multiply_accumulates():
    direct = nn.summary(nn.Conv2d(192, 32, 5, padding="same"), (1, 192, 28, 28),
                        print_summary=False)
    assert direct.total_macs == 120_422_400
    bottleneck = nn.Sequential(nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5, padding="same"))
    rows = nn.summary(bottleneck, (1, 192, 28, 28), print_summary=False)
    assert [r.macs for r in rows.layers[1:]] == [2_408_448, 10_035_200]
    assert rows.total_macs == 12_443_648
    assert direct.total_macs / rows.total_macs > 9.6  # "ten times fewer"


def test_fully_connected_vs_shared_filters_parameter_count():
    # one hidden unit looking at the whole 1000x1000 image; 10^6 of them would need 4 TB
    one_unit = nn.Linear(1000 * 1000, 1, bias=False)
    assert one_unit.weight.numel() * 10**6 == 10**12
    shared = nn.Conv2d(1, 100, 10, bias=False)
    assert shared.weight.numel() == 10**4


BITS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


@pytest.mark.parametrize("gate, targets", [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1])])
def test_perceptron_learns_and_or(gate, targets):
    perceptron = Perceptron(random_state=0).fit(BITS, targets)
    assert perceptron.converged_, gate
    np.testing.assert_array_equal(perceptron.predict(BITS), targets)


def test_xor_needs_a_hidden_layer():
    xor = [0, 1, 1, 0]
    with pytest.warns(ConvergenceWarning):
        perceptron = Perceptron(max_iter=50, random_state=0).fit(BITS, xor)
    assert not perceptron.converged_ and perceptron.score(BITS, xor) <= 0.75
    neuronet.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))
    data = [(BITS.astype(np.float32), np.array(xor))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(net, data, nn.CrossEntropyLoss(), optim.Adam(net.parameters(), lr=0.05), epochs=300,
            metrics=(), progress=False)
    assert evaluate(net, data, nn.CrossEntropyLoss())["accuracy"] == 1.0
