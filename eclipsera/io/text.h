// Small text helpers shared by the readers, writers and the command line:
// round-trip number formatting and safe quoting of input in messages.
#ifndef ECLIPSERA_IO_TEXT_H_
#define ECLIPSERA_IO_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace eclipsera::io {

// The shortest decimal text that parses back to exactly `value` ("0.1",
// "1e+20", "-3"); "nan", "inf" or "-inf" for non-finite values.
std::string FormatDouble(double value);

// `text` escaped as C would (non-printable bytes as \xNN) and cut to at most
// `max_len` input bytes with "..." appended, so hostile input cannot flood or
// corrupt an error message.
std::string QuoteForMessage(absl::string_view text, size_t max_len = 40);

}  // namespace eclipsera::io

#endif  // ECLIPSERA_IO_TEXT_H_
