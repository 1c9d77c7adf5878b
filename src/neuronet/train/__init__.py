"""Training: the fit loop, History, callbacks and checkpoints.

    from neuronet.train import fit, evaluate, EarlyStopping, ModelCheckpoint
    history = fit(model, train_loader, nn.CrossEntropyLoss(), optimizer, epochs=10,
                  val_data=val_loader, callbacks=[EarlyStopping(patience=3)])
    history.history["val_accuracy"]
"""

from neuronet.train.callbacks import (
    Callback, CSVLogger, EarlyStopping, JSONLogger, LearningRateScheduler, ModelCheckpoint,
)
from neuronet.train.checkpoint import (
    CheckpointError, load_checkpoint, read_manifest, save_checkpoint,
)
from neuronet.train.history import History
from neuronet.train.loop import Trainer, TrainingDivergedError, evaluate, fit, predict
from neuronet.train.running import metric_function

__all__ = [
    "CSVLogger", "Callback", "CheckpointError", "EarlyStopping", "History", "JSONLogger",
    "LearningRateScheduler", "ModelCheckpoint", "Trainer", "TrainingDivergedError", "evaluate",
    "fit", "load_checkpoint", "metric_function", "predict", "read_manifest", "save_checkpoint",
]
