// NumPy .npy reading and writing.
#include "eclipsera/io/npy.h"

#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/io/file.h"
#include "eclipsera/io/text.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "eclipsera/io/npy.cc assumes a little-endian host"
#endif

namespace eclipsera::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

size_t ItemSize(NpyDtype t) {
  switch (t) {
    case NpyDtype::kFloat64:
    case NpyDtype::kInt64:
      return 8;
    case NpyDtype::kFloat32:
    case NpyDtype::kInt32:
      return 4;
  }
  return 8;
}

const char* DescrOf(NpyDtype t) {
  switch (t) {
    case NpyDtype::kFloat64:
      return "<f8";
    case NpyDtype::kFloat32:
      return "<f4";
    case NpyDtype::kInt32:
      return "<i4";
    case NpyDtype::kInt64:
      return "<i8";
  }
  return "?";
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return absl::StrCat("(", shape[0], ",)");
  return absl::StrCat("(", absl::StrJoin(shape, ", "), ")");
}

// A recursive-descent parser for the Python dict literal of a .npy header:
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(absl::string_view text, absl::string_view source)
      : text_(text), source_(source) {}

  absl::Status Parse(NpyHeader* header) {
    SkipSpace();
    if (!Consume('{')) return Malformed("expected '{' at the start");
    bool seen_descr = false, seen_fortran = false, seen_shape = false;
    while (true) {
      SkipSpace();
      if (Consume('}')) break;
      std::string key;
      if (!ParseString(&key)) {
        return Malformed("expected a quoted key or '}'");
      }
      SkipSpace();
      if (!Consume(':')) {
        return Malformed(absl::StrCat("expected ':' after key '",
                                      QuoteForMessage(key), "'"));
      }
      SkipSpace();
      absl::Status s;
      if (key == "descr") {
        if (seen_descr) return Duplicate(key);
        seen_descr = true;
        s = ParseDescr(header);
      } else if (key == "fortran_order") {
        if (seen_fortran) return Duplicate(key);
        seen_fortran = true;
        s = ParseFortranOrder();
      } else if (key == "shape") {
        if (seen_shape) return Duplicate(key);
        seen_shape = true;
        s = ParseShape(header);
      } else {
        return Error(absl::StrCat(
            "unexpected header key '", QuoteForMessage(key),
            "'; a .npy header has exactly 'descr', 'fortran_order', 'shape'"));
      }
      if (!s.ok()) return s;
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume('}')) break;
      return Malformed("expected ',' or '}' after a value");
    }
    SkipSpace();
    if (pos_ != text_.size()) {
      return Malformed("unexpected text after the closing '}'");
    }
    for (auto [seen, name] : {std::pair<bool, const char*>{seen_descr, "descr"},
                              {seen_fortran, "fortran_order"},
                              {seen_shape, "shape"}}) {
      if (!seen) {
        return Error(absl::StrCat("header has no '", name, "' key"));
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(source_, ": ", what));
  }
  absl::Status Malformed(absl::string_view what) const {
    return Error(absl::StrCat("malformed header dict at byte ", pos_, ": ",
                              what, "; header is '",
                              QuoteForMessage(text_, 120), "'"));
  }
  absl::Status Duplicate(absl::string_view key) const {
    return Error(absl::StrCat("header key '", key, "' appears twice"));
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ConsumeWord(absl::string_view w) {
    if (text_.substr(pos_, w.size()) == w) {
      pos_ += w.size();
      return true;
    }
    return false;
  }
  // A '...' or "..." literal without escapes.
  bool ParseString(std::string* out) {
    if (pos_ >= text_.size()) return false;
    const char q = text_[pos_];
    if (q != '\'' && q != '"') return false;
    const size_t end = text_.find(q, pos_ + 1);
    if (end == absl::string_view::npos) return false;
    absl::string_view body = text_.substr(pos_ + 1, end - pos_ - 1);
    if (body.find('\\') != absl::string_view::npos) return false;
    *out = std::string(body);
    pos_ = end + 1;
    return true;
  }

  absl::Status ParseDescr(NpyHeader* header) {
    if (pos_ < text_.size() && text_[pos_] == '[') {
      return Error(
          "'descr' is a structured dtype (a list of fields); only plain "
          "'<f8', '<f4', '<i4', '<i8' arrays are supported");
    }
    std::string descr;
    if (!ParseString(&descr)) {
      return Malformed("'descr' must be a quoted dtype string such as '<f8'");
    }
    if (descr == "<f8") {
      header->dtype = NpyDtype::kFloat64;
    } else if (descr == "<f4") {
      header->dtype = NpyDtype::kFloat32;
    } else if (descr == "<i4") {
      header->dtype = NpyDtype::kInt32;
    } else if (descr == "<i8") {
      header->dtype = NpyDtype::kInt64;
    } else if (!descr.empty() && descr[0] == '>') {
      return Error(absl::StrCat(
          "'descr' '", QuoteForMessage(descr),
          "': big-endian data is not supported; save a little-endian array "
          "(e.g. x.astype('<f8'))"));
    } else {
      return Error(
          absl::StrCat("unsupported dtype '", QuoteForMessage(descr),
                       "' in 'descr'; supported: '<f8', '<f4', '<i4', '<i8'"));
    }
    return absl::OkStatus();
  }

  absl::Status ParseFortranOrder() {
    if (ConsumeWord("False")) return absl::OkStatus();
    if (ConsumeWord("True")) {
      return Error(
          "'fortran_order' True is not supported; save a C-order array "
          "(np.ascontiguousarray(x))");
    }
    return Malformed("'fortran_order' must be True or False");
  }

  absl::Status ParseShape(NpyHeader* header) {
    header->shape.clear();
    if (!Consume('(')) {
      return Malformed("'shape' must be a tuple of integers such as (3, 4)");
    }
    while (true) {
      SkipSpace();
      if (Consume(')')) break;
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
        return Malformed("'shape' must hold non-negative integers");
      }
      int64_t v = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        const int digit = text_[pos_] - '0';
        if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) {
          return Error("'shape' has a dimension too large for int64");
        }
        v = v * 10 + digit;
        ++pos_;
      }
      Consume('L');  // Python 2 long literals.
      if (header->shape.size() >= 32) {
        return Error("'shape' has more than 32 dimensions");
      }
      header->shape.push_back(v);
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume(')')) break;
      return Malformed("expected ',' or ')' in 'shape'");
    }
    return absl::OkStatus();
  }

  absl::string_view text_;
  absl::string_view source_;
  size_t pos_ = 0;
};

uint32_t ReadLittleEndian(absl::string_view bytes, size_t offset, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + i]);
  }
  return v;
}

template <class T>
void Convert(const char* data, Index count, double* out) {
  for (Index i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

// Writes the header as numpy 1.24's np.save does, byte for byte: the dict,
// room for the first dimension to grow to 21 digits, then spaces and a
// newline so the data starts at a multiple of 64.
void AppendHeader(absl::string_view descr, const std::vector<int64_t>& shape,
                  std::string* out) {
  std::string dict = absl::StrCat(
      "{'descr': '", descr,
      "', 'fortran_order': False, 'shape': ", ShapeText(shape), ", }");
  const size_t first_digits = absl::StrCat(shape[0]).size();
  if (first_digits < 21) dict.append(21 - first_digits, ' ');
  const size_t unpadded = kMagicLen + 2 + 2 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  out->append(kMagic, kMagicLen);
  out->push_back('\x01');
  out->push_back('\x00');
  out->push_back(static_cast<char>(dict.size() & 0xff));
  out->push_back(static_cast<char>((dict.size() >> 8) & 0xff));
  out->append(dict);
}

}  // namespace

absl::StatusOr<NpyHeader> ParseNpyHeader(absl::string_view bytes,
                                         absl::string_view source) {
  return ParseNpyFileHeader(bytes, bytes.size(), source);
}

absl::StatusOr<NpyHeader> ParseNpyFileHeader(absl::string_view bytes,
                                             uint64_t file_size,
                                             absl::string_view source) {
  if (bytes.size() < kMagicLen ||
      bytes.substr(0, kMagicLen) != absl::string_view(kMagic, kMagicLen)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source,
                     ": bad magic: not a .npy file (expected the bytes "
                     "\\x93NUMPY, got '",
                     QuoteForMessage(bytes.substr(0, kMagicLen)), "')"));
  }
  if (bytes.size() < kMagicLen + 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": truncated header: no version bytes"));
  }
  NpyHeader header;
  header.major_version = static_cast<unsigned char>(bytes[kMagicLen]);
  header.minor_version = static_cast<unsigned char>(bytes[kMagicLen + 1]);
  if (header.major_version < 1 || header.major_version > 3 ||
      header.minor_version != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": unsupported format version ", header.major_version, ".",
        header.minor_version, "; supported: 1.0, 2.0, 3.0"));
  }
  const int len_bytes = header.major_version == 1 ? 2 : 4;
  const size_t prefix = kMagicLen + 2 + len_bytes;
  if (bytes.size() < prefix) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": truncated header: no header length"));
  }
  const size_t header_len = ReadLittleEndian(bytes, kMagicLen + 2, len_bytes);
  if (header_len > file_size - prefix) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": truncated header: header length ", header_len,
        " exceeds the ", file_size - prefix, " bytes left in the file"));
  }
  if (header_len > bytes.size() - prefix) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": header of ", header_len, " bytes is longer than the ",
        bytes.size() - prefix, " bytes read for it"));
  }
  HeaderParser parser(bytes.substr(prefix, header_len), source);
  absl::Status s = parser.Parse(&header);
  if (!s.ok()) return s;
  header.data_offset = prefix + header_len;

  if (header.shape.empty() || header.shape.size() > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": 'shape' ", ShapeText(header.shape), " has ",
                     header.shape.size(),
                     " dimensions; only 1-D and 2-D arrays are supported"));
  }
  // Data size without overflow: a product beyond 64 bits can never match
  // the input, and nothing is allocated before this check passes.
  const uint64_t available = file_size - header.data_offset;
  uint64_t needed = ItemSize(header.dtype);
  bool overflow = false;
  for (int64_t d : header.shape) {
    if (d == 0) {
      needed = 0;
      overflow = false;
      break;
    }
    if (!overflow &&
        __builtin_mul_overflow(needed, static_cast<uint64_t>(d), &needed)) {
      overflow = true;
    }
  }
  if (overflow || needed != available) {
    const std::string need = overflow ? std::string("more than 2^64 data bytes")
                                      : absl::StrCat(needed, " data bytes");
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": 'shape' ", ShapeText(header.shape), " of '",
                     DescrOf(header.dtype), "' needs ", need, ", but ",
                     available, " follow the header",
                     (overflow || needed > available) ? " (truncated data)"
                                                      : " (trailing data)"));
  }
  return header;
}

absl::StatusOr<Matrix> ParseNpy(absl::string_view bytes,
                                absl::string_view source) {
  absl::StatusOr<NpyHeader> header = ParseNpyHeader(bytes, source);
  if (!header.ok()) return header.status();
  const Index rows = static_cast<Index>(header->shape[0]);
  const Index cols =
      header->shape.size() == 2 ? static_cast<Index>(header->shape[1]) : 1;
  Matrix m(rows, cols);
  const Index count = rows * cols;  // Fits: checked against the input size.
  if (count == 0) return m;
  const char* data = bytes.data() + header->data_offset;
  switch (header->dtype) {
    case NpyDtype::kFloat64:
      std::memcpy(m.data(), data, count * sizeof(double));
      break;
    case NpyDtype::kFloat32:
      Convert<float>(data, count, m.data());
      break;
    case NpyDtype::kInt32:
      Convert<int32_t>(data, count, m.data());
      break;
    case NpyDtype::kInt64:
      Convert<int64_t>(data, count, m.data());
      break;
  }
  return m;
}

// Asks for transparent huge pages on the whole 2 MiB pages inside
// [p, p + bytes) (Linux's default THP mode is "madvise"): the read then
// faults in 2 MiB at a time instead of 4 KiB, which on this project's VMs
// was half the time of reading a 1 GB file from the page cache. Advice
// only: nothing changes where THP is off.
void AdviseHugePages(void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin =
      (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) {
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
#else
  (void)p;
  (void)bytes;
#endif
}

absl::StatusOr<Matrix> ReadNpy(const std::string& path) {
  absl::StatusOr<InputFile> file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  if (!file->regular()) {
    // A pipe or a device: no size in advance, read it whole.
    absl::StatusOr<std::string> bytes = ReadFileToString(path);
    if (!bytes.ok()) return bytes.status();
    return ParseNpy(*bytes, path);
  }
  // The header (version 1: at most 64 KiB; later versions: whatever the
  // length field says, capped), then the data straight into the matrix.
  const uint64_t size = file->size();
  std::string head(static_cast<size_t>(std::min<uint64_t>(size, 4096)), '\0');
  ECLIPSERA_RETURN_IF_ERROR(file->ReadExactly(head.data(), head.size()));
  if (head.size() >= kMagicLen + 4) {
    const int major = static_cast<unsigned char>(head[kMagicLen]);
    const int len_bytes = major == 1 ? 2 : 4;
    if (head.size() >= kMagicLen + 2 + len_bytes) {
      const uint64_t want = kMagicLen + 2 + len_bytes +
                            ReadLittleEndian(head, kMagicLen + 2, len_bytes);
      constexpr uint64_t kMaxHeader = uint64_t{1} << 24;
      if (want > head.size() && want <= size && want <= kMaxHeader) {
        const size_t have = head.size();
        head.resize(static_cast<size_t>(want));
        ECLIPSERA_RETURN_IF_ERROR(
            file->ReadExactly(head.data() + have, head.size() - have));
      }
    }
  }
  absl::StatusOr<NpyHeader> header = ParseNpyFileHeader(head, size, path);
  if (!header.ok()) return header.status();
  const Index rows = static_cast<Index>(header->shape[0]);
  const Index cols =
      header->shape.size() == 2 ? static_cast<Index>(header->shape[1]) : 1;
  const uint64_t count = static_cast<uint64_t>(rows) * cols;  // checked
  // Data bytes already in `head` (a small file read whole).
  const size_t in_head = head.size() - header->data_offset;
  Matrix m(rows, cols);
  if (count == 0) return m;
  const size_t item = ItemSize(header->dtype);
  AdviseHugePages(m.data(), static_cast<size_t>(count) * sizeof(double));
  if (header->dtype == NpyDtype::kFloat64) {
    char* dst = reinterpret_cast<char*>(m.data());
    std::memcpy(dst, head.data() + header->data_offset, in_head);
    ECLIPSERA_RETURN_IF_ERROR(
        file->ReadExactly(dst + in_head, count * item - in_head));
    return m;
  }
  // Other dtypes: converted in 1 MiB pieces of whole items.
  std::string buf(head, header->data_offset);
  buf.reserve(std::max<size_t>(buf.size(), size_t{1} << 20));
  uint64_t done = 0;
  while (done < count) {
    const size_t whole = buf.size() / item;
    switch (header->dtype) {
      case NpyDtype::kFloat32:
        Convert<float>(buf.data(), whole, m.data() + done);
        break;
      case NpyDtype::kInt32:
        Convert<int32_t>(buf.data(), whole, m.data() + done);
        break;
      case NpyDtype::kInt64:
        Convert<int64_t>(buf.data(), whole, m.data() + done);
        break;
      case NpyDtype::kFloat64:
        break;
    }
    done += whole;
    buf.erase(0, whole * item);
    if (done == count) break;
    const size_t want = static_cast<size_t>(
        std::min<uint64_t>((count - done) * item, size_t{1} << 20));
    const size_t have = buf.size();
    buf.resize(want);
    ECLIPSERA_RETURN_IF_ERROR(
        file->ReadExactly(buf.data() + have, want - have));
  }
  return m;
}

absl::StatusOr<LabelVector> ParseNpyLabels(absl::string_view bytes,
                                           absl::string_view source) {
  absl::StatusOr<NpyHeader> header = ParseNpyHeader(bytes, source);
  if (!header.ok()) return header.status();
  if (header->shape.size() == 2 && header->shape[1] != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": labels must be a 1-D array, got 'shape' ",
                     ShapeText(header->shape)));
  }
  const Index n = static_cast<Index>(header->shape[0]);
  const char* data = bytes.data() + header->data_offset;
  LabelVector labels(n);
  for (Index i = 0; i < n; ++i) {
    double d;
    switch (header->dtype) {
      case NpyDtype::kInt32: {
        std::memcpy(&labels(i), data + i * 4, 4);
        continue;
      }
      case NpyDtype::kInt64: {
        int64_t v;
        std::memcpy(&v, data + i * 8, 8);
        d = static_cast<double>(v);
        if (v < std::numeric_limits<int32_t>::min() ||
            v > std::numeric_limits<int32_t>::max()) {
          d = std::numeric_limits<double>::infinity();
        }
        break;
      }
      case NpyDtype::kFloat32: {
        float v;
        std::memcpy(&v, data + i * 4, 4);
        d = v;
        break;
      }
      case NpyDtype::kFloat64:
      default:
        std::memcpy(&d, data + i * 8, 8);
        break;
    }
    if (!(d >= std::numeric_limits<int32_t>::min() &&
          d <= std::numeric_limits<int32_t>::max() && std::floor(d) == d)) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ": label ", i + 1, " is not an integer in int32 range"));
    }
    labels(i) = static_cast<int32_t>(d);
  }
  return labels;
}

absl::StatusOr<LabelVector> ReadNpyLabels(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  if (!bytes.ok()) return bytes.status();
  return ParseNpyLabels(*bytes, path);
}

std::string EncodeNpy(const ConstMatrixRef& x) {
  std::string out;
  AppendHeader("<f8", {x.rows(), x.cols()}, &out);
  const size_t start = out.size();
  out.resize(start + static_cast<size_t>(x.size()) * sizeof(double));
  char* dst = &out[start];
  for (Index i = 0; i < x.rows(); ++i) {
    // Rows of a Ref are contiguous (row-major, inner stride 1).
    if (x.cols() > 0) {
      std::memcpy(dst, x.data() + i * x.outerStride(),
                  x.cols() * sizeof(double));
    }
    dst += x.cols() * sizeof(double);
  }
  return out;
}

absl::Status WriteNpy(const std::string& path, const ConstMatrixRef& x) {
  return WriteStringToFile(path, EncodeNpy(x));
}

std::string EncodeNpyLabels(const ConstLabelRef& labels) {
  std::string out;
  AppendHeader("<i4", {labels.size()}, &out);
  const size_t start = out.size();
  out.resize(start + static_cast<size_t>(labels.size()) * sizeof(int32_t));
  for (Index i = 0; i < labels.size(); ++i) {
    const int32_t v = labels(i);
    std::memcpy(&out[start + i * sizeof(int32_t)], &v, sizeof(int32_t));
  }
  return out;
}

absl::Status WriteNpyLabels(const std::string& path,
                            const ConstLabelRef& labels) {
  return WriteStringToFile(path, EncodeNpyLabels(labels));
}

}  // namespace eclipsera::io
