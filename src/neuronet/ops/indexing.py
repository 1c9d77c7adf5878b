"""(being written)"""


def normalize_key(key):
    return key
