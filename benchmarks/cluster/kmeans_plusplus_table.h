// The k-means++ table: cluster::KMeansPlusPlus against scikit-learn 1.2's
// sklearn.cluster.kmeans_plusplus on the same data in the same run.
#ifndef ECLIPSERA_BENCHMARKS_CLUSTER_KMEANS_PLUSPLUS_TABLE_H_
#define ECLIPSERA_BENCHMARKS_CLUSTER_KMEANS_PLUSPLUS_TABLE_H_

namespace eclipsera::bench {

// Prints the k-means++ tables (300,000 x 64, k=64; tiny sizes and no
// scikit-learn in smoke mode).
void KMeansPlusPlusTables();

}  // namespace eclipsera::bench

#endif  // ECLIPSERA_BENCHMARKS_CLUSTER_KMEANS_PLUSPLUS_TABLE_H_
