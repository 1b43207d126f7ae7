// Errors that stop the simulator with a one-line message and exit status 2 (bad input: files, configs,
// command lines), as opposed to guest misbehaviour, which is reported and simulated.
#pragma once
#include <stdexcept>
#include <string>

namespace smpsim {

class InputError : public std::runtime_error {
  public:
    explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

} // namespace smpsim
