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

  // Grouped Barnes-Hut (what the t-SNE gradient uses). The points are
  // partitioned into groups: the largest cells of at most kGroupSize
  // points. For a group, one scan of the tree builds an interaction list
  // with the opening test applied at the distance from the group's
  // bounding box (never more than any member's distance), then every
  // member is evaluated against the list with a SIMD kernel. A cell
  // summarised for the group therefore passes scikit-learn's test for each
  // member; a member may get a finer summary than scikit-learn's per-point
  // scan (the result is never less accurate, and angle = 0 is still
  // exact). Leaves are always exact and skip duplicates of the point.
  static constexpr int64_t kGroupSize = 128;

  // Per-worker interaction lists; Reserve once for the tree's capacity.
  struct Scratch {
    void Reserve(size_t cells);
    size_t ld = 0;             // capacity of each list
    std::vector<double> far;   // (kMaxDims + 1) x ld: coordinates, sizes
    std::vector<double> near;  // the same for leaves
  };

  Index num_groups() const { return static_cast<Index>(group_cell_.size()); }

  // Repulsion on every point of group g (y: n x d, the points the tree was
  // built from): writes neg_force[i * d + k] and sum_q[i] for its points.
  // Thread-safe for distinct groups and scratches; allocation-free when
  // scratch was reserved for capacity().
  void GroupRepulsion(Index g, const double* y, double squared_theta,
                      Scratch* scratch, double* neg_force, double* sum_q) const;

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
  void MakeGroups();

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
  // Groups in flat order: flat index of the group's cell, and its points
  // group_points_[group_start_[g], group_start_[g + 1]).
  std::vector<int32_t> group_cell_;
  std::vector<int64_t> group_start_;
  std::vector<int32_t> group_points_;
  std::vector<int32_t> flat_point_;  // per flat leaf: first of its points
  std::vector<int32_t> next_point_;  // per point: next point in its leaf
};

}  // namespace eclipsera::manifold_internal

#endif  // ECLIPSERA_MANIFOLD_INTERNAL_SPACE_TREE_H_
