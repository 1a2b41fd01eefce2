// Operator census: counts the ATen operators the kernels call (every operator the dispatcher runs, nested ones
// included), through ATen's RecordFunction callbacks. On a GPU each operator costs the host its dispatch and, for a
// leaf, a kernel launch (about 10 µs per small operator on the H200 host we measured), and a step there is host-bound:
// the operator count per step, next to PyTorch's for the same model (its profiler counts the same events), says how
// much of a GPU step's host time our kernels add, and it is measured on the CPU as well. Diagnostics only: the
// callback costs about a microsecond per operator while the census runs.
#include "reca_torch.h"

#include <ATen/record_function.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace reca {
namespace {

struct Census {
  std::mutex mutex;
  OperatorCounts counts;
  std::optional<at::CallbackHandle> callback;
};

// The tfjs kernel running on this thread (set by executeKernel through CensusKernelScope); null outside kernels
// (uploads, reads).
thread_local const std::string* currentKernel = nullptr;
// Set while a CensusPause lives on this thread.
thread_local bool censusPaused = false;

// Never destroyed: the execution thread may report an operator while the process exits.
Census& census() {
  static Census* instance = new Census();
  return *instance;
}

std::unique_ptr<at::ObserverContext> countOperator(const at::RecordFunction& function) {
  if (censusPaused) return nullptr;
  Census& state = census();
  std::lock_guard<std::mutex> lock(state.mutex);
  static const std::string outsideKernels = "(outside kernels)";
  state.counts[currentKernel != nullptr ? *currentKernel : outsideKernels][function.name()]++;
  return nullptr;
}

}  // namespace

void startOperatorCensus() {
  // ATen allows adding and removing callbacks only while no operator runs: every queued kernel finishes first.
  finishQueuedKernels();
  Census& state = census();
  if (state.callback) throw std::logic_error("an operator census is already running");
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    state.counts.clear();
  }
  state.callback = at::addGlobalCallback(at::RecordFunctionCallback(countOperator).needsInputs(false).scopes({at::RecordScope::FUNCTION}));
}

CensusPause::CensusPause() : previous_(censusPaused) { censusPaused = true; }

CensusPause::~CensusPause() { censusPaused = previous_; }

CensusKernelScope::CensusKernelScope(const std::string& kernelName) : previous_(currentKernel) { currentKernel = &kernelName; }

CensusKernelScope::~CensusKernelScope() { currentKernel = previous_; }

OperatorCounts stopOperatorCensus() {
  finishQueuedKernels();
  Census& state = census();
  if (!state.callback) throw std::logic_error("no operator census is running");
  at::removeCallback(*state.callback);
  state.callback.reset();
  std::lock_guard<std::mutex> lock(state.mutex);
  return std::move(state.counts);
}

}  // namespace reca
