#!/usr/bin/env python3
"""Line coverage per package of eclipsera/, from gcc's .gcda files.

Usage: tools/coverage_report.py OBJ_ROOT [SOURCE_ROOT] [--detail=PACKAGE ...]
  OBJ_ROOT     where the instrumented objects and their .gcda files are
               (bazel-out/<config>/bin of a `--config=coverage` test run);
  SOURCE_ROOT  the workspace (default: the current directory).

Runs `gcov --json-format` on every .gcda (standard library only, no gcovr
needed), merges the line counts of every object that compiled a source
(headers and inline functions appear in many), and prints, per package of
eclipsera/, the executable lines, the covered lines and the percentage.
Test sources (*_test.cc), eclipsera/testing and benchmarks are excluded:
the figure is the library code the tests exercise.
"""
import collections
import gzip
import json
import os
import subprocess
import sys
import tempfile


def gcda_files(root):
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(".gcda"):
                yield os.path.join(dirpath, name)


def library_source(path):
    """The workspace-relative path of a library source, or None."""
    marker = "eclipsera/"
    i = path.find(marker)
    if i < 0:
        return None
    rel = path[i:]
    if rel.endswith("_test.cc") or rel.startswith("eclipsera/testing/"):
        return None
    if "/external/" in path or rel.startswith("eclipsera/conformance/"):
        return None
    return rel


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    detail = [a[len("--detail="):] for a in sys.argv[1:]
              if a.startswith("--detail=")]
    args = [a for a in sys.argv[1:] if not a.startswith("--detail=")]
    obj_root = os.path.abspath(args[0])
    src_root = os.path.abspath(args[1] if len(args) > 1 else ".")
    # (file, line) -> executed at least once; every line gcov reports for a
    # file is executable.
    lines = collections.defaultdict(dict)
    n_gcda = 0
    with tempfile.TemporaryDirectory() as tmp, \
            tempfile.TemporaryDirectory() as objs:
        for gcda in gcda_files(obj_root):
            # A test writes its counts under its runfiles tree
            # (X.runfiles/eclipsera/bazel-out/.../_objs/...), away from the
            # .gcno that the compile left in bazel-out: pair them up.
            rel = gcda.split(".runfiles/eclipsera/", 1)[-1]
            if rel == gcda:
                gcno = gcda[:-len(".gcda")] + ".gcno"
            else:
                gcno = os.path.join(src_root, rel[:-len(".gcda")] + ".gcno")
            if not os.path.exists(gcno):
                continue
            n_gcda += 1
            base = os.path.basename(gcda)[:-len(".gcda")]
            for ext, source in ((".gcda", gcda), (".gcno", gcno)):
                target = os.path.join(objs, base + ext)
                if os.path.lexists(target):
                    os.remove(target)
                os.symlink(source, target)
            subprocess.run(["gcov", "--json-format", "--object-directory",
                            objs, os.path.join(objs, base + ".gcda")],
                           cwd=tmp, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            for out in os.listdir(tmp):
                full = os.path.join(tmp, out)
                if out.endswith(".gcov.json.gz"):
                    with gzip.open(full, "rt") as f:
                        data = json.load(f)
                    for entry in data.get("files", []):
                        rel = library_source(entry["file"])
                        if rel is None or not os.path.exists(
                                os.path.join(src_root, rel)):
                            continue
                        seen = lines[rel]
                        for line in entry.get("lines", []):
                            no = line["line_number"]
                            seen[no] = seen.get(no, False) or line["count"] > 0
                os.remove(full)
    if n_gcda == 0:
        print(f"no .gcda files under {obj_root}; run the tests with "
              "--config=coverage first")
        return 1
    packages = collections.defaultdict(lambda: [0, 0])
    for rel, seen in lines.items():
        package = "/".join(rel.split("/")[:2])
        packages[package][0] += len(seen)
        packages[package][1] += sum(1 for hit in seen.values() if hit)
    total = [0, 0]
    print(f"{'package':<26} {'lines':>7} {'covered':>8} {'coverage':>9}")
    for package in sorted(packages):
        n, hit = packages[package]
        total[0] += n
        total[1] += hit
        print(f"{package:<26} {n:>7} {hit:>8} {100.0 * hit / max(n, 1):>8.1f}%")
    print(f"{'total':<26} {total[0]:>7} {total[1]:>8} "
          f"{100.0 * total[1] / max(total[0], 1):>8.1f}%")
    # --detail=PACKAGE: per file of that package, its coverage and the
    # line numbers no test reached.
    for prefix in detail:
        for rel in sorted(r for r in lines if r.startswith(prefix)):
            seen = lines[rel]
            missed = sorted(no for no, hit in seen.items() if not hit)
            print(f"{rel}: {len(seen) - len(missed)}/{len(seen)} lines; "
                  f"not reached: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
