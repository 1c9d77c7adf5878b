"""`neuronet generate RUN`: sample new words from a language model trained by train-lm."""

from neuronet.cli.common import integer, number
from neuronet.cli.run import load_trained_model
from neuronet.cli.train_lm import LM_MODEL_KEYS, build_language_model
from neuronet.data.vocabulary import Vocabulary
from neuronet.models.charlm import sample_words

DESCRIPTION = """\
Sample new words from a character-level language model (a run folder of neuronet train-lm),
one character at a time, each drawn from the model's softmax at the given temperature.

examples:
  neuronet generate runs/words --n 20 --temperature 0.8 --seed 0
  neuronet generate runs/words --prefix th --temperature 0    # greedy: the likeliest word
"""


def add_parser(commands):
    p = commands.add_parser("generate", help="sample new words from a trained language model",
                            description=DESCRIPTION)
    p.add_argument("run_folder", metavar="RUN", help="run folder written by neuronet train-lm")
    p.add_argument("--n", type=integer(1), default=20, help="how many words (default: 20)")
    p.add_argument("--temperature", type=number(0, include_low=True), default=1.0,
                   help="softmax temperature: below 1 safer words, above 1 stranger ones, 0 "
                        "always the most likely character (default: 1)")
    p.add_argument("--seed", type=integer(0), default=0,
                   help="seed of the draws: the same seed gives the same words (default: 0)")
    p.add_argument("--prefix", default="", help="start every word with these characters "
                                                "(default: none)")
    p.add_argument("--max-length", type=integer(1), default=40,
                   help="longest word, in characters (default: 40)")
    p.set_defaults(run=run)


def run(args):
    config, model = load_trained_model(args.run_folder, build_language_model, LM_MODEL_KEYS,
                                       "train-lm")
    vocabulary = Vocabulary(config["vocabulary"])
    for word in sample_words(model, vocabulary, args.n, args.temperature, args.prefix,
                             args.max_length, generator=args.seed):
        print(word)
    return 0
