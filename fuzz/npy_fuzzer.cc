// libFuzzer target for the .npy reader: any input must give a matrix or an
// InvalidArgument status without allocating more than the input can fill,
// and every matrix read must survive an encode/parse round trip bit for bit.
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "eclipsera/io/npy.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<eclipsera::Matrix> m = eclipsera::io::ParseNpy(input, "f.npy");
  if (!m.ok()) {
    FUZZ_CHECK(m.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!m.status().message().empty());
  } else {
    // Every element came from the input: at least 4 bytes each.
    FUZZ_CHECK(m->size() <= static_cast<eclipsera::Index>(size / 4));
    const std::string encoded = eclipsera::io::EncodeNpy(*m);
    FUZZ_CHECK(encoded.size() % 64 == m->size() * 8 % 64);
    absl::StatusOr<eclipsera::Matrix> back = eclipsera::io::ParseNpy(encoded);
    FUZZ_CHECK(back.ok());
    FUZZ_CHECK(back->rows() == m->rows() && back->cols() == m->cols());
    FUZZ_CHECK(m->size() == 0 || std::memcmp(back->data(), m->data(),
                                             m->size() * sizeof(double)) == 0);
  }
  absl::StatusOr<eclipsera::LabelVector> labels =
      eclipsera::io::ParseNpyLabels(input, "f.npy");
  if (labels.ok()) {
    absl::StatusOr<eclipsera::LabelVector> back =
        eclipsera::io::ParseNpyLabels(eclipsera::io::EncodeNpyLabels(*labels));
    FUZZ_CHECK(back.ok() && *back == *labels);
  }
  return 0;
}
