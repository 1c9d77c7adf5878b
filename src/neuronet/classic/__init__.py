"""Classic networks that learn by their own rules: perceptron, Hopfield, SOM, ART, RBM, DBN."""

from neuronet.classic.art import ART1, FuzzyART
from neuronet.classic.hopfield import Hopfield, capacity_curve
from neuronet.classic.perceptron import ConvergenceWarning, MPNeuron, Perceptron
from neuronet.classic.som import SOM

__all__ = [
    "ART1", "ConvergenceWarning", "FuzzyART", "Hopfield", "MPNeuron", "Perceptron", "SOM",
    "capacity_curve",
]
