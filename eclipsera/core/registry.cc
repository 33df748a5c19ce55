// Estimator registry.
#include "eclipsera/core/registry.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace eclipsera {

absl::Status EstimatorRegistry::Register(EstimatorEntry entry) {
  for (const EstimatorEntry& e : entries_) {
    if (absl::EqualsIgnoreCase(e.name, entry.name)) {
      return absl::AlreadyExistsError(
          absl::StrCat("estimator '", entry.name, "' is already registered"));
    }
  }
  entries_.push_back(std::move(entry));
  return absl::OkStatus();
}

absl::StatusOr<const EstimatorEntry*> EstimatorRegistry::Find(
    absl::string_view name) const {
  for (const EstimatorEntry& e : entries_) {
    if (absl::EqualsIgnoreCase(e.name, name)) return &e;
  }
  std::string list;
  for (const EstimatorEntry& e : entries_) {
    absl::StrAppend(&list, list.empty() ? "" : ", ", e.name);
  }
  return absl::NotFoundError(
      absl::StrCat("unknown algorithm '", name, "'; available: ", list));
}

absl::StatusOr<std::unique_ptr<Estimator>> EstimatorRegistry::Create(
    absl::string_view name) const {
  absl::StatusOr<const EstimatorEntry*> e = Find(name);
  if (!e.ok()) return e.status();
  return (*e)->make();
}

}  // namespace eclipsera
