// Tests for PoolStatistics: hit rate, merge arithmetic and the report.
#include "eclipsera/pool/pool_statistics.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::pool {
namespace {

using ::testing::HasSubstr;

PoolStatistics Sample(int64_t k) {
  PoolStatistics s;
  s.objects_created = 1 * k;
  s.objects_destroyed = 2 * k;
  s.acquisitions = 30 * k;
  s.hits = 27 * k;
  s.misses = 3 * k;
  s.releases = 29 * k;
  s.resets = 26 * k;
  s.growth_events = 4 * k;
  s.exhausted = 5 * k;
  s.overflows = 6 * k;
  s.in_use = 1 * k;
  s.peak_in_use = 7 * k;
  return s;
}

TEST(PoolStatisticsTest, HitRate) {
  PoolStatistics s;
  EXPECT_EQ(s.hit_rate(), 0.0);
  s.acquisitions = 8;
  s.hits = 6;
  s.misses = 2;
  EXPECT_DOUBLE_EQ(s.hit_rate(), 0.75);
}

TEST(PoolStatisticsTest, MergeAddsEveryCounter) {
  PoolStatistics a = Sample(1);
  const PoolStatistics b = Sample(2);
  EXPECT_EQ(Merge(a, b), Sample(3));
  a.Merge(b).Merge(Sample(4));
  EXPECT_EQ(a, Sample(7));
  EXPECT_NE(a, Sample(6));
  EXPECT_DOUBLE_EQ(a.hit_rate(), 0.9);
}

TEST(PoolStatisticsTest, ReportLooksLikeTheRoadmap) {
  PoolStatistics s;
  s.objects_created = 4;
  s.acquisitions = 1000;
  s.hits = 996;
  s.misses = 4;
  s.releases = 1000;
  s.resets = 996;
  const std::string report = s.Report();
  EXPECT_EQ(report.rfind("Pool Statistics:\n  Allocations: 4\n"
                         "  Hit rate: 99.6%\n  Resets: 996\n",
                         0),
            0u)
      << report;
  EXPECT_THAT(report, HasSubstr("Acquisitions: 1000 (hits 996, misses 4)"));
  EXPECT_THAT(report, HasSubstr("In use: 0 (peak 0)"));
}

TEST(PoolStatisticsTest, EmptyReportHasZeroHitRate) {
  EXPECT_THAT(PoolStatistics().Report(), HasSubstr("Hit rate: 0.0%"));
}

}  // namespace
}  // namespace eclipsera::pool
