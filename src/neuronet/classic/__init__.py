"""Classic networks that learn by their own rules: perceptron, Hopfield, SOM, ART, RBM, DBN."""

from neuronet.classic.hopfield import Hopfield, capacity_curve
from neuronet.classic.perceptron import ConvergenceWarning, MPNeuron, Perceptron
from neuronet.classic.som import SOM

__all__ = ["ConvergenceWarning", "Hopfield", "MPNeuron", "Perceptron", "SOM", "capacity_curve"]
