// Minimal JSON writing.
#include "eclipsera/cli/json.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "eclipsera/io/text.h"

namespace eclipsera::cli {

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string JsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  return io::FormatDouble(value);
}

JsonObject& JsonObject::Add(absl::string_view key, double value) {
  return AddRaw(key, JsonNumber(value));
}
JsonObject& JsonObject::Add(absl::string_view key, int64_t value) {
  return AddRaw(key, absl::StrCat(value));
}
JsonObject& JsonObject::Add(absl::string_view key, absl::string_view value) {
  return AddRaw(key, JsonString(value));
}

JsonObject& JsonObject::AddStrings(absl::string_view key,
                                   const std::vector<std::string>& values) {
  std::string list = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    absl::StrAppend(&list, i > 0 ? ", " : "", JsonString(values[i]));
  }
  list += ']';
  return AddRaw(key, list);
}

bool JsonObject::Has(absl::string_view key) const {
  return keys_.find(absl::StrCat(absl::string_view("\0", 1), key,
                                 absl::string_view("\0", 1))) !=
         std::string::npos;
}

JsonObject& JsonObject::AddRaw(absl::string_view key, absl::string_view json) {
  if (Has(key)) return *this;
  absl::StrAppend(&keys_, absl::string_view("\0", 1), key,
                  absl::string_view("\0", 1));
  absl::StrAppend(&body_, body_.size() > 1 ? ", " : "", JsonString(key), ": ",
                  json);
  return *this;
}

}  // namespace eclipsera::cli
