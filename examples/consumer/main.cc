// Clusters three separated groups with Eclipsera's KMeans from another
// Bazel workspace and checks that it finds them.
#include <cstdio>

#include "eclipsera/cluster/kmeans.h"

int main() {
  eclipsera::Matrix x(300, 2);
  eclipsera::Random r(42);
  for (int i = 0; i < 300; ++i) {
    const int g = i % 3;
    x(i, 0) = 10.0 * g + r.Normal();
    x(i, 1) = -7.0 * g + r.Normal();
  }
  eclipsera::cluster::KMeansOptions options;
  options.n_clusters = 3;
  options.random_state = 0;
  options.n_jobs = -1;
  eclipsera::cluster::KMeans km(options);
  const absl::Status status = km.Fit(x);
  if (!status.ok()) {
    std::fprintf(stderr, "consumer: %s\n", status.ToString().c_str());
    return 1;
  }
  // Every group must map to one label, and the groups to distinct labels.
  bool ok = km.labels()(0) != km.labels()(1) &&
            km.labels()(1) != km.labels()(2) &&
            km.labels()(0) != km.labels()(2);
  for (int i = 3; i < 300; ++i) ok &= km.labels()(i) == km.labels()(i % 3);
  std::printf("consumer: KMeans inertia %.3f after %d iterations: %s\n",
              km.inertia(), km.n_iter(), ok ? "found the 3 groups" : "WRONG");
  return ok ? 0 : 1;
}
