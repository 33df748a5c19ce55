// The command line's model-selection commands:
//
//   eclipsera search --estimator SPEC --param_grid GRID|@grid.json
//       [--search grid|random|halving_grid|halving_random] [--n_iter N]
//       [--random_state R] [--factor F] [--resource n_samples|PARAM]
//       [--min_resources smallest|exhaust|N] [--max_resources auto|N]
//       [--aggressive_elimination] [--n_candidates exhaust|N]
//       [--cv 5 | --cv "stratifiedkfold(n_splits=5, shuffle=true)" |
//        --test_fold FOLDS.(csv|npy)] [--scoring NAME[,NAME...]]
//       [--refit true|false|NAME] [--return_train_score] [--n_jobs J]
//       --input X [--target y] [--groups G] [--cv_results OUT.(csv|json)]
//       [--verbose V]
//   eclipsera cross_validate --estimator SPEC [--cv ...] [--scoring ...]
//       [--return_train_score] [--n_jobs J] --input X [--target y]
//       [--groups G]
//
// SPEC is a pipeline spec (pipeline/spec.h); one estimator is a one-step
// spec. Each prints one JSON line. Under mpirun both spread their fits over
// the ranks (eclipsera/distributed), with [--shared_input] and
// [--fit_timeout SECONDS].
#ifndef ECLIPSERA_CLI_SEARCH_COMMAND_H_
#define ECLIPSERA_CLI_SEARCH_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "eclipsera/core/registry.h"

namespace eclipsera::cli {

// An exit code (kExitUsage or kExitFailure) with its message.
struct CommandFailure {
  int code;
  std::string message;
};

// `args` are the flags after the command name.
std::optional<CommandFailure> RunSearchCommand(
    const std::vector<std::string>& args, const EstimatorRegistry& registry,
    std::ostream& out, std::ostream& err);
std::optional<CommandFailure> RunCrossValidateCommand(
    const std::vector<std::string>& args, const EstimatorRegistry& registry,
    std::ostream& out, std::ostream& err);

}  // namespace eclipsera::cli

#endif  // ECLIPSERA_CLI_SEARCH_COMMAND_H_
