// FUZZ_CHECK: an invariant check for fuzz targets that aborts with a message
// (libFuzzer and the corpus regression tests then report the input).
#ifndef ECLIPSERA_FUZZ_FUZZ_CHECK_H_
#define ECLIPSERA_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                               \
  do {                                                                 \
    if (!(cond)) {                                                     \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, \
                   __LINE__, #cond);                                   \
      std::abort();                                                    \
    }                                                                  \
  } while (0)

#endif  // ECLIPSERA_FUZZ_FUZZ_CHECK_H_
