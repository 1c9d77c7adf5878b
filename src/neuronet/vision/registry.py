"""Filters by name, for scripts and the `neuronet filter` command.

    apply_filter(photo, "gaussian-blur", sigma=2.0)
    filter_names()            # ('box-blur', 'gaussian-blur', ...)
    filter_options("sharpen") # {'strength': 1.0, 'mode': 'reflect'}
"""

import inspect

from neuronet.registry import lookup
from neuronet.vision import filters

_FILTERS = {
    "box-blur": filters.box_blur,
    "gaussian-blur": filters.gaussian_blur,
    "sharpen": filters.sharpen,
    "emboss": filters.emboss,
    "sobel-x": filters.sobel_x,
    "sobel-y": filters.sobel_y,
    "sobel": filters.sobel,
    "laplacian": filters.laplacian,
    "median": filters.median,
    "watercolor": filters.watercolor,
}


def filter_names():
    return tuple(_FILTERS)


def get_filter(name):
    """The filter function registered as `name`; ValueError listing the names otherwise."""
    return lookup("filter", name, _FILTERS)


def describe_filter(name):
    """The first paragraph of the filter's docstring, on one line."""
    return " ".join(inspect.getdoc(get_filter(name)).split("\n\n")[0].split())


def filter_options(name):
    """{option: default} of the filter's keyword options (everything after the image)."""
    parameters = list(inspect.signature(get_filter(name)).parameters.values())[1:]
    return {p.name: p.default for p in parameters}


def apply_filter(image, name, **options):
    """`image` through the filter called `name` with `options` (see filter_options(name));
    same shape and dtype as `image`."""
    function = get_filter(name)
    unknown = sorted(set(options) - set(filter_options(name)))
    if unknown:
        allowed = ", ".join(filter_options(name))
        raise TypeError(f"filter {name!r} has no option {', '.join(map(repr, unknown))}; its "
                        f"options are: {allowed}")
    return function(image, **options)
