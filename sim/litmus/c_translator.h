// Translates an LKMM C litmus test into the C file that the guest harness links with
// (guest/litmus/lkmm_harness.h): each Pn becomes a static function with the test's own parameters and
// body (under #line directives, so gcc's messages name the litmus file's lines), its registers
// declared and stored into the harness's result slots at the end, and a wrapper lkmm_thread_n(vars,
// regs) that passes it the variables of the current iteration. The generated text includes only
// lkmm_kernel.h, which brings the guest's own barrier.h, atomic.h, spinlock.h and rcupdate.h.
#pragma once
#include "sim/litmus/c_litmus.h"

#include <string>

namespace smpsim::litmus {

std::string translate_c_litmus(const CLitmusTest& test);

} // namespace smpsim::litmus
