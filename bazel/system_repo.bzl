"""Repository rule that exposes a Debian-installed library to Bazel, offline.

Nothing is downloaded: the rule symlinks the system include directories into
an external repository, writes the BUILD files given to it and fails with the
package name to install when the headers are missing.
"""

def _system_library_impl(rctx):
    for dst, src in rctx.attr.symlinks.items():
        if not rctx.path(src).exists:
            fail("%s: %s not found; install the Debian package %s (./bazelw does this)" %
                 (rctx.name, src, rctx.attr.debian_package))
        rctx.symlink(src, dst)
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.symlink(rctx.attr.build_file, "BUILD.bazel")
    for pkg, content in rctx.attr.packages.items():
        rctx.file(pkg + "/BUILD.bazel", content)

system_library = repository_rule(
    implementation = _system_library_impl,
    local = True,
    attrs = {
        "build_file": attr.label(mandatory = True, allow_single_file = True),
        "debian_package": attr.string(mandatory = True),
        "packages": attr.string_dict(),
        "symlinks": attr.string_dict(),
    },
)

def _stub_repo_impl(rctx):
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.symlink(rctx.attr.build_file, "BUILD.bazel")

# A repository holding only a BUILD file, for tools Bazel expects to exist
# but that an offline build never runs (coverage merging).
stub_repository = repository_rule(
    implementation = _stub_repo_impl,
    local = True,
    attrs = {"build_file": attr.label(mandatory = True, allow_single_file = True)},
)
