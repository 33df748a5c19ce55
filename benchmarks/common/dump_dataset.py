#!/usr/bin/python3
"""Writes one of scikit-learn's bundled datasets as a float64 .npy file.

usage: dump_dataset.py NAME OUT.npy [TARGET.npy]
                                        (NAME: digits, wine, breast_cancer,
                                         iris; no download, they ship with
                                         scikit-learn; TARGET gets y)
Prints one JSON line: rows, cols. Used by the benchmark tables' real-data
rows so that both sides fit the same bytes.
"""
import json
import sys

import numpy as np
from sklearn import datasets


def main():
    name, out = sys.argv[1], sys.argv[2]
    loader = {"digits": datasets.load_digits, "wine": datasets.load_wine,
              "breast_cancer": datasets.load_breast_cancer,
              "iris": datasets.load_iris}[name]
    data = loader()
    x = np.ascontiguousarray(data.data, dtype=np.float64)
    np.save(out, x)
    if len(sys.argv) > 3:
        np.save(sys.argv[3], np.asarray(data.target, dtype=np.float64))
    print(json.dumps({"rows": x.shape[0], "cols": x.shape[1]}))


if __name__ == "__main__":
    main()
