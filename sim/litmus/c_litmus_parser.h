// Parser for LKMM C litmus tests (herd7's C dialect, Linux's tools/memory-model):
//
//   C NAME                                   header; optional "doc" and key=value metadata lines
//   { x=0; y=1; int *p=&x; atomic_t a=ATOMIC_INIT(0); spinlock_t s; intptr_t x0=y0; }
//   P0(int *x, int *y) { int r0; WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y); if (r0) { ... } else ...; }
//   P1(...) { ... }
//   locations [x; 0:r0;]                     optional
//   filter (...)                             optional
//   exists (0:r0=1 /\ 1:r1=0)                or ~exists, forall; values may name variables (1:r1=x)
//
// Thread bodies are checked as C: declarations, expression statements, blocks, if/else, while and
// do/while, with expressions over locals, parameters and constants. Every call must be an LKMM primitive
// (lkmm_primitives.h) with the right number of arguments; one the guest lacks is an error naming it.
// Registers used without a declaration are declared by the translator (herd allows them). OCaml
// comments (* *) are allowed outside thread bodies, C comments everywhere.
//
// Errors throw InputError "FILE:LINE: message"; limits as for x86 tests (kMaxFileBytes, condition depth
// and terms), plus kMaxCNesting for C statements and expressions.
#pragma once
#include "sim/litmus/c_litmus.h"

#include <string>
#include <string_view>

namespace smpsim::litmus {

inline constexpr size_t kMaxCNesting = 200;
inline constexpr size_t kMaxCThreads = 8;

// True when the text starts (after blanks and comments) with the header `C NAME`.
bool looks_like_c_litmus(std::string_view text);
bool is_c_litmus_file(const std::string& path);

CLitmusTest parse_c_litmus(std::string_view text, const std::string& file);
CLitmusTest parse_c_litmus_file(const std::string& path);

} // namespace smpsim::litmus
