#include "eclipsera/model_selection/parameter_grid.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/status_macros.h"

namespace eclipsera::model_selection {

ParamValue Distribution::Sample(Random& rng) const {
  switch (kind) {
    case Kind::kList:
      return values[rng.UniformInt(values.size())];
    case Kind::kUniform:
      return a + b * rng.Uniform();
    case Kind::kLogUniform:
      return std::exp(std::log(a) +
                      (std::log(b) - std::log(a)) * rng.Uniform());
    case Kind::kRandInt: {
      const int64_t low = static_cast<int64_t>(a);
      const int64_t high = static_cast<int64_t>(b);
      return low +
             static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(high) -
                                                 static_cast<uint64_t>(low)));
    }
  }
  return ParamValue();
}

std::string Distribution::Repr() const {
  switch (kind) {
    case Kind::kList: {
      std::vector<std::string> parts;
      for (const ParamValue& v : values) parts.push_back(FormatParamValue(v));
      return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
    }
    case Kind::kUniform:
      return absl::StrCat("uniform(", a, ", ", b, ")");
    case Kind::kLogUniform:
      return absl::StrCat("loguniform(", a, ", ", b, ")");
    case Kind::kRandInt:
      return absl::StrCat("randint(", a, ", ", b, ")");
  }
  return "";
}

namespace {

absl::Status CheckSpace(const ParamSpace& space, bool lists_only) {
  for (const auto& [name, d] : space) {
    if (d.is_list()) {
      if (d.values.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Parameter grid for parameter '", name,
                         "' need to be a non-empty sequence, got: []"));
      }
      continue;
    }
    if (lists_only) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Parameter grid for parameter '", name,
          "' needs a list of values, got the distribution ", d.Repr(),
          " (distributions are for RandomizedSearchCV)"));
    }
    const bool bad = (d.kind == Distribution::Kind::kUniform && !(d.b > 0)) ||
                     (d.kind == Distribution::Kind::kLogUniform &&
                      !(d.a > 0 && d.b > d.a)) ||
                     (d.kind == Distribution::Kind::kRandInt && !(d.b > d.a)) ||
                     !std::isfinite(d.a) || !std::isfinite(d.b);
    if (bad) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parameter '", name, "': invalid distribution ", d.Repr(),
          " (uniform(loc, scale) needs scale > 0, loguniform(a, b) 0 < a < "
          "b, randint(low, high) low < high)"));
    }
  }
  return absl::OkStatus();
}

// Candidates of one grid, saturating at kMaxGridSize + 1 (no overflow).
constexpr size_t kMaxGridSize = size_t{1} << 40;
size_t SpaceSize(const ParamSpace& space) {
  size_t n = 1;
  for (const auto& [name, d] : space) {
    if (d.values.size() > (kMaxGridSize + 1) / std::max<size_t>(n, 1)) {
      return kMaxGridSize + 1;
    }
    n *= d.values.size();
  }
  return std::min(n, kMaxGridSize + 1);
}

}  // namespace

absl::StatusOr<ParameterGrid> ParameterGrid::Create(
    std::vector<ParamSpace> grids) {
  if (grids.empty()) {
    return absl::InvalidArgumentError(
        "ParameterGrid: the list of grids is empty (give at least one map; "
        "an empty map is one candidate)");
  }
  size_t total = 0;
  for (const ParamSpace& g : grids) {
    ECLIPSERA_RETURN_IF_ERROR(CheckSpace(g, /*lists_only=*/true));
    total += SpaceSize(g);
    if (total > kMaxGridSize) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ParameterGrid: more than 2^40 candidates; sample them with "
          "RandomizedSearchCV (--search random) instead"));
    }
  }
  return ParameterGrid(std::move(grids));
}

size_t ParameterGrid::size() const {
  size_t n = 0;
  for (const ParamSpace& g : grids_) n += SpaceSize(g);
  return n;
}

ParamMap ParameterGrid::operator[](size_t i) const {
  for (const ParamSpace& g : grids_) {
    const size_t total = SpaceSize(g);
    if (i >= total) {
      i -= total;
      continue;
    }
    // Mixed radix, the last (sorted) key fastest.
    ParamMap out;
    std::vector<const std::pair<const std::string, Distribution>*> entries;
    for (const auto& e : g) entries.push_back(&e);
    for (size_t k = entries.size(); k-- > 0;) {
      const std::vector<ParamValue>& v = entries[k]->second.values;
      out.emplace(entries[k]->first, v[i % v.size()]);
      i /= v.size();
    }
    return out;
  }
  return ParamMap();
}

std::vector<ParamMap> ParameterGrid::All() const {
  std::vector<ParamMap> out;
  const size_t n = size();
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back((*this)[i]);
  return out;
}

absl::StatusOr<ParameterSampler> ParameterSampler::Create(
    std::vector<ParamSpace> spaces, int n_iter,
    std::optional<int64_t> random_state) {
  if (spaces.empty()) {
    return absl::InvalidArgumentError(
        "ParameterSampler: the list of parameter distributions is empty");
  }
  if (n_iter < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ParameterSampler: n_iter=", n_iter, " must be >= 1"));
  }
  for (const ParamSpace& s : spaces) {
    ECLIPSERA_RETURN_IF_ERROR(CheckSpace(s, /*lists_only=*/false));
  }
  return ParameterSampler(std::move(spaces), n_iter, random_state);
}

std::vector<ParamMap> ParameterSampler::Sample(
    std::vector<std::string>* warnings) const {
  Random rng = Random::FromRandomState(random_state_);
  bool all_lists = true;
  for (const ParamSpace& s : spaces_) {
    for (const auto& [name, d] : s) all_lists = all_lists && d.is_list();
  }
  std::vector<ParamMap> out;
  if (all_lists) {
    absl::StatusOr<ParameterGrid> grid = ParameterGrid::Create(spaces_);
    if (!grid.ok()) return out;  // checked by Create
    const int64_t size = static_cast<int64_t>(grid->size());
    int64_t n = n_iter_;
    if (size < n) {
      if (warnings != nullptr) {
        warnings->push_back(absl::StrCat(
            "The total space of parameters ", size,
            " is smaller than n_iter=", n_iter_, ". Running ", size,
            " iterations. For exhaustive searches, use GridSearchCV."));
      }
      n = size;
    }
    if (size <= (int64_t{1} << 20)) {
      for (int64_t i : rng.SampleIndices(size, n)) out.push_back((*grid)[i]);
    } else {
      // A large grid: distinct indices by rejection (n is small next to
      // the grid), without the size-long permutation.
      std::set<uint64_t> seen;
      while (static_cast<int64_t>(out.size()) < n) {
        const uint64_t i = rng.UniformInt(static_cast<uint64_t>(size));
        if (seen.insert(i).second) out.push_back((*grid)[i]);
      }
    }
    return out;
  }
  for (int i = 0; i < n_iter_; ++i) {
    const ParamSpace& s = spaces_[rng.UniformInt(spaces_.size())];
    ParamMap p;
    for (const auto& [name, d] : s) p.emplace(name, d.Sample(rng));
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// A small JSON reader for grids: objects, arrays, strings, numbers,
// true/false/null.
struct Json {
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  Type type = Type::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;
};

class JsonReader {
 public:
  explicit JsonReader(absl::string_view text) : text_(text) {}

  absl::StatusOr<Json> Document() {
    ECLIPSERA_ASSIGN_OR_RETURN(Json v, Value(0));
    Space();
    if (pos_ != text_.size()) return Error("unexpected text after the value");
    return v;
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "parameter grid JSON: at character ", pos_ + 1, ": ", what));
  }
  void Space() {
    while (pos_ < text_.size() &&
           std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    Space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  absl::StatusOr<std::string> String() {
    if (!Eat('"')) return Error("expected a string");
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ == text_.size()) break;
        c = text_[pos_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
        if (c == 'u') return Error("\\u escapes are not supported");
      }
      out.push_back(c);
    }
    if (pos_ == text_.size()) return Error("unterminated string");
    ++pos_;
    return out;
  }
  absl::StatusOr<Json> Value(int depth) {
    if (depth > 16) return Error("nested too deeply");
    Space();
    if (pos_ == text_.size()) return Error("expected a value");
    Json v;
    const char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      v.type = Json::Type::kObject;
      if (Eat('}')) return v;
      do {
        ECLIPSERA_ASSIGN_OR_RETURN(std::string key, String());
        if (!Eat(':')) return Error("expected ':'");
        ECLIPSERA_ASSIGN_OR_RETURN(Json item, Value(depth + 1));
        v.members.emplace_back(std::move(key), std::move(item));
      } while (Eat(','));
      if (!Eat('}')) return Error("expected ',' or '}'");
      return v;
    }
    if (c == '[') {
      ++pos_;
      v.type = Json::Type::kArray;
      if (Eat(']')) return v;
      do {
        ECLIPSERA_ASSIGN_OR_RETURN(Json item, Value(depth + 1));
        v.items.push_back(std::move(item));
      } while (Eat(','));
      if (!Eat(']')) return Error("expected ',' or ']'");
      return v;
    }
    if (c == '"') {
      v.type = Json::Type::kString;
      ECLIPSERA_ASSIGN_OR_RETURN(v.s, String());
      return v;
    }
    for (const char* word : {"true", "false", "null"}) {
      if (text_.substr(pos_, std::strlen(word)) == word) {
        pos_ += std::strlen(word);
        v.type = word[0] == 'n' ? Json::Type::kNull : Json::Type::kBool;
        v.b = word[0] == 't';
        return v;
      }
    }
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
            std::strchr("+-.eE", text_[pos_]) != nullptr)) {
      ++pos_;
    }
    const absl::string_view num = text_.substr(start, pos_ - start);
    if (num.empty()) return Error("expected a value");
    if (num.find_first_of(".eE") == absl::string_view::npos &&
        absl::SimpleAtoi(num, &v.i)) {
      v.type = Json::Type::kInt;
      return v;
    }
    if (!absl::SimpleAtod(num, &v.d) || !std::isfinite(v.d)) {
      pos_ = start;
      return Error(absl::StrCat("'", num, "' is not a finite number"));
    }
    v.type = Json::Type::kDouble;
    return v;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

absl::StatusOr<ParamValue> ToParam(const std::string& key, const Json& j) {
  switch (j.type) {
    case Json::Type::kNull:
      return ParamValue();
    case Json::Type::kBool:
      return ParamValue(j.b);
    case Json::Type::kInt:
      return ParamValue(j.i);
    case Json::Type::kDouble:
      return ParamValue(j.d);
    case Json::Type::kString:
      return ParamValue(j.s);
    case Json::Type::kArray: {
      std::vector<double> v;
      for (const Json& e : j.items) {
        if (e.type == Json::Type::kInt) {
          v.push_back(static_cast<double>(e.i));
        } else if (e.type == Json::Type::kDouble) {
          v.push_back(e.d);
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat("parameter grid: '", key,
                           "': a value that is a list must hold numbers only"));
        }
      }
      return ParamValue(std::move(v));
    }
    case Json::Type::kObject:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "parameter grid: '", key, "': an object is not a parameter value"));
}

absl::StatusOr<double> Number(const std::string& key, const Json& j) {
  if (j.type == Json::Type::kInt) return static_cast<double>(j.i);
  if (j.type == Json::Type::kDouble) return j.d;
  return absl::InvalidArgumentError(absl::StrCat(
      "parameter grid: '", key, "': distribution arguments are numbers"));
}

absl::StatusOr<ParamSpace> ToSpace(const Json& j) {
  if (j.type != Json::Type::kObject) {
    return absl::InvalidArgumentError(
        "parameter grid: expected a map (or a list of maps) from parameter "
        "name to a list of values or a distribution");
  }
  ParamSpace space;
  for (const auto& [key, value] : j.members) {
    Distribution d;
    if (value.type == Json::Type::kArray) {
      for (const Json& item : value.items) {
        ECLIPSERA_ASSIGN_OR_RETURN(ParamValue v, ToParam(key, item));
        d.values.push_back(std::move(v));
      }
    } else if (value.type == Json::Type::kObject && value.members.size() == 1 &&
               value.members[0].second.type == Json::Type::kArray &&
               value.members[0].second.items.size() == 2) {
      const std::string& kind = value.members[0].first;
      const std::vector<Json>& args = value.members[0].second.items;
      ECLIPSERA_ASSIGN_OR_RETURN(double a, Number(key, args[0]));
      ECLIPSERA_ASSIGN_OR_RETURN(double b, Number(key, args[1]));
      if (kind == "uniform") {
        d = Distribution::Uniform(a, b);
      } else if (kind == "loguniform") {
        d = Distribution::LogUniform(a, b);
      } else if (kind == "randint") {
        if (args[0].type != Json::Type::kInt ||
            args[1].type != Json::Type::kInt) {
          return absl::InvalidArgumentError(
              absl::StrCat("parameter grid: '", key,
                           "': randint takes two integers [low, high)"));
        }
        d = Distribution::RandInt(args[0].i, args[1].i);
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter grid: '", key, "': unknown distribution '",
                         kind, "'; known: uniform, loguniform, randint"));
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter grid: '", key,
                       "' needs a list of values or a distribution such as "
                       "{\"loguniform\": [1e-3, 1e3]}"));
    }
    if (!space.emplace(key, std::move(d)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter grid: '", key, "' appears twice"));
    }
  }
  return space;
}

}  // namespace

absl::StatusOr<std::vector<ParamSpace>> ParseParamSpaces(
    absl::string_view json) {
  ECLIPSERA_ASSIGN_OR_RETURN(Json doc, JsonReader(json).Document());
  std::vector<ParamSpace> out;
  if (doc.type == Json::Type::kArray) {
    for (const Json& item : doc.items) {
      ECLIPSERA_ASSIGN_OR_RETURN(ParamSpace s, ToSpace(item));
      out.push_back(std::move(s));
    }
    if (out.empty()) {
      return absl::InvalidArgumentError("parameter grid: the list is empty");
    }
    return out;
  }
  ECLIPSERA_ASSIGN_OR_RETURN(ParamSpace s, ToSpace(doc));
  out.push_back(std::move(s));
  return out;
}

}  // namespace eclipsera::model_selection
