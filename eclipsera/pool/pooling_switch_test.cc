// Tests for the ECLIPSERA_DISABLE_POOLING switch and its override.
#include "eclipsera/pool/pooling_switch.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace eclipsera::pool {
namespace {

class PoolingSwitchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetPoolingDisabledOverride(std::nullopt);
    unsetenv(kDisablePoolingEnvVar);
  }
  void TearDown() override { SetUp(); }
};

TEST_F(PoolingSwitchTest, OnByDefault) { EXPECT_FALSE(PoolingDisabled()); }

TEST_F(PoolingSwitchTest, EnvironmentDisables) {
  for (const char* yes : {"1", "true", "TRUE", "yes", "On"}) {
    setenv(kDisablePoolingEnvVar, yes, 1);
    EXPECT_TRUE(PoolingDisabled()) << yes;
  }
  for (const char* no : {"0", "", "false", "no", "2"}) {
    setenv(kDisablePoolingEnvVar, no, 1);
    EXPECT_FALSE(PoolingDisabled()) << no;
  }
}

TEST_F(PoolingSwitchTest, OverrideWinsOverEnvironment) {
  setenv(kDisablePoolingEnvVar, "1", 1);
  SetPoolingDisabledOverride(false);
  EXPECT_FALSE(PoolingDisabled());
  SetPoolingDisabledOverride(std::nullopt);
  EXPECT_TRUE(PoolingDisabled());
  unsetenv(kDisablePoolingEnvVar);
  SetPoolingDisabledOverride(true);
  EXPECT_TRUE(PoolingDisabled());
}

TEST_F(PoolingSwitchTest, ScopedOverrideRestores) {
  {
    ScopedPoolingDisabled off(true);
    EXPECT_TRUE(PoolingDisabled());
    {
      ScopedPoolingDisabled on(false);
      EXPECT_FALSE(PoolingDisabled());
    }
    EXPECT_TRUE(PoolingDisabled());
  }
  EXPECT_FALSE(PoolingDisabled());
}

}  // namespace
}  // namespace eclipsera::pool
