// Row-major double matrix and vector types, their views, and label vectors.
//
// Data is stored like numpy's default C order: a sample per row. Functions
// take `ConstMatrixRef` views so callers never copy (a column-major argument
// is copied into a temporary by Eigen, correct but slower).
#ifndef ECLIPSERA_CORE_MATRIX_H_
#define ECLIPSERA_CORE_MATRIX_H_

#include <cstdint>

#include "Eigen/Core"

namespace eclipsera {

using Index = Eigen::Index;

// n_samples x n_features, row-major.
using Matrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;
// Cluster / component labels (noise is -1 where an algorithm has noise).
using LabelVector = Eigen::Matrix<int32_t, Eigen::Dynamic, 1>;
using IndexVector = Eigen::Matrix<Index, Eigen::Dynamic, 1>;

using MatrixRef = Eigen::Ref<Matrix>;
using ConstMatrixRef = Eigen::Ref<const Matrix>;
using VectorRef = Eigen::Ref<Vector>;
using ConstVectorRef = Eigen::Ref<const Vector>;
using LabelRef = Eigen::Ref<LabelVector>;
using ConstLabelRef = Eigen::Ref<const LabelVector>;

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_MATRIX_H_
