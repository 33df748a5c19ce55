// SVG scatter plot rendering.
#include "eclipsera/plot/scatter_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/io/file.h"

namespace eclipsera::plot {
namespace {

constexpr int kSize = 800;
constexpr double kMargin = 50.0;
constexpr double kTop = 60.0;  // room for the title
constexpr double kLegendWidth = 140.0;

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Colour(size_t i, size_t n) {
  static const char* kTab10[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                 "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                 "#bcbd22", "#17becf"};
  if (n <= 10) return kTab10[i];
  // Evenly spaced hues, HSL(h, 65%, 45%).
  const double h = 360.0 * static_cast<double>(i) / static_cast<double>(n);
  const double s = 0.65, l = 0.45;
  const double c = (1 - std::fabs(2 * l - 1)) * s;
  const double hp = h / 60.0;
  const double x = c * (1 - std::fabs(std::fmod(hp, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  if (hp < 1) {
    r = c;
    g = x;
  } else if (hp < 2) {
    r = x;
    g = c;
  } else if (hp < 3) {
    g = c;
    b = x;
  } else if (hp < 4) {
    g = x;
    b = c;
  } else if (hp < 5) {
    r = x;
    b = c;
  } else {
    r = c;
    b = x;
  }
  const double m = l - c / 2;
  auto byte = [m](double v) {
    return static_cast<int>(std::lround(255.0 * (v + m)));
  };
  return absl::StrFormat("#%02x%02x%02x", byte(r), byte(g), byte(b));
}

std::string LabelText(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  return absl::StrFormat("%g", v);
}

}  // namespace

absl::StatusOr<std::string> ScatterSvg(const ConstMatrixRef& embedding,
                                       absl::Span<const double> labels,
                                       const std::string& title) {
  constexpr char kContext[] = "ScatterSvg";
  absl::Status st = CheckData(kContext, "embedding", embedding);
  if (!st.ok()) return st;
  const Index n = embedding.rows();
  if (!labels.empty()) {
    st = CheckLength(kContext, "labels", static_cast<Index>(labels.size()), n);
    if (!st.ok()) return st;
    st = CheckFiniteValues(kContext, "labels", labels);
    if (!st.ok()) return st;
  }
  const bool two_d = embedding.cols() >= 2;
  double x_lo = embedding.col(0).minCoeff(), x_hi = embedding.col(0).maxCoeff();
  double y_lo = two_d ? embedding.col(1).minCoeff() : -1.0;
  double y_hi = two_d ? embedding.col(1).maxCoeff() : 1.0;
  const bool legend = !labels.empty();
  const double plot_w = kSize - 2 * kMargin - (legend ? kLegendWidth : 0.0);
  const double plot_h = kSize - kTop - kMargin;
  // One scale for both axes keeps the embedding's aspect ratio.
  const double span = std::max({x_hi - x_lo, y_hi - y_lo, 1e-300});
  const double scale = std::min(plot_w, plot_h) / span;
  const double x_off = kMargin + (plot_w - (x_hi - x_lo) * scale) / 2.0;
  const double y_off = kTop + (plot_h - (y_hi - y_lo) * scale) / 2.0;

  std::map<double, std::vector<Index>> groups;
  for (Index i = 0; i < n; ++i) {
    groups[labels.empty() ? 0.0 : labels[i]].push_back(i);
  }
  std::string svg = absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"%d\" y=\"35\" text-anchor=\"middle\" "
      "font-family=\"sans-serif\" font-size=\"20\">%s</text>\n",
      kSize, kSize, kSize, kSize, kSize / 2, Escape(title));
  const double radius = n > 5000 ? 1.5 : (n > 1000 ? 2.5 : 3.5);
  size_t g = 0;
  for (const auto& [label, rows] : groups) {
    const std::string colour =
        legend ? Colour(g, groups.size()) : std::string("#1f77b4");
    absl::StrAppend(&svg, "<g class=\"points\" data-label=\"",
                    Escape(LabelText(label)), "\" fill=\"", colour,
                    "\" fill-opacity=\"0.8\">\n");
    for (Index i : rows) {
      const double px = x_off + (embedding(i, 0) - x_lo) * scale;
      const double py =
          y_off + (y_hi - (two_d ? embedding(i, 1) : 0.0)) * scale;
      absl::StrAppend(
          &svg,
          absl::StrFormat("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>\n", px,
                          py, radius));
    }
    absl::StrAppend(&svg, "</g>\n");
    ++g;
  }
  if (legend) {
    const double lx = kSize - kMargin - kLegendWidth + 20.0;
    absl::StrAppend(&svg,
                    "<g class=\"legend\" font-family=\"sans-serif\" "
                    "font-size=\"14\">\n");
    size_t k = 0;
    for (const auto& [label, rows] : groups) {
      const double ly = kTop + 10.0 + 22.0 * static_cast<double>(k);
      absl::StrAppend(
          &svg,
          absl::StrFormat("<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
                          "height=\"14\" fill=\"%s\"/>\n",
                          lx, ly, Colour(k, groups.size())),
          absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", lx + 22.0,
                          ly + 12.0, Escape(LabelText(label))));
      ++k;
    }
    absl::StrAppend(&svg, "</g>\n");
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

absl::Status WriteScatterSvg(const std::string& path,
                             const ConstMatrixRef& embedding,
                             absl::Span<const double> labels,
                             const std::string& title) {
  absl::StatusOr<std::string> svg = ScatterSvg(embedding, labels, title);
  if (!svg.ok()) return svg.status();
  // Atomic: a failed write leaves an existing file untouched.
  return io::WriteStringToFile(path, *svg);
}

}  // namespace eclipsera::plot
