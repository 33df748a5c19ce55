// Only the k-means++ tables of kmeans_table (quicker to run while tuning).
#include "benchmarks/cluster/kmeans_plusplus_table.h"
#include "benchmarks/common/report.h"

int main(int argc, char** argv) {
  eclipsera::bench::ParseFlags(argc, argv);
  eclipsera::bench::KMeansPlusPlusTables();
  return 0;
}
