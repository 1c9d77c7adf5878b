"""Looking a name up in one of the registries (datasets, filters, experiments, ...), with the
error every registry gives for a name it does not know.

    lookup("filter", "blurr", _FILTERS)
    # ValueError: unknown filter 'blurr'; the filters are: box-blur, gaussian-blur, ...
"""


def lookup(kind, name, table, names=None):
    """`table[name]`, or a ValueError naming the `kind` of thing, the name and the known names.

    names: the known names in the order the message lists them (default: the table's order).
    """
    if name not in table:
        known = ", ".join(table if names is None else names)
        raise ValueError(f"unknown {kind} {name!r}; the {kind}s are: {known}")
    return table[name]
