"""Characters <-> integer ids for character-level models, with padding, start and end tokens.

    vocab = Vocabulary.from_texts(["cat", "dog"])
    vocab.encode("cat")                 # array([ 5, 3, 8]): ids of the characters only
    vocab.decode([1, 5, 3, 8, 2, 0])    # "cat": special tokens are dropped
    Vocabulary(vocab.tokens[3:])        # the same vocabulary again (e.g. from a config.json)

Ids 0, 1 and 2 are always the padding, start-of-word and end-of-word tokens; the characters
follow in sorted order, so the same characters always give the same ids.
"""

import numpy as np


class Vocabulary:
    """The characters of a corpus plus three special tokens.

    PAD (0) fills batches up to the longest sequence (losses ignore it), BOS (1) starts
    every sequence (the first input), EOS (2) ends it (the last target).
    """

    PAD, BOS, EOS = 0, 1, 2
    SPECIALS = ("<pad>", "<s>", "</s>")

    def __init__(self, chars):
        chars = list(chars)
        bad = [c for c in chars if not isinstance(c, str) or len(c) != 1]
        if bad:
            raise ValueError(f"Vocabulary: every entry must be one character, got {bad[0]!r}")
        if not chars:
            raise ValueError("Vocabulary: needs at least one character, got none")
        self.chars = tuple(sorted(set(chars)))
        self._ids = {c: i for i, c in enumerate(self.chars, len(self.SPECIALS))}

    @classmethod
    def from_texts(cls, texts):
        """The vocabulary of every character in `texts` (an iterable of strings)."""
        return cls({c for text in texts for c in text})

    @property
    def tokens(self):
        """All tokens by id: the three special ones, then the characters."""
        return self.SPECIALS + self.chars

    def __len__(self):
        return len(self.SPECIALS) + len(self.chars)

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and self.chars == other.chars

    def __repr__(self):
        return f"Vocabulary({len(self.chars)} characters + {len(self.SPECIALS)} special tokens)"

    def encode(self, text):
        """(len(text),) int64 ids of the characters of `text` (no special tokens added)."""
        try:
            return np.array([self._ids[c] for c in text], dtype=np.int64)
        except KeyError as e:
            raise ValueError(f"Vocabulary: character {e.args[0]!r} of {text!r} is not in the "
                             f"vocabulary (known: {''.join(self.chars)})") from None

    def decode(self, ids):
        """The characters of `ids` as a string, special tokens left out."""
        first = len(self.SPECIALS)
        return "".join(self.chars[i - first] for i in np.asarray(ids).ravel().tolist()
                       if i >= first)
