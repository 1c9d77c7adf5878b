"""Checks shared by the zoo's registry builders (`fn(input_shape, num_classes, **config)`)."""


def image_shape(model, input_shape, min_size=1):
    """(C, H, W) from a builder's `input_shape`; ValueError naming `model` when it is not an
    image shape or is smaller than min_size x min_size."""
    shape = tuple(input_shape)
    if len(shape) != 3 or any(int(s) != s or s < 1 for s in shape):
        raise ValueError(f"{model}: needs image inputs (C, H, W), got input shape {shape}")
    if min(shape[1:]) < min_size:
        raise ValueError(f"{model}: needs images of at least {min_size}x{min_size}, got "
                         f"{shape[1]}x{shape[2]}")
    return shape
