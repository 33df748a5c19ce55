// Umbrella header for //eclipsera/pool: object pools (Pool, SharedPool,
// ThreadLocalPool), the array pool, statistics and the opt-out switch.
#ifndef ECLIPSERA_POOL_POOL_H_
#define ECLIPSERA_POOL_POOL_H_

#include "eclipsera/pool/array_pool.h"         // IWYU pragma: export
#include "eclipsera/pool/object_pool.h"        // IWYU pragma: export
#include "eclipsera/pool/pool_statistics.h"    // IWYU pragma: export
#include "eclipsera/pool/pooling_switch.h"     // IWYU pragma: export
#include "eclipsera/pool/shared_pool.h"        // IWYU pragma: export
#include "eclipsera/pool/thread_local_pool.h"  // IWYU pragma: export

#endif  // ECLIPSERA_POOL_POOL_H_
