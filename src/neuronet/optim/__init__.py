"""Optimizers and learning-rate schedules, named and behaving as in `torch.optim`.

    opt = neuronet.optim.Adam(model.parameters(), lr=1e-3)
    sched = neuronet.optim.lr_scheduler.StepLR(opt, step_size=10)
    for epoch in range(epochs):
        for x, y in loader:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        sched.step()
"""

from neuronet.optim import lr_scheduler
from neuronet.optim.adagrad import Adagrad
from neuronet.optim.adam import Adam, AdamW
from neuronet.optim.optimizer import Optimizer
from neuronet.optim.rmsprop import RMSprop
from neuronet.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
