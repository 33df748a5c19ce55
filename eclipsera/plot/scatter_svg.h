// SVG scatter plots of 2-D embeddings (t-SNE output), coloured by label.
#ifndef ECLIPSERA_PLOT_SCATTER_SVG_H_
#define ECLIPSERA_PLOT_SCATTER_SVG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::plot {

// Renders an 800 x 800, axis-free SVG scatter plot of the first two columns
// of `embedding` (a single column is drawn on a horizontal line), scaled to
// fit. With `labels` (one per row) points are coloured by label (the
// tab10 palette, then evenly spaced hues) and a legend lists the labels in
// increasing order; without, all points share one colour. `title` is drawn
// at the top (XML-escaped). InvalidArgument for an empty embedding, NaN/Inf
// values or a labels length that differs from the number of rows.
absl::StatusOr<std::string> ScatterSvg(const ConstMatrixRef& embedding,
                                       absl::Span<const double> labels,
                                       const std::string& title);

// ScatterSvg written to `path` atomically with io::WriteStringToFile (a
// failed write leaves an existing file untouched); file-system errors name
// the path.
absl::Status WriteScatterSvg(const std::string& path,
                             const ConstMatrixRef& embedding,
                             absl::Span<const double> labels,
                             const std::string& title);

}  // namespace eclipsera::plot

#endif  // ECLIPSERA_PLOT_SCATTER_SVG_H_
