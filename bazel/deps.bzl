"""eclipsera_dependencies(): the third-party repositories Eclipsera needs.

A consuming WORKSPACE calls it after declaring `eclipsera` itself. Every
repository comes from a Debian package already on the machine; a repository
the consumer has already declared (for example its own Abseil) is kept, so a
monorepo can map its own copy under the conventional name.
"""

load("//bazel:system_repo.bzl", "stub_repository", "system_library")

# Abseil subpackages and the targets we expose in each; every one is an alias
# of the single system library (Debian ships Abseil as shared objects).
_ABSL_TARGETS = {
    "absl/algorithm": ["algorithm", "container"],
    "absl/base": ["base", "core_headers"],
    "absl/container": ["btree", "fixed_array", "flat_hash_map", "flat_hash_set", "inlined_vector"],
    "absl/functional": ["function_ref", "any_invocable"],
    "absl/hash": ["hash"],
    "absl/memory": ["memory"],
    "absl/numeric": ["bits", "int128"],
    "absl/status": ["status", "statusor"],
    "absl/strings": ["strings", "str_format", "cord"],
    "absl/synchronization": ["synchronization"],
    "absl/time": ["time"],
    "absl/types": ["optional", "span", "variant"],
}

def _absl_packages():
    packages = {}
    for pkg, targets in _ABSL_TARGETS.items():
        lines = ["package(default_visibility = [\"//visibility:public\"])", ""]
        for t in targets:
            lines.append("alias(name = \"%s\", actual = \"//:absl\")" % t)
        packages[pkg] = "\n".join(lines) + "\n"
    return packages

def _maybe(rule, name, **kwargs):
    if name not in native.existing_rules():
        rule(name = name, **kwargs)

def eclipsera_dependencies():
    """Declares rules_cc, rules_java, platforms and the system libraries."""
    _maybe(
        native.local_repository,
        name = "rules_cc",
        path = "/usr/src/bazel-bootstrap/mock_repos/rules_cc",
    )
    _maybe(
        native.local_repository,
        name = "rules_java",
        path = "/usr/src/bazel-bootstrap/mock_repos/rules_java",
    )
    _maybe(
        native.local_repository,
        name = "platforms",
        path = "/usr/share/bazel/tools/platforms",
    )
    _maybe(
        stub_repository,
        name = "remote_coverage_tools",
        build_file = Label("//third_party:remote_coverage_tools.BUILD"),
    )
    _maybe(
        system_library,
        name = "com_google_absl",
        build_file = Label("//third_party:absl.BUILD"),
        debian_package = "libabsl-dev",
        symlinks = {"include/absl": "/usr/include/absl"},
        packages = _absl_packages(),
    )
    _maybe(
        system_library,
        name = "eigen",
        build_file = Label("//third_party:eigen.BUILD"),
        debian_package = "libeigen3-dev",
        symlinks = {
            "include/Eigen": "/usr/include/eigen3/Eigen",
            "include/unsupported": "/usr/include/eigen3/unsupported",
        },
    )
    _maybe(
        system_library,
        name = "com_google_googletest",
        build_file = Label("//third_party:googletest.BUILD"),
        debian_package = "libgtest-dev libgmock-dev",
        symlinks = {
            "include/gtest": "/usr/include/gtest",
            "include/gmock": "/usr/include/gmock",
        },
    )
    _maybe(
        system_library,
        name = "com_github_google_benchmark",
        build_file = Label("//third_party:benchmark.BUILD"),
        debian_package = "libbenchmark-dev",
        symlinks = {"include/benchmark": "/usr/include/benchmark"},
    )
    _maybe(
        system_library,
        name = "com_github_google_highway",
        build_file = Label("//third_party:highway.BUILD"),
        debian_package = "libhwy-dev",
        symlinks = {"include/hwy": "/usr/include/hwy"},
    )
    # Only //eclipsera/distributed:mpi uses it; Bazel reads a repository
    # only when a target needs it, so consumers without MPI never do.
    _maybe(
        system_library,
        name = "openmpi",
        build_file = Label("//third_party:openmpi.BUILD"),
        debian_package = "libopenmpi-dev",
        symlinks = {"include": "/usr/lib/x86_64-linux-gnu/openmpi/include"},
    )
    # Only //python uses these (the Python bindings, issue 17).
    _maybe(
        system_library,
        name = "python3",
        build_file = Label("//third_party:python3.BUILD"),
        debian_package = "python3-dev",
        symlinks = {"include": "/usr/include/python3.11"},
    )
    _maybe(
        system_library,
        name = "pybind11",
        build_file = Label("//third_party:pybind11.BUILD"),
        debian_package = "pybind11-dev",
        symlinks = {"include/pybind11": "/usr/include/pybind11"},
    )
