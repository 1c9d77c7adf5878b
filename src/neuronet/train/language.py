"""Language-model numbers: perplexity and bits per character from a mean loss in nats.

    language_metrics(1.60)      # {"perplexity": 4.95, "bpc": 2.31}
    fit(..., loss_fn=MaskedCrossEntropyLoss(), callbacks=[LanguageModelMetrics()])
    # history columns: loss, val_loss, ..., perplexity, bpc, val_perplexity, val_bpc

With the loss a mean cross-entropy per token in nats (natural log), perplexity = e^loss (the
number of equally likely choices the model hesitates between) and bits per character =
loss / ln 2 (the code length per character a compressor driven by the model would reach).
"""

import math

from tqdm.auto import tqdm

from neuronet.train.callbacks import Callback


def language_metrics(loss):
    """{"perplexity", "bpc"} of a mean per-token cross-entropy `loss` in nats."""
    return {"perplexity": math.exp(loss), "bpc": loss / math.log(2)}


class LanguageModelMetrics(Callback):
    """After every epoch, adds perplexity and bits per character of "loss" and "val_loss" to
    the epoch's logs and history row (before loggers and checkpoints save them), and prints
    the validation ones when fit shows progress."""

    order = -20  # before the loggers (0) and checkpoints (10) that write the history

    def on_epoch_end(self, epoch, logs=None):
        derived = {}
        for prefix in ("", "val_"):
            if f"{prefix}loss" in logs:
                derived.update({f"{prefix}{name}": value for name, value in
                                language_metrics(logs[f"{prefix}loss"]).items()})
        logs.update(derived)
        self.trainer.history.extend_last(derived)
        if self.trainer.progress and "val_bpc" in derived:
            tqdm.write(f"epoch {epoch + 1}/{self.trainer.epochs}  validation: loss "
                       f"{logs['val_loss']:.4f} nats/char, perplexity "
                       f"{derived['val_perplexity']:.3f}, {derived['val_bpc']:.4f} bits/char")
