"""`Module`: the base class of every layer and model.

A subclass creates its parts in `__init__` by plain attribute assignment and computes its
output in `forward`:

    class TwoLayer(Module):
        def __init__(self):
            super().__init__()
            self.hidden = Linear(784, 256)      # a submodule
            self.out = Linear(256, 10)
            self.register_buffer("calls", neuronet.zeros(()))   # state that is not learned

        def forward(self, x):
            return self.out(self.hidden(x).relu())

Assignment registers `Parameter`s, buffers and submodules in insertion order, which fixes the
order of `parameters()` and the keys of `state_dict()` ("hidden.weight", "hidden.bias", ...),
the same keys PyTorch gives the same structure, so weights move between the two by name.
"""

import collections
import itertools

import numpy as np

from neuronet.autograd.tensor import Tensor
from neuronet.dtypes import as_dtype
from neuronet.nn.parameter import Parameter

IncompatibleKeys = collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class StateDictError(ValueError, RuntimeError):
    """`load_state_dict` found missing, unexpected or wrongly shaped keys (nothing was loaded).

    A ValueError by our conventions and a RuntimeError like PyTorch's, so either `except` works.
    """


class RemovableHandle:
    """Returned by `register_forward_hook`: `handle.remove()` takes the hook out again."""

    _ids = itertools.count()

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = next(self._ids)

    def remove(self):
        self._hooks.pop(self.id, None)


def _check_name(kind, name, module, registry):
    """A new entry `name` for `registry` (one of the module's dicts) must not hide anything."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if name == "" or "." in name:
        raise KeyError(f'{kind} name must not be empty or contain ".", got {name!r}')
    if hasattr(module, name) and name not in registry:
        raise KeyError(f"attribute {name!r} already exists on {module._get_name()}")


def _add_indent(text, spaces):
    """Indent every line of `text` but the first (for nested reprs)."""
    lines = text.split("\n")
    return lines[0] + "".join("\n" + " " * spaces + line for line in lines[1:])


def _as_array(value, key):
    """A state_dict value as an ndarray: our Tensors, NumPy arrays, torch tensors, lists..."""
    if isinstance(value, Tensor):
        return value.data
    if hasattr(value, "detach"):  # a torch tensor, possibly requiring grad (keep_vars=True)
        value = value.detach()
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"load_state_dict: value for key {key!r} must be a tensor or a numeric array, "
            f"got {type(value).__name__}"
        )
    return array


class Module:
    """Base class of layers and models (see the module docstring)."""

    def __init__(self):
        # object.__setattr__: our own __setattr__ needs these dicts to exist already
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_pre_hooks", {})
        object.__setattr__(self, "_forward_hooks", {})

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{self._get_name()}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks):
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(self, hook):
        """`hook(module, args)` runs before `forward`; a non-None result replaces the args."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook):
        """`hook(module, args, output)` runs after `forward`; a non-None result replaces it."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # ----- registration -----------------------------------------------------------------
    def _is_registered(self, name):
        return name in self._parameters or name in self._buffers or name in self._modules

    def _register(self, kind, registry, name, value, cls):
        """Put `value` (an instance of `cls`, or None) in the dict `registry` under `name`."""
        if registry not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        entries = self.__dict__[registry]
        _check_name(kind, name, self, entries)
        if value is not None and not isinstance(value, cls):
            raise TypeError(
                f"cannot assign '{type(value).__name__}' object to {kind} {name!r} "
                f"({cls.__name__} or None required)"
            )
        entries[name] = value

    def register_parameter(self, name, param):
        """Add `param` (a Parameter, or None for an absent one such as `bias=False`)."""
        self._register("parameter", "_parameters", name, param, Parameter)

    def register_buffer(self, name, tensor, persistent=True):
        """Add state that is not learned (e.g. BatchNorm's running_mean).

        Persistent buffers are saved in `state_dict()`; all buffers follow `to(dtype)`.
        """
        self._register("buffer", "_buffers", name, tensor, Tensor)
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        """Add a child module (None is allowed and skipped when iterating)."""
        self._register("module", "_modules", name, module, Module)

    register_module = add_module

    def _forget(self, name):
        """Remove `name` from wherever it was registered (before it is re-registered)."""
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._non_persistent_buffers.discard(name)
        self._modules.pop(name, None)

    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name)
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter {name!r} "
                    "(neuronet.nn.Parameter or None expected)"
                )
            params[name] = None
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module {name!r} "
                    "(neuronet.nn.Module or None expected)"
                )
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer {name!r} "
                    "(Tensor or None expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # only called when normal lookup fails, i.e. for registered parts
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        if self._is_registered(name):
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    # ----- iteration --------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for this module and all below it, depth first, each once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        """(dotted name, tensor) from each module's `registry` dict; shared tensors once."""
        seen = set()
        if recurse:
            modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            modules = [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) in registration order; a shared parameter appears once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target):
        """The module at dotted path `target` ("" is this module), e.g. "encoder.0"."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(
                    f"{module._get_name()} has no submodule {part!r} (in {target!r})"
                )
            module = child
        return module

    # ----- state dict -------------------------------------------------------------------
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict name -> tensor of every parameter and persistent buffer.

        Keys and order match PyTorch's: a module's own parameters, then its own buffers, then
        each child's entries under "child_name.". The tensors share memory with the module
        (detached unless `keep_vars=True`).
        """
        if destination is None:
            destination = collections.OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from `state_dict` into this module's parameters and buffers, in place.

        Values may be our Tensors, NumPy arrays or anything NumPy can convert (e.g. torch
        tensors). Every key is checked before anything is changed: missing keys and
        unexpected keys (when `strict`), and shape mismatches (always) are all reported in
        one `StateDictError`. Returns `IncompatibleKeys(missing_keys, unexpected_keys)`.
        """
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(
                f"load_state_dict: expected a dict-like mapping, got {type(state_dict).__name__}"
            )
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        arrays, mismatched = {}, []
        for key, target in own.items():
            if key not in state_dict:
                continue
            arrays[key] = _as_array(state_dict[key], key)
            if arrays[key].shape != target.shape:
                mismatched.append(f"{key}: expected shape {target.shape}, got {arrays[key].shape}")
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if mismatched:
            problems.append("shape mismatch: " + "; ".join(mismatched))
        if problems:
            raise StateDictError(
                f"load_state_dict for {self._get_name()} failed, nothing was loaded:\n  "
                + "\n  ".join(problems)
            )
        for key, array in arrays.items():
            own[key].data[...] = array  # in place (cast to the module's dtype): same objects
        return IncompatibleKeys(missing, unexpected)

    # ----- modes, gradients, dtypes -----------------------------------------------------
    def train(self, mode=True):
        """Set training mode (True) or evaluation mode (False) here and in all submodules."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be a bool, got {mode!r}")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters (to None, or to zeros in place)."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.detach_()
                param.grad.data.fill(0)

    def apply(self, fn):
        """Call `fn(module)` on every submodule (children first) and on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, dtype):
        """Cast floating point parameters, their gradients and float buffers to `dtype`.

        In place: the Parameter objects stay the same, so an optimizer built earlier still
        holds them. Integer buffers (e.g. num_batches_tracked) keep their dtype. "cpu" is
        accepted and does nothing (neuronet runs on the CPU only).
        """
        if isinstance(dtype, str) and dtype == "cpu":
            return self
        dtype = as_dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, got {dtype}")
        for tensor in itertools.chain(self.parameters(), self.buffers()):
            if tensor.data.dtype.kind == "f":
                tensor.data = tensor.data.astype(dtype, copy=False)
                if tensor.grad is not None:
                    tensor.grad.data = tensor.grad.data.astype(dtype, copy=False)
        return self

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    # ----- repr -------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def _describe(self):
        """'Linear(in_features=3, out_features=4, bias=True)': names the layer in errors."""
        return f"{self._get_name()}({self.extra_repr()})"

    def _check_input(self, input, min_ndim=0):
        """TypeError unless `input` is a Tensor, ValueError if it has too few dimensions."""
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{self._describe()}: expected a Tensor input, got {type(input).__name__}"
            )
        if input.ndim < min_ndim:
            raise ValueError(
                f"{self._describe()}: expected input with at least {min_ndim} dimension(s), "
                f"got shape {tuple(input.shape)}"
            )

    def __repr__(self):
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        children = [f"({name}): {_add_indent(repr(m), 2)}" for name, m in self._modules.items()]
        lines += children
        text = self._get_name() + "("
        if len(lines) == 1 and not children:
            text += lines[0]
        elif lines:
            text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
