"""Thin macros shared by Eclipsera packages."""

load("//bazel:copts.bzl", "ECLIPSERA_COPTS")

def eclipsera_cc_benchmark(name, srcs, deps = [], smoke_args = [], **kwargs):
    """A Google Benchmark binary plus a smoke test that runs it briefly.

    Creates `name` (a testonly cc_binary tagged "benchmark") and
    `name + "_smoke"`, an sh_test that runs it with --eclipsera_smoke (the
    benchmark then uses tiny sizes) and a tiny --benchmark_min_time, so CI
    proves every benchmark still builds and runs without timing anything.
    """
    native.cc_binary(
        name = name,
        srcs = srcs,
        copts = ECLIPSERA_COPTS,
        testonly = True,
        tags = ["benchmark"],
        visibility = ["//benchmarks:__pkg__"],
        deps = deps + ["//benchmarks/common:benchmark_main"],
        **kwargs
    )
    native.sh_test(
        name = name + "_smoke",
        size = "small",
        srcs = ["//bazel:run_smoke.sh"],
        args = ["$(location :%s)" % name, "--eclipsera_smoke", "--benchmark_min_time=0.001"] + smoke_args,
        data = [":" + name],
    )

def eclipsera_cc_table(name, srcs, deps = [], data = [], **kwargs):
    """A program that prints a roadmap table, plus a smoke test.

    The program's main() calls eclipsera::bench::ParseFlags; the smoke test
    runs it with --eclipsera_smoke (tiny sizes, no scikit-learn run).
    """
    native.cc_binary(
        name = name,
        srcs = srcs,
        copts = ECLIPSERA_COPTS,
        testonly = True,
        tags = ["benchmark"],
        visibility = ["//benchmarks:__pkg__"],
        data = data,
        deps = deps + ["//benchmarks/common:report"],
        **kwargs
    )
    native.sh_test(
        name = name + "_smoke",
        size = "small",
        srcs = ["//bazel:run_smoke.sh"],
        args = ["$(location :%s)" % name, "--eclipsera_smoke"],
        data = [":" + name],
    )
