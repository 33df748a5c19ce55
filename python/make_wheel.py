"""Writes the eclipsera wheel from the built package files (no network, no
setuptools: a wheel is a zip with three metadata files).

Usage: make_wheel.py OUT.whl FILE...   (FILE paths end in eclipsera/<name>)
"""
import base64
import hashlib
import os
import sys
import zipfile

VERSION = "2.0.0"
TAG = "cp311-cp311-linux_x86_64"


def digest(data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + h.decode()


def main():
    out, files = sys.argv[1], sys.argv[2:]
    info = "eclipsera-%s.dist-info" % VERSION
    entries = []
    for f in sorted(files):
        with open(f, "rb") as fh:
            entries.append(("eclipsera/" + os.path.basename(f), fh.read()))
    entries.append((info + "/METADATA", (
        "Metadata-Version: 2.1\nName: eclipsera\nVersion: %s\n"
        "Summary: scikit-learn's clustering, embedding, mixture, "
        "preprocessing and linear models in native C++\n"
        "Requires-Python: >=3.11,<3.12\nRequires-Dist: numpy\n"
        "Requires-Dist: scikit-learn>=1.2,<1.3\n" % VERSION).encode()))
    entries.append((info + "/WHEEL", (
        "Wheel-Version: 1.0\nGenerator: eclipsera make_wheel.py\n"
        "Root-Is-Purelib: false\nTag: %s\n" % TAG).encode()))
    record = "".join("%s,%s,%d\n" % (n, digest(d), len(d)) for n, d in entries)
    record += info + "/RECORD,,\n"
    entries.append((info + "/RECORD", record.encode()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)


if __name__ == "__main__":
    main()
