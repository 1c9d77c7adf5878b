"""The word-list dataset and the character vocabulary: deterministic disjoint splits, BOS/EOS
items, padded batches, clear errors; the real /usr/share/dict/words when installed."""

from pathlib import Path

import numpy as np
import pytest

from neuronet.data import DataLoader
from neuronet.data.datasets.words import WORDS_FILE, Words, pad_sequences, read_word_list
from neuronet.data.vocabulary import Vocabulary

WORDS = ["cat", "dog", "bird", "a", "éclair", "it's", "mouse", "ox", "yak", "emu", "gnu", "ant"]


@pytest.fixture
def word_file(tmp_path):
    path = tmp_path / "words"
    path.write_text("\n".join(WORDS) + "\n\n  \n", encoding="utf-8")  # blank lines are skipped
    return path


def test_vocabulary_ids_round_trip_and_errors():
    vocab = Vocabulary.from_texts(["cab", "ba"])
    assert vocab.tokens == ("<pad>", "<s>", "</s>", "a", "b", "c") and len(vocab) == 6
    np.testing.assert_array_equal(vocab.encode("cab"), [5, 3, 4])
    assert vocab.decode([1, 5, 3, 4, 2, 0, 0]) == "cab"
    assert Vocabulary(vocab.tokens[3:]) == vocab and Vocabulary("ab") != vocab
    with pytest.raises(ValueError, match=r"character 'z' of 'zap' is not in the vocabulary "
                                         r"\(known: abc\)"):
        vocab.encode("zap")
    with pytest.raises(ValueError, match="every entry must be one character, got 'ab'"):
        Vocabulary(["ab"])
    with pytest.raises(ValueError, match="needs at least one character"):
        Vocabulary([])


def test_splits_are_seeded_disjoint_and_cover_the_list(word_file):
    splits = {s: Words(s, word_file, val_fraction=0.25, test_fraction=0.25, seed=3)
              for s in ("train", "validation", "test")}
    assert [len(splits[s]) for s in ("train", "validation", "test")] == [6, 3, 3]
    every = [w for s in splits.values() for w in s.words]
    assert sorted(every) == sorted(WORDS)
    again = Words("test", word_file, val_fraction=0.25, test_fraction=0.25, seed=3)
    assert again.words == splits["test"].words
    other = Words("test", word_file, val_fraction=0.25, test_fraction=0.25, seed=4)
    assert other.words != splits["test"].words
    assert splits["train"].vocabulary == splits["test"].vocabulary  # built from the whole list
    assert "é" in splits["test"].vocabulary.chars and "'" in splits["test"].vocabulary.chars


def test_items_and_padded_batches(word_file):
    data = Words("train", word_file, val_fraction=0, test_fraction=0)
    vocab = data.vocabulary
    i = data.words.index("bird")
    inputs, targets = data[i]
    np.testing.assert_array_equal(inputs, [Vocabulary.BOS, *vocab.encode("bird")])
    np.testing.assert_array_equal(targets, [*vocab.encode("bird"), Vocabulary.EOS])
    j = data.words.index("a")
    x, y = data.get_batch([i, j])
    assert x.shape == y.shape == (2, 5) and x.dtype == np.int64
    np.testing.assert_array_equal(x.data[1], [Vocabulary.BOS, vocab.encode("a")[0], 0, 0, 0])
    np.testing.assert_array_equal(y.data[1], [vocab.encode("a")[0], Vocabulary.EOS, 0, 0, 0])
    padded, lengths = pad_sequences([np.array([5, 6, 7]), np.array([8])])
    np.testing.assert_array_equal(padded, [[5, 6, 7], [8, 0, 0]])
    np.testing.assert_array_equal(lengths, [3, 1])
    batches = list(DataLoader(data, batch_size=5, shuffle=True, generator=0))
    assert sum(len(b[0]) for b in batches) == len(WORDS)
    tokens = sum(int((b[1].data != Vocabulary.PAD).sum()) for b in batches)
    assert tokens == sum(len(w) + 1 for w in WORDS)  # every character and one end per word


def test_bad_input(tmp_path, word_file):
    with pytest.raises(FileNotFoundError, match="no word list at .*nowhere; install the Debian "
                                                "package wamerican"):
        Words("train", tmp_path / "nowhere")
    with pytest.raises(ValueError, match="unknown split 'dev'; the splits are train, "
                                         "validation, test"):
        Words("dev", word_file)
    with pytest.raises(ValueError, match=r"val_fraction must be a number in \[0, 1\), got 1.5"):
        Words("train", word_file, val_fraction=1.5)
    with pytest.raises(ValueError, match="must leave words for training, got 0.5 \\+ 0.5"):
        Words("train", word_file, val_fraction=0.5, test_fraction=0.5)
    empty = tmp_path / "empty"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match="holds no words"):
        read_word_list(empty)
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        read_word_list(binary)


@pytest.mark.skipif(not Path(WORDS_FILE).is_file(), reason="wamerican is not installed "
                                                           "('make data' installs it)")
def test_the_real_word_list():
    test = Words("test")
    assert len(read_word_list()) > 100_000 and 10_000 < len(test) < 11_000
    assert len(test.vocabulary) > 50 and "'" in test.vocabulary.chars
