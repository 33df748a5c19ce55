"""Compiler options shared by every Eclipsera target."""

ECLIPSERA_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wno-sign-compare",
    "-Wno-unused-parameter",
    "-Werror=return-type",
]

ECLIPSERA_TEST_COPTS = ECLIPSERA_COPTS + [
    "-Wno-unused-variable",
]
