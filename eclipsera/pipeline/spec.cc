#include "eclipsera/pipeline/spec.h"

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "eclipsera/core/status_macros.h"

namespace eclipsera::pipeline {
namespace {

class SpecParser {
 public:
  explicit SpecParser(absl::string_view spec,
                      absl::string_view label = "pipeline spec")
      : spec_(spec), label_(label) {}

  absl::StatusOr<std::vector<SpecCall>> Parse() {
    std::vector<SpecCall> steps;
    while (true) {
      SkipSpace();
      SpecCall step;
      step.position = pos_;
      step.name = Identifier();
      if (step.name.empty()) return Error("expected an estimator name");
      SkipSpace();
      if (Peek() == '(') {
        ++pos_;
        ECLIPSERA_RETURN_IF_ERROR(Params(&step.params));
      }
      steps.push_back(std::move(step));
      SkipSpace();
      if (pos_ == spec_.size()) break;
      if (Peek() != '|') return Error("expected '|' or the end of the spec");
      ++pos_;
    }
    return steps;
  }

  // An error at `at` (default: the current position), with the spec and a
  // caret under the offending character.
  absl::Status Error(absl::string_view what, size_t at = std::string::npos) {
    if (at == std::string::npos) at = pos_;
    const std::string got = at < spec_.size()
                                ? absl::StrCat("'", spec_.substr(at, 1), "'")
                                : std::string("the end");
    return At(absl::StrCat(what, ", got ", got), at);
  }
  // A message about the spec element at `at`.
  absl::Status At(absl::string_view what, size_t at) {
    return absl::InvalidArgumentError(
        absl::StrCat(label_, ": at character ", at + 1, ": ", what, "\n  ",
                     spec_, "\n  ", std::string(at, ' '), "^"));
  }

 private:
  char Peek() const { return pos_ < spec_.size() ? spec_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < spec_.size() &&
           std::isspace(static_cast<unsigned char>(spec_[pos_]))) {
      ++pos_;
    }
  }
  std::string Identifier() {
    const size_t start = pos_;
    while (pos_ < spec_.size() &&
           (std::isalnum(static_cast<unsigned char>(spec_[pos_])) ||
            spec_[pos_] == '_')) {
      ++pos_;
    }
    return std::string(spec_.substr(start, pos_ - start));
  }

  absl::Status Params(ParamMap* params) {
    SkipSpace();
    if (Peek() == ')') {
      ++pos_;
      return absl::OkStatus();
    }
    while (true) {
      SkipSpace();
      const size_t name_at = pos_;
      const std::string name = Identifier();
      if (name.empty()) return Error("expected a parameter name");
      SkipSpace();
      if (Peek() != '=') return Error("expected '=' after the parameter name");
      ++pos_;
      SkipSpace();
      ECLIPSERA_ASSIGN_OR_RETURN(ParamValue value, Value());
      if (!params->emplace(name, std::move(value)).second) {
        return At(absl::StrCat("parameter '", name, "' given twice"), name_at);
      }
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ')') {
        ++pos_;
        return absl::OkStatus();
      }
      return Error("expected ',' or ')'");
    }
  }

  absl::StatusOr<ParamValue> Value() {
    const char c = Peek();
    if (c == '\'' || c == '"') {
      const size_t start = ++pos_;
      while (pos_ < spec_.size() && spec_[pos_] != c) ++pos_;
      if (pos_ == spec_.size()) {
        return Error(absl::StrCat("unterminated string (missing ",
                                  std::string(1, c), ")"),
                     start - 1);
      }
      return ParamValue(std::string(spec_.substr(start, pos_++ - start)));
    }
    if (c == '[') {
      const size_t start = ++pos_;
      while (pos_ < spec_.size() && spec_[pos_] != ']') ++pos_;
      if (pos_ == spec_.size()) {
        return Error("unterminated list (missing ])", start - 1);
      }
      const std::string inner(
          absl::StripAsciiWhitespace(spec_.substr(start, pos_++ - start)));
      const ParamValue v = ParseParamValue(inner);
      if (std::holds_alternative<std::vector<double>>(v)) return v;
      if (const auto* i = std::get_if<int64_t>(&v)) {
        return ParamValue(std::vector<double>{static_cast<double>(*i)});
      }
      if (const auto* d = std::get_if<double>(&v)) {
        return ParamValue(std::vector<double>{*d});
      }
      return Error("a list holds numbers separated by commas", start);
    }
    const size_t start = pos_;
    while (pos_ < spec_.size() && spec_[pos_] != ',' && spec_[pos_] != ')' &&
           spec_[pos_] != '|' && spec_[pos_] != '(') {
      ++pos_;
    }
    const absl::string_view text =
        absl::StripAsciiWhitespace(spec_.substr(start, pos_ - start));
    if (text.empty()) return Error("expected a value", start);
    return ParseParamValue(text);
  }

  absl::string_view spec_;
  absl::string_view label_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<SpecCall>> ParseSpecCalls(absl::string_view spec,
                                                     absl::string_view label) {
  return SpecParser(spec, label).Parse();
}

absl::StatusOr<std::unique_ptr<Pipeline>> ParsePipelineSpec(
    absl::string_view spec, const EstimatorRegistry& registry, bool verbose) {
  SpecParser parser(spec);
  ECLIPSERA_ASSIGN_OR_RETURN(std::vector<SpecCall> parsed, parser.Parse());
  std::vector<std::unique_ptr<Estimator>> owned;
  std::vector<const Estimator*> estimators;
  for (SpecCall& p : parsed) {
    if (absl::AsciiStrToLower(p.name) == "passthrough") {
      if (!p.params.empty()) {
        return parser.At("'passthrough' takes no parameters", p.position);
      }
      estimators.push_back(nullptr);
      continue;
    }
    absl::StatusOr<std::unique_ptr<Estimator>> est = registry.Create(p.name);
    if (!est.ok()) {
      return parser.At(est.status().message(), p.position);
    }
    if (absl::Status s = (*est)->SetParams(p.params); !s.ok()) {
      return parser.At(s.message(), p.position);
    }
    estimators.push_back(est->get());
    owned.push_back(*std::move(est));
  }
  return MakePipeline(estimators, verbose);
}

absl::StatusOr<std::unique_ptr<Estimator>> ParseEstimatorSpec(
    absl::string_view spec, const EstimatorRegistry& registry) {
  ECLIPSERA_ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipe,
                             ParsePipelineSpec(spec, registry));
  if (pipe->n_steps() == 1) {
    const EstimatorParam& only = pipe->steps()[0].estimator;
    if (only.prototype == nullptr) {
      return absl::InvalidArgumentError(
          "pipeline spec: a lone 'passthrough' is not an estimator");
    }
    return only.prototype->Clone();
  }
  return std::unique_ptr<Estimator>(std::move(pipe));
}

}  // namespace eclipsera::pipeline
