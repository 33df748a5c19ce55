"""scikit-learn 1.2's own estimator checks (check_estimator) on every
exported estimator.

Every check runs; a check that fails must be listed in EXPECTED_FAILURES
with the reason, and a listed check that passes fails this test too (so the
list only shrinks). Usage: estimator_checks_test.py [NAME...]
"""
import sys
import traceback
import unittest
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import check_estimator

import eclipsera

# (estimator, check): why it fails.
EXPECTED_FAILURES = {
    ("KMeans", "check_sample_weights_invariance(kind=zeros)"):
        "as scikit-learn's own KMeans (its _xfail_checks): a zero weight is "
        "not the same as removing the sample, k-means++ draws differ",
    ("MiniBatchKMeans", "check_sample_weights_invariance(kind=zeros)"):
        "as scikit-learn's own MiniBatchKMeans (its _xfail_checks)",
}

# Parameters that keep the checks fast and meaningful (scikit-learn's own
# test suite sets the same for its estimators, _set_checking_parameters).
CHECK_PARAMS = {
    "TSNE": {"perplexity": 2.0, "n_iter": 250},
    "MeanShift": {"bandwidth": 2.0},
}


def check_name(check):
    """The check's name, with its keyword arguments when it is a partial
    (check_sample_weights_invariance runs with kind='ones' and 'zeros')."""
    name = getattr(check, "func", check).__name__
    keywords = getattr(check, "keywords", {})
    if keywords:
        name += "(%s)" % ", ".join("%s=%s" % kv for kv in sorted(
            keywords.items()))
    return name


def main(names):
    failures, unexpected_passes, skipped, ran = [], [], [], 0
    for name, cls in eclipsera.all_estimators():
        if names and name not in names:
            continue
        est = cls(**CHECK_PARAMS.get(name, {}))
        for estimator, check in check_estimator(est, generate_only=True):
            key = (name, check_name(check))
            ran += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    check(estimator)
                passed, error = True, None
            except unittest.SkipTest as e:
                # The checks' own skips (pandas is not installed here).
                skipped.append((key, str(e)))
                continue
            except Exception as e:  # pylint: disable=broad-except
                passed = False
                error = "".join(traceback.format_exception_only(type(e), e))
            if not passed and key not in EXPECTED_FAILURES:
                failures.append((key, error))
            if passed and key in EXPECTED_FAILURES:
                unexpected_passes.append(key)
    for key, error in failures:
        print("FAILED %s.%s: %s" % (key[0], key[1], error.strip()[:2000]))
    for key in unexpected_passes:
        print("PASSES but listed in EXPECTED_FAILURES: %s.%s" % key)
    print("%d checks run, %d skipped by scikit-learn (%s), %d expected "
          "failures, %d unexpected failures, %d unexpected passes" % (
              ran, len(skipped), "; ".join(sorted({e for _, e in skipped})),
              len(EXPECTED_FAILURES), len(failures), len(unexpected_passes)))
    return 1 if failures or unexpected_passes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
