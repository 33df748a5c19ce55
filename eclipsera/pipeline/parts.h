// Shared by the composites whose members are (name, transformer or "drop"
// or "passthrough") parts: FeatureUnion and ColumnTransformer.
#ifndef ECLIPSERA_PIPELINE_PARTS_H_
#define ECLIPSERA_PIPELINE_PARTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/params.h"

namespace eclipsera::pipeline {

inline constexpr char kDrop[] = "drop";
inline constexpr char kPassthrough[] = "passthrough";

// Whether `v` is the string `s`.
bool IsString(const ParamValue& v, absl::string_view s);

// OK when `v` is a transformer (an estimator), "drop" or "passthrough";
// otherwise an error naming `owner`'s part `name` and what it got.
absl::Status CheckPartValue(absl::string_view owner, absl::string_view name,
                            const ParamValue& v);

// Part names: non-empty, without "__", unique and none of `reserved` (the
// owner's own parameter names).
absl::Status CheckPartNames(absl::string_view owner,
                            const std::vector<std::string>& names,
                            const std::vector<std::string>& reserved);

}  // namespace eclipsera::pipeline

#endif  // ECLIPSERA_PIPELINE_PARTS_H_
