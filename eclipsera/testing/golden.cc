#include "eclipsera/testing/golden.h"

#include "absl/status/statusor.h"
#include "eclipsera/io/data_file.h"
#include "gtest/gtest.h"

namespace eclipsera::testing {

Matrix LoadGolden(const std::string& path) {
  absl::StatusOr<Matrix> m = io::ReadMatrix(path);
  if (!m.ok()) {
    ADD_FAILURE() << "golden file " << path << ": " << m.status();
    return Matrix();
  }
  return *std::move(m);
}

}  // namespace eclipsera::testing
