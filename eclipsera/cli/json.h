// A minimal JSON object writer for the command line's one-line reports.
#ifndef ECLIPSERA_CLI_JSON_H_
#define ECLIPSERA_CLI_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace eclipsera::cli {

// `text` as a JSON string literal, quotes included: '"' and '\' escaped,
// control characters as \n, \t, ... or \u00XX; other bytes unchanged.
std::string JsonString(absl::string_view text);

// `value` as a JSON number that parses back to the same double (shortest
// round-trip form), or null for NaN and infinities, which JSON lacks.
std::string JsonNumber(double value);

// Builds one JSON object on one line: {"a": 1, "b": "x"}. Keys are written
// in insertion order; adding a key that is already present is ignored.
class JsonObject {
 public:
  JsonObject& Add(absl::string_view key, double value);
  JsonObject& Add(absl::string_view key, int64_t value);
  JsonObject& Add(absl::string_view key, absl::string_view value);
  // A list of strings: "key": ["a", "b"] ([] when empty).
  JsonObject& AddStrings(absl::string_view key,
                         const std::vector<std::string>& values);
  // A value that is already JSON text (an object, a list of numbers).
  JsonObject& AddRaw(absl::string_view key, absl::string_view json);
  bool Has(absl::string_view key) const;
  std::string str() const { return body_ + "}"; }

 private:
  std::string body_ = "{";
  std::string keys_;  // "\0key\0" markers for duplicate detection.
};

}  // namespace eclipsera::cli

#endif  // ECLIPSERA_CLI_JSON_H_
