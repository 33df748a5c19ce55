// Round-trip number formatting and message quoting.
#include "eclipsera/io/text.h"

#include <charconv>
#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace eclipsera::io {

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, r.ptr);
}

std::string QuoteForMessage(absl::string_view text, size_t max_len) {
  if (text.size() <= max_len) return absl::CHexEscape(text);
  return absl::StrCat(absl::CHexEscape(text.substr(0, max_len)), "...");
}

}  // namespace eclipsera::io
