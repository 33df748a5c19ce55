// Reads the small numeric CSV golden files of the manifold and metrics tests.
#ifndef ECLIPSERA_MANIFOLD_TESTDATA_READ_CSV_H_
#define ECLIPSERA_MANIFOLD_TESTDATA_READ_CSV_H_

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "eclipsera/core/matrix.h"

namespace eclipsera::manifold_testing {

// Comma-separated numbers, one row per line; an empty matrix when the file
// cannot be read.
inline Matrix ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<double>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) {
      row.push_back(std::strtod(field.c_str(), nullptr));
    }
    rows.push_back(row);
  }
  if (rows.empty()) return Matrix();
  Matrix m(rows.size(), rows[0].size());
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].size() && j < rows[0].size(); ++j) {
      m(i, j) = rows[i][j];
    }
  }
  return m;
}

}  // namespace eclipsera::manifold_testing

#endif  // ECLIPSERA_MANIFOLD_TESTDATA_READ_CSV_H_
