#include "eclipsera/distributed/process_group.h"

#include <atomic>

namespace eclipsera::distributed {
namespace {
std::atomic<ProcessGroup*> g_group{nullptr};
}  // namespace

void SetProcessGroup(ProcessGroup* group) { g_group.store(group); }
ProcessGroup* GetProcessGroup() { return g_group.load(); }

}  // namespace eclipsera::distributed
