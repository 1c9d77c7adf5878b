"""Classic networks that learn by their own rules: perceptron, Hopfield, SOM, ART, RBM, DBN."""

from neuronet.classic.art import ART1, FuzzyART
from neuronet.classic.dbn import DBN
from neuronet.classic.hopfield import Hopfield, capacity_curve, to_bipolar
from neuronet.classic.knn import KNeighborsClassifier, NearestNeighbor, cross_validate_k
from neuronet.classic.linear import LinearClassifier, LinearSVM, SoftmaxClassifier
from neuronet.classic.logistic import LogisticRegression
from neuronet.classic.perceptron import ConvergenceWarning, MPNeuron, Perceptron
from neuronet.classic.rbm import BernoulliRBM
from neuronet.classic.som import SOM

__all__ = [
    "ART1", "BernoulliRBM", "ConvergenceWarning", "DBN", "FuzzyART", "Hopfield", "MPNeuron",
    "Perceptron", "SOM", "capacity_curve",
    "KNeighborsClassifier", "LinearClassifier", "LinearSVM", "LogisticRegression",
    "NearestNeighbor", "SoftmaxClassifier", "cross_validate_k", "to_bipolar",
]
