#include "eclipsera/pipeline/parts.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace eclipsera::pipeline {

bool IsString(const ParamValue& v, absl::string_view s) {
  const std::string* p = std::get_if<std::string>(&v);
  return p != nullptr && *p == s;
}

absl::Status CheckPartValue(absl::string_view owner, absl::string_view name,
                            const ParamValue& v) {
  if (IsString(v, kDrop) || IsString(v, kPassthrough)) return absl::OkStatus();
  const EstimatorParam* e = std::get_if<EstimatorParam>(&v);
  if (e != nullptr && e->prototype != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(owner, ": part '", name,
                   "' must be a transformer, 'drop' or 'passthrough', got ",
                   FormatParamValue(v)));
}

absl::Status CheckPartNames(absl::string_view owner,
                            const std::vector<std::string>& names,
                            const std::vector<std::string>& reserved) {
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& n = names[i];
    if (n.empty() || absl::StrContains(n, "__") ||
        std::find(reserved.begin(), reserved.end(), n) != reserved.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(owner, ": invalid part name '", n,
                       "' (names are non-empty, without '__', and not ",
                       absl::StrJoin(reserved, ", "), ")"));
    }
    if (std::find(names.begin(), names.begin() + i, n) != names.begin() + i) {
      return absl::InvalidArgumentError(absl::StrCat(
          owner, ": part names must be unique; '", n, "' appears twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace eclipsera::pipeline
