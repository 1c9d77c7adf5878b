"""`Flatten`: merge a range of dimensions into one (by default all but the batch dimension)."""

from neuronet.nn.modules.module import Module


class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...) with the defaults start_dim=1, end_dim=-1."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        self._check_input(input)
        ndim = max(input.ndim, 1)  # a 0-d tensor flattens like a 1-d one, as in PyTorch
        for dim in (self.start_dim, self.end_dim):
            if not -ndim <= dim < ndim:
                raise ValueError(
                    f"{self._describe()}: dimension {dim} is out of range for input of shape "
                    f"{tuple(input.shape)}"
                )
        if self.start_dim % ndim > self.end_dim % ndim:
            raise ValueError(
                f"{self._describe()}: start_dim comes after end_dim for input of shape "
                f"{tuple(input.shape)}"
            )
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
