// A space-partitioning tree (binary tree, quadtree or octree for 1 to 3
// dimensions) of the embedding, for the Barnes-Hut repulsive forces of
// t-SNE, following scikit-learn 1.2's _quad_tree.pyx.
#ifndef ECLIPSERA_MANIFOLD_INTERNAL_SPACE_TREE_H_
#define ECLIPSERA_MANIFOLD_INTERNAL_SPACE_TREE_H_

#include <cstdint>
#include <vector>

#include "eclipsera/core/matrix.h"

namespace eclipsera::manifold_internal {

class SpaceTree {
 public:
  static constexpr int kMaxDims = 3;

  // Rebuilds the tree over the n points of y (n x d, row-major, d in
  // [1, 3]) by inserting them in index order, then lays it out flat in
  // depth-first order for Repulsion. Reuses the cell storage (4n cells are
  // reserved): it allocates only when the tree needs more cells than it
  // ever had.
  void Build(const double* y, Index n, int d);

  // Adds to neg_force (d entries) the repulsive force on `point` summarised
  // with the Barnes-Hut criterion squared_width / squared_distance <
  // theta^2, and returns the sum of the (unnormalised) Student-t kernel
  // over the summarised cells; self interactions are skipped. Thread-safe
  // and allocation-free. The cells are visited in the order of a recursive
  // traversal (children 0, 1, ...), as scikit-learn does, but as one
  // forward scan of the flat layout: a summarised cell jumps over its
  // subtree, a refined one steps into its first child.
  double Repulsion(const double* point, double squared_theta, int dof,
                   double* neg_force) const;

  // The same for the points [begin, end) of y (n x d, row-major): writes
  // neg_force[i * d + k] (not added) and sum_q[i]. Thread-safe for
  // disjoint ranges, allocation-free.
  void RepulsionRange(const double* y, Index begin, Index end,
                      double squared_theta, int dof, double* neg_force,
                      double* sum_q) const;

  Index num_cells() const { return static_cast<Index>(cells_.size()); }
  size_t capacity() const { return cells_.capacity(); }

 private:
  struct Cell {
    double barycenter[kMaxDims];
    double min_bounds[kMaxDims];
    double max_bounds[kMaxDims];
    double center[kMaxDims];
    double squared_max_width;
    int64_t cumulative_size;
    int32_t children[1 << kMaxDims];
    int32_t point_index;
    bool is_leaf;
  };

  void Insert(const double* point, int32_t index);
  int32_t NewChild(int32_t parent, const double* point, int32_t index,
                   int64_t size);
  int SelectChild(const Cell& cell, const double* point) const;
  bool IsDuplicate(const double* a, const double* b) const;
  void Flatten();

  // A cell of the depth-first layout: 48 bytes instead of Cell's 160, and
  // its subtree is flat[i + 1, skip).
  struct FlatCell {
    double barycenter[kMaxDims];
    double squared_max_width;
    double size;
    int32_t skip;
    int32_t is_leaf;
  };

  template <int D>
  static void Step(const FlatCell* flat, const double* point,
                   double squared_theta, int dof, int32_t* i, double* force,
                   double* sum_q);
  template <int D>
  void ScanRange(const double* y, Index begin, Index end, double squared_theta,
                 int dof, double* neg_force, double* sum_q) const;

  int d_ = 2;
  int n_children_ = 4;
  std::vector<Cell> cells_;
  std::vector<FlatCell> flat_;
  std::vector<int32_t> stack_;  // Flatten's traversal stack
};

}  // namespace eclipsera::manifold_internal

#endif  // ECLIPSERA_MANIFOLD_INTERNAL_SPACE_TREE_H_
