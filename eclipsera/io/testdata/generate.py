#!/usr/bin/python3
"""Writes the golden files for eclipsera/io tests with numpy.

Run from this directory with Debian's interpreter: /usr/bin/python3 generate.py
Deterministic (no randomness); records numpy's version in VERSIONS.txt.
Every array is a simple formula so the C++ tests can recompute it.
"""
import numpy as np
from numpy.lib import format as npformat


def base(rows, cols):
    # x[i, j] = (i * cols + j) * 0.25 - 1.5, with one tiny and one huge value.
    x = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols) * 0.25 - 1.5
    x[0, 0] = 1e-300
    x[-1, -1] = -1.7976931348623157e308
    return x


def save_version(path, array, version):
    with open(path, "wb") as f:
        npformat.write_array(f, array, version=version)


x = base(3, 4)
np.save("f8_3x4.npy", x)                        # version 1.0
save_version("f8_3x4_v2.npy", x, (2, 0))
save_version("f8_3x4_v3.npy", x, (3, 0))
np.save("f4_2x3.npy", (np.arange(6).reshape(2, 3) * 0.5 - 1).astype("<f4"))
np.save("i4_1d.npy", np.array([3, -1, 0, 2147483647, -2147483648], dtype="<i4"))
np.save("i8_2x2.npy", np.array([[1, -2], [9007199254740992, 4]], dtype="<i8"))
np.save("f8_0x3.npy", np.zeros((0, 3)))
np.save("labels_i4.npy", np.array([0, 1, 1, -1, 2], dtype="<i4"))

# Files our reader must reject with a precise message.
np.save("f8_fortran.npy", np.asfortranarray(x))
np.save("f8_bigendian.npy", x.astype(">f8"))
np.save("c16.npy", x.astype("<c16"))
np.save("f8_3d.npy", np.zeros((2, 2, 2)))

# CSV as numpy.savetxt writes it, with and without a header.
np.savetxt("f8_3x4.csv", x, delimiter=",", header="a,b,c,d", comments="")
np.savetxt("f8_3x4_spaces.txt", x)

with open("VERSIONS.txt", "w") as f:
    f.write("numpy %s\n" % np.__version__)
