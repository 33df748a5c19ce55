// Space-partitioning tree for Barnes-Hut t-SNE.
#include "eclipsera/manifold/internal/space_tree.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "eclipsera/simd/tsne.h"

namespace eclipsera::manifold_internal {
namespace {
// scikit-learn's _quad_tree EPSILON: coordinates closer than this in every
// dimension are duplicates.
constexpr double kDuplicateEpsilon = 1e-6;
}  // namespace

bool SpaceTree::IsDuplicate(const double* a, const double* b) const {
  for (int ax = 0; ax < d_; ++ax) {
    if (std::fabs(a[ax] - b[ax]) > kDuplicateEpsilon) return false;
  }
  return true;
}

int SpaceTree::SelectChild(const Cell& cell, const double* point) const {
  int c = 0;
  for (int ax = 0; ax < d_; ++ax) {
    if (point[ax] >= cell.center[ax]) c |= 1 << ax;
  }
  return c;
}

int32_t SpaceTree::NewChild(int32_t parent, const double* point, int32_t index,
                            int64_t size) {
  Cell child;
  const Cell& p = cells_[parent];
  const int which = SelectChild(p, point);
  child.squared_max_width = 0.0;
  for (int ax = 0; ax < d_; ++ax) {
    if (which & (1 << ax)) {
      child.min_bounds[ax] = p.center[ax];
      child.max_bounds[ax] = p.max_bounds[ax];
    } else {
      child.min_bounds[ax] = p.min_bounds[ax];
      child.max_bounds[ax] = p.center[ax];
    }
    child.center[ax] = (child.min_bounds[ax] + child.max_bounds[ax]) / 2.0;
    const double w = child.max_bounds[ax] - child.min_bounds[ax];
    child.squared_max_width = std::max(child.squared_max_width, w * w);
    child.barycenter[ax] = point[ax];
  }
  child.cumulative_size = size;
  std::fill(child.children, child.children + (1 << kMaxDims), -1);
  child.point_index = index;
  child.is_leaf = true;
  const int32_t id = static_cast<int32_t>(cells_.size());
  cells_.push_back(child);  // may move cells_; `p` is not used after this
  cells_[parent].children[which] = id;
  cells_[parent].is_leaf = false;
  return id;
}

void SpaceTree::Insert(const double* point, int32_t index) {
  int32_t cell_id = 0;
  for (;;) {
    Cell& cell = cells_[cell_id];
    if (cell.cumulative_size == 0) {
      cell.cumulative_size = 1;
      for (int ax = 0; ax < d_; ++ax) cell.barycenter[ax] = point[ax];
      cell.point_index = index;
      next_point_[index] = -1;
      return;
    }
    if (!cell.is_leaf) {
      const double n_point = static_cast<double>(cell.cumulative_size);
      for (int ax = 0; ax < d_; ++ax) {
        cell.barycenter[ax] =
            (n_point * cell.barycenter[ax] + point[ax]) / (n_point + 1.0);
      }
      cell.cumulative_size += 1;
      const int32_t child = cell.children[SelectChild(cell, point)];
      if (child == -1) {
        next_point_[index] = -1;
        NewChild(cell_id, point, index, 1);
        return;
      }
      cell_id = child;
      continue;
    }
    if (IsDuplicate(point, cell.barycenter)) {
      cell.cumulative_size += 1;
      next_point_[index] = cell.point_index;  // the leaf's list of points
      cell.point_index = index;
      return;
    }
    // Split the leaf: its points move to a new child, then insert again
    // into this (now internal) cell.
    double moved[kMaxDims];
    for (int ax = 0; ax < d_; ++ax) moved[ax] = cell.barycenter[ax];
    NewChild(cell_id, moved, cell.point_index, cell.cumulative_size);
  }
}

void SpaceTree::Build(const double* y, Index n, int d) {
  d_ = d;
  n_children_ = 1 << d;
  double lo[kMaxDims], hi[kMaxDims];
  for (int ax = 0; ax < d; ++ax) {
    lo[ax] = std::numeric_limits<double>::infinity();
    hi[ax] = -std::numeric_limits<double>::infinity();
  }
  for (Index i = 0; i < n; ++i) {
    for (int ax = 0; ax < d; ++ax) {
      lo[ax] = std::min(lo[ax], y[i * d + ax]);
      hi[ax] = std::max(hi[ax], y[i * d + ax]);
    }
  }
  cells_.clear();
  if (cells_.capacity() < static_cast<size_t>(4 * n + 1)) {
    cells_.reserve(4 * n + 1);
    flat_.reserve(4 * n + 1);
    flat_point_.reserve(4 * n + 1);
    next_point_.reserve(n);
    group_cell_.reserve(n);
    group_start_.reserve(n + 1);
    group_points_.reserve(n);
    stack_.reserve(8 * n + 2);
  }
  Cell root;
  root.squared_max_width = 0.0;
  for (int ax = 0; ax < d; ++ax) {
    // A small margin so every point lies strictly inside the root.
    const double m = std::max(std::fabs(lo[ax]), std::fabs(hi[ax]));
    root.min_bounds[ax] = lo[ax];
    root.max_bounds[ax] =
        std::nextafter(hi[ax] + 1e-3 * m, std::numeric_limits<double>::max());
    root.center[ax] = (root.min_bounds[ax] + root.max_bounds[ax]) / 2.0;
    const double w = root.max_bounds[ax] - root.min_bounds[ax];
    root.squared_max_width = std::max(root.squared_max_width, w * w);
    root.barycenter[ax] = 0.0;
  }
  root.cumulative_size = 0;
  std::fill(root.children, root.children + (1 << kMaxDims), -1);
  root.point_index = -1;
  root.is_leaf = true;
  cells_.push_back(root);
  next_point_.resize(n);
  for (Index i = 0; i < n; ++i) Insert(y + i * d, static_cast<int32_t>(i));
  Flatten();
  MakeGroups();
}

void SpaceTree::Flatten() {
  flat_.resize(cells_.size());
  flat_point_.resize(cells_.size());
  // Preorder: a cell, then its children's subtrees in child order. The
  // stack holds cell ids, pushed in reverse child order; a negative entry
  // -(k + 1) closes flat cell k (its skip is the next free slot).
  stack_.clear();
  stack_.push_back(0);
  int32_t next = 0;
  while (!stack_.empty()) {
    const int32_t top = stack_.back();
    stack_.pop_back();
    if (top < 0) {
      flat_[-top - 1].skip = next;
      continue;
    }
    const Cell& c = cells_[top];
    FlatCell& f = flat_[next];
    for (int ax = 0; ax < kMaxDims; ++ax) {
      f.barycenter[ax] = ax < d_ ? c.barycenter[ax] : 0.0;
    }
    f.squared_max_width = c.squared_max_width;
    f.size = static_cast<double>(c.cumulative_size);
    f.is_leaf = c.is_leaf ? 1 : 0;
    flat_point_[next] = c.is_leaf ? c.point_index : -1;
    stack_.push_back(-(next + 1));
    ++next;
    for (int k = n_children_ - 1; k >= 0; --k) {
      if (c.children[k] != -1) stack_.push_back(c.children[k]);
    }
  }
}

void SpaceTree::MakeGroups() {
  // A point's group is the first cell on its root-to-leaf path with at most
  // kGroupSize points (or its leaf): in preorder, the first such cell met
  // on a scan that steps into larger cells and jumps over groups.
  group_cell_.clear();
  group_start_.clear();
  group_points_.clear();
  group_start_.push_back(0);
  const int32_t n_flat = static_cast<int32_t>(flat_.size());
  for (int32_t at = 0; at < n_flat;) {
    const FlatCell& cell = flat_[at];
    if (!cell.is_leaf && cell.size > kGroupSize) {
      ++at;
      continue;
    }
    for (int32_t l = at; l < cell.skip; ++l) {
      if (!flat_[l].is_leaf) continue;
      for (int32_t p = flat_point_[l]; p != -1; p = next_point_[p]) {
        group_points_.push_back(p);
      }
    }
    if (static_cast<int64_t>(group_points_.size()) > group_start_.back()) {
      group_cell_.push_back(at);
      group_start_.push_back(static_cast<int64_t>(group_points_.size()));
    }
    at = cell.skip;
  }
}

void SpaceTree::Scratch::Reserve(size_t cells) {
  if (ld >= cells) return;
  ld = cells;
  far.resize((kMaxDims + 1) * ld);
  near.resize((kMaxDims + 1) * ld);
}

void SpaceTree::GroupRepulsion(Index g, const double* y, double squared_theta,
                               Scratch* scratch, double* neg_force,
                               double* sum_q) const {
  const int d = d_;
  const int32_t gi = group_cell_[g];
  const int32_t* members = group_points_.data() + group_start_[g];
  const int64_t n_members = group_start_[g + 1] - group_start_[g];
  double lo[kMaxDims], hi[kMaxDims];
  for (int ax = 0; ax < d; ++ax) {
    lo[ax] = std::numeric_limits<double>::infinity();
    hi[ax] = -std::numeric_limits<double>::infinity();
  }
  for (int64_t m = 0; m < n_members; ++m) {
    const double* p = y + static_cast<Index>(members[m]) * d;
    for (int ax = 0; ax < d; ++ax) {
      lo[ax] = std::min(lo[ax], p[ax]);
      hi[ax] = std::max(hi[ax], p[ax]);
    }
  }
  // The interaction lists, in scan order.
  const size_t ld = scratch->ld;
  double* far = scratch->far.data();
  double* near = scratch->near.data();
  size_t n_far = 0, n_near = 0;
  const FlatCell* flat = flat_.data();
  const int32_t n_flat = static_cast<int32_t>(flat_.size());
  for (int32_t at = 0; at < n_flat;) {
    const FlatCell& cell = flat[at];
    if (cell.is_leaf) {
      for (int ax = 0; ax < d; ++ax)
        near[ax * ld + n_near] = cell.barycenter[ax];
      near[kMaxDims * ld + n_near] = cell.size;
      ++n_near;
      at = cell.skip;
      continue;
    }
    // The group's own ancestors (and its cell) always open.
    if (at <= gi && gi < cell.skip) {
      ++at;
      continue;
    }
    double d2 = 0.0;
    for (int ax = 0; ax < d; ++ax) {
      const double b = cell.barycenter[ax];
      const double e = std::max({lo[ax] - b, b - hi[ax], 0.0});
      d2 += e * e;
    }
    if (cell.squared_max_width < squared_theta * d2) {
      for (int ax = 0; ax < d; ++ax) far[ax * ld + n_far] = cell.barycenter[ax];
      far[kMaxDims * ld + n_far] = cell.size;
      ++n_far;
      at = cell.skip;
    } else {
      ++at;
    }
  }
  for (int64_t m = 0; m < n_members; ++m) {
    const Index i = members[m];
    const double* p = y + i * d;
    double force[kMaxDims] = {0.0, 0.0, 0.0};
    double q = simd::TsneRepulsionList(p, d, far, ld, far + kMaxDims * ld,
                                       n_far, false, kDuplicateEpsilon, force);
    q += simd::TsneRepulsionList(p, d, near, ld, near + kMaxDims * ld, n_near,
                                 true, kDuplicateEpsilon, force);
    for (int ax = 0; ax < d; ++ax) neg_force[i * d + ax] = force[ax];
    sum_q[i] = q;
  }
}

// One step of a scan: the cell at *i for `point`; advances *i.
template <int D>
inline void SpaceTree::Step(const FlatCell* flat, const double* point,
                            double squared_theta, int dof, int32_t* i,
                            double* force, double* sum_q) {
  const FlatCell& cell = flat[*i];
  double diff[D];
  double d2 = 0.0;
  bool duplicate = true;
  for (int ax = 0; ax < D; ++ax) {
    diff[ax] = point[ax] - cell.barycenter[ax];
    d2 += diff[ax] * diff[ax];
    duplicate &= std::fabs(diff[ax]) <= kDuplicateEpsilon;
  }
  if (cell.is_leaf) {
    *i = cell.skip;
  } else if (cell.squared_max_width < squared_theta * d2) {
    *i = cell.skip;
    duplicate = false;
  } else {
    ++*i;
    return;
  }
  double q = dof / (dof + d2);
  if (dof != 1) q = std::pow(q, (dof + 1.0) / 2.0);
  if (duplicate) {
    // The point's own leaf: its size - 1 coincident points count in the
    // normalisation and exert no force.
    *sum_q += std::max(cell.size - 1.0, 0.0) * q;
    return;
  }
  *sum_q += cell.size * q;
  const double mult = cell.size * q * q;
  for (int ax = 0; ax < D; ++ax) force[ax] += mult * diff[ax];
}

template <int D>
void SpaceTree::ScanRange(const double* y, Index begin, Index end,
                          double squared_theta, int dof, double* neg_force,
                          double* sum_q) const {
  const FlatCell* flat = flat_.data();
  const int32_t n_flat = static_cast<int32_t>(flat_.size());
  for (Index p = begin; p < end; ++p) {
    double force[D];
    for (int ax = 0; ax < D; ++ax) force[ax] = 0.0;
    double q = 0.0;
    for (int32_t at = 0; at < n_flat;) {
      Step<D>(flat, y + p * D, squared_theta, dof, &at, force, &q);
    }
    for (int ax = 0; ax < D; ++ax) neg_force[p * D + ax] = force[ax];
    sum_q[p] = q;
  }
}

void SpaceTree::RepulsionRange(const double* y, Index begin, Index end,
                               double squared_theta, int dof, double* neg_force,
                               double* sum_q) const {
  switch (d_) {
    case 1:
      return ScanRange<1>(y, begin, end, squared_theta, dof, neg_force, sum_q);
    case 2:
      return ScanRange<2>(y, begin, end, squared_theta, dof, neg_force, sum_q);
    default:
      return ScanRange<3>(y, begin, end, squared_theta, dof, neg_force, sum_q);
  }
}

double SpaceTree::Repulsion(const double* point, double squared_theta, int dof,
                            double* neg_force) const {
  double force[kMaxDims] = {0.0, 0.0, 0.0};
  double sum_q = 0.0;
  // The point as row 0 of a one-row matrix.
  RepulsionRange(point, 0, 1, squared_theta, dof, force, &sum_q);
  for (int ax = 0; ax < d_; ++ax) neg_force[ax] += force[ax];
  return sum_q;
}

}  // namespace eclipsera::manifold_internal
