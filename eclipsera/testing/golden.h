// Golden data for tests: the matrices scikit-learn wrote next to each
// package's tests (testdata/*.csv or *.npy), read with eclipsera/io.
#ifndef ECLIPSERA_TESTING_GOLDEN_H_
#define ECLIPSERA_TESTING_GOLDEN_H_

#include <string>

#include "eclipsera/core/matrix.h"

namespace eclipsera::testing {

// Reads `path` (relative to the runfiles root, e.g.
// "eclipsera/cluster/testdata/blobs_x.csv"). On any error the current test
// fails with the reader's message and an empty matrix is returned.
Matrix LoadGolden(const std::string& path);

}  // namespace eclipsera::testing

#endif  // ECLIPSERA_TESTING_GOLDEN_H_
