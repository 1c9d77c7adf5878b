"""Classic networks that learn by their own rules: perceptron, Hopfield, SOM, ART, RBM, DBN."""

from neuronet.classic.perceptron import ConvergenceWarning, MPNeuron, Perceptron

__all__ = ["ConvergenceWarning", "MPNeuron", "Perceptron"]
