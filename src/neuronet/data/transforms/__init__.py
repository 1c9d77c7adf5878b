"""Transforms applied to each sample (or target) by a dataset, as in torchvision, and the
random augmentations.

    Compose([ToTensor(), Normalize((0.2860,), (0.3530,)), Flatten()])
    Compose([ToTensor(), RandomCrop(28, padding=4), RandomHorizontalFlip()])

The augmentations take an image (C, H, W) or a batch (N, C, H, W) (Tensor or ndarray) and draw
each sample's random choice from their own generator or, by default, from
`neuronet.random.get_generator()`: inside a DataLoader that is the batch's own generator, so
an epoch is the same with any number of worker threads.
"""

from neuronet.data.transforms.augment import (
    RandomHorizontalFlip,
    RandomTransform,
    RandomVerticalFlip,
)
from neuronet.data.transforms.basic import (
    Compose,
    Flatten,
    Lambda,
    Normalize,
    OneHot,
    Standardize,
    ToTensor,
)
from neuronet.data.transforms.crop import RandomCrop, RandomShift
from neuronet.data.transforms.erasing import RandomErasing
from neuronet.data.transforms.rotation import RandomRotation, rotate

__all__ = [
    "Compose", "Flatten", "Lambda", "Normalize", "OneHot", "RandomCrop", "RandomErasing",
    "RandomHorizontalFlip", "RandomRotation", "RandomShift", "RandomTransform",
    "RandomVerticalFlip", "Standardize", "ToTensor", "rotate",
]
