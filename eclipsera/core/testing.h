// Test helpers: status matchers (Abseil 20220623 has none).
#ifndef ECLIPSERA_CORE_TESTING_H_
#define ECLIPSERA_CORE_TESTING_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eclipsera/core/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <class T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// Matches an absl::Status or StatusOr whose code is `code` and whose message
// matches `message_matcher`.
MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has status code ") + absl::StatusCodeToString(code)) {
  const absl::Status& s = ::eclipsera::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(s.message()), result_listener);
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = ::eclipsera::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.ok();
}

// True in ThreadSanitizer builds (--config=tsan), where memory-bound code runs
// 20-60x slower. Long numerical golden tests (many full optimisations of the
// same kernels) skip themselves there: they check numbers, which the plain
// and ASan runs cover, while the races are exercised by the n_jobs tests.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif
#else
inline constexpr bool kThreadSanitizer = false;
#endif

}  // namespace eclipsera::testing

#define ECLIPSERA_ASSERT_OK(expr) \
  ASSERT_THAT((expr), ::eclipsera::testing::IsOk())
#define ECLIPSERA_EXPECT_OK(expr) \
  EXPECT_THAT((expr), ::eclipsera::testing::IsOk())

// Asserts that `rexpr` (an absl::StatusOr<T>) is OK and moves its value
// into `lhs` (a declaration or an lvalue); for test bodies only.
#define ECLIPSERA_ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ECLIPSERA_ASSERT_OK_AND_ASSIGN_IMPL_(            \
      ECLIPSERA_STATUS_CONCAT_(eclipsera_statusor_, __LINE__), lhs, rexpr)
#define ECLIPSERA_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                         \
  ASSERT_TRUE(statusor.ok()) << statusor.status();                 \
  lhs = std::move(statusor).value()

#endif  // ECLIPSERA_CORE_TESTING_H_
