"""Writing small IDX files for the reader and dataset tests."""

import gzip
import struct


def write_idx(path, array, code=0x08, compress=True):
    header = bytes([0, 0, code, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    data = header + array.astype(">u1" if code == 0x08 else ">i4").tobytes()
    with (gzip.open if compress else open)(path, "wb") as f:
        f.write(data)
    return data
