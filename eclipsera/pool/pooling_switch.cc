// The ECLIPSERA_DISABLE_POOLING switch and its programmatic override.
#include "eclipsera/pool/pooling_switch.h"

#include <atomic>
#include <cstdlib>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace eclipsera::pool {
namespace {

// -1: no override, 0: pooling on, 1: pooling off.
std::atomic<int> g_override{-1};

bool EnvDisables() {
  const char* value = std::getenv(kDisablePoolingEnvVar);
  if (value == nullptr) return false;
  const std::string lower = absl::AsciiStrToLower(absl::string_view(value));
  return lower == "1" || lower == "true" || lower == "yes" || lower == "on";
}

}  // namespace

bool PoolingDisabled() {
  const int forced = g_override.load(std::memory_order_acquire);
  if (forced >= 0) return forced == 1;
  return EnvDisables();
}

void SetPoolingDisabledOverride(std::optional<bool> disabled) {
  g_override.store(disabled.has_value() ? (*disabled ? 1 : 0) : -1,
                   std::memory_order_release);
}

ScopedPoolingDisabled::ScopedPoolingDisabled(bool disabled)
    : previous_(
          g_override.exchange(disabled ? 1 : 0, std::memory_order_acq_rel)) {}

ScopedPoolingDisabled::~ScopedPoolingDisabled() {
  g_override.store(previous_, std::memory_order_release);
}

}  // namespace eclipsera::pool
