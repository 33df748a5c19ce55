// Status propagation macros for absl::Status and absl::StatusOr.
#ifndef ECLIPSERA_CORE_STATUS_MACROS_H_
#define ECLIPSERA_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ECLIPSERA_STATUS_CONCAT_INNER_(a, b) a##b
#define ECLIPSERA_STATUS_CONCAT_(a, b) ECLIPSERA_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define ECLIPSERA_RETURN_IF_ERROR(expr)                                        \
  do {                                                                         \
    ::absl::Status eclipsera_status_ = (expr);                                 \
    if (ABSL_PREDICT_FALSE(!eclipsera_status_.ok())) return eclipsera_status_; \
  } while (0)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status when not OK,
// otherwise moves the value into `lhs` (a declaration or an lvalue).
#define ECLIPSERA_ASSIGN_OR_RETURN(lhs, rexpr) \
  ECLIPSERA_ASSIGN_OR_RETURN_IMPL_(            \
      ECLIPSERA_STATUS_CONCAT_(eclipsera_statusor_, __LINE__), lhs, rexpr)

#define ECLIPSERA_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)      \
  auto statusor = (rexpr);                                          \
  if (ABSL_PREDICT_FALSE(!statusor.ok())) return statusor.status(); \
  lhs = std::move(statusor).value()

#endif  // ECLIPSERA_CORE_STATUS_MACROS_H_
