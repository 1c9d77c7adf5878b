"""The English word list `/usr/share/dict/words` (Debian package `wamerican`), for
character-level language models.

    train = Words("train")                       # ~83k words; "validation" and "test" ~10k each
    inputs, targets = train.get_batch([0, 1])    # (2, T) int64 each, right-padded with PAD
    DataLoader(train, batch_size=128, shuffle=True, generator=0)   # batches of that form

Item i is the word as a next-character task: inputs [BOS, c1, ..., cn] and targets
[c1, ..., cn, EOS] (teacher forcing: the true previous character is always the input). The
split is a seeded permutation of the whole list, the same on every machine with the same file;
the vocabulary holds every character of the whole list, so all three splits share it.
"""

import functools
from pathlib import Path

import numpy as np

from neuronet.creation import from_numpy
from neuronet.data.dataset import Dataset
from neuronet.data.vocabulary import Vocabulary
from neuronet.random import get_generator

WORDS_FILE = "/usr/share/dict/words"
SPLITS = ("train", "validation", "test")


def read_word_list(path=WORDS_FILE):
    """The non-empty lines (stripped) of the word list at `path`, as a tuple."""
    return _read_word_list(str(path))


@functools.lru_cache(maxsize=4)
def _read_word_list(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Words: no word list at {path}; install the Debian package wamerican "
            "(apt-get install wamerican, or run 'make data')"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"Words: {path} is not UTF-8 text ({e})") from None
    words = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not words:
        raise ValueError(f"Words: {path} holds no words")
    return words


def split_indices(n, val_fraction, test_fraction, seed):
    """{split: sorted indices} of n items: a seeded permutation cut into test, validation
    and train parts (sizes rounded down for test and validation)."""
    order = get_generator(seed).permutation(n)
    n_test, n_val = int(n * test_fraction), int(n * val_fraction)
    parts = (order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test])
    return {name: np.sort(part) for name, part in zip(SPLITS, parts)}


def pad_sequences(sequences, value=Vocabulary.PAD):
    """(padded (N, T) int64, lengths (N,) int64) of 1-D int sequences, right-padded with
    `value` up to the longest one (T = the longest length)."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    padded = np.full((len(sequences), lengths.max(initial=0)), value, dtype=np.int64)
    for row, seq in zip(padded, sequences):
        row[:len(seq)] = seq
    return padded, lengths


class Words(Dataset):
    """One split of the word list as next-character examples.

    split: "train", "validation" or "test". val_fraction, test_fraction, seed: how the list is
    split (the three splits of one seed never overlap). Attributes: words (the split's
    strings), vocabulary (a Vocabulary of the whole list).
    """

    def __init__(self, split="train", path=WORDS_FILE, val_fraction=0.1, test_fraction=0.1,
                 seed=0):
        if split not in SPLITS:
            raise ValueError(f"Words: unknown split {split!r}; the splits are {', '.join(SPLITS)}")
        for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    0 <= value < 1):
                raise ValueError(f"Words: {name} must be a number in [0, 1), got {value!r}")
        if val_fraction + test_fraction >= 1:
            raise ValueError(f"Words: val_fraction + test_fraction must leave words for training, "
                             f"got {val_fraction} + {test_fraction}")
        every = read_word_list(path)
        self.split = split
        self.vocabulary = Vocabulary.from_texts(every)
        indices = split_indices(len(every), val_fraction, test_fraction, seed)[split]
        self.words = [every[i] for i in indices]
        self._encoded = [self.vocabulary.encode(w) for w in self.words]

    def __len__(self):
        return len(self.words)

    def __repr__(self):
        return (f"Words(split={self.split!r}, words={len(self)}, "
                f"vocabulary={len(self.vocabulary)} tokens)")

    def __getitem__(self, index):
        """(inputs (n+1,), targets (n+1,)) int64 arrays for the word of n characters."""
        ids = self._encoded[index]
        return (np.concatenate([[Vocabulary.BOS], ids]),
                np.concatenate([ids, [Vocabulary.EOS]]))

    def get_batch(self, indices):
        """(inputs, targets) Tensors (N, T), PAD after each word's end (T = the longest + 1)."""
        pairs = [self[int(i)] for i in indices]
        inputs, _ = pad_sequences([p[0] for p in pairs])
        targets, _ = pad_sequences([p[1] for p in pairs])
        return from_numpy(inputs), from_numpy(targets)
