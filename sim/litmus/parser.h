// Parser for herd7's x86 litmus format.
//
//   X86 SB                                 (or X86_64; other architectures are an error)
//   "doc string"                           optional, may span lines; key=value metadata lines
//   { x=0; y=1; 0:EAX=1; 1:rbx=x; int z=2; uint64_t w; int64_t t[2]={1,-1}; P0:EAX=0; [y]=0; }
//    P0          | P1          ;
//    MOV [x],$1  | MOV [y],$1  ;           cells may be empty; `L0:` labels
//    MOV EAX,[y] | MOV EAX,[x] ;
//   locations [x; 0:EAX;]                  optional
//   filter (...)                           optional
//   exists (0:EAX=0 /\ 1:EAX=0)            or ~exists, forall, and the legacy
//                                          `final P; with tso: ~exists; ...` (read as exists P)
//
// Conditions use /\, \/, ~, parentheses, true/false and atoms `x=1`, `[x]=1`, `0:EAX=1`, `P0:EAX=1`,
// `x!=1`. OCaml comments (* ... *) and trailing `<< ... >>` blocks are ignored. Every instruction is
// checked with parse_instruction. Errors throw smpsim::InputError as "FILE:LINE: message", for example
// "sb.litmus:12: unexpected token 'foo'".
//
// Limits (each gives a one-line InputError naming the file, and the line where it applies): a litmus
// file is a regular file of at most kMaxFileBytes; a condition (or filter) nests `(` and `~` at most
// kMaxConditionDepth deep and has at most kMaxConditionTerms atoms over its condition and filter. Real
// tests stay far below them (herdtools' largest x86 conditions have a few dozen atoms). Parsing and
// condition evaluation are linear and use no recursion, so the limits bound time, not stack.
#pragma once
#include "sim/litmus/litmus_test.h"

#include <string>
#include <string_view>

namespace smpsim::litmus {

inline constexpr size_t kMaxFileBytes = 1u << 20;

// The text of a litmus file (x86 or C), up to `limit` bytes: a regular file of at most kMaxFileBytes,
// opened without blocking on FIFOs; anything else throws InputError "PATH: ...".
std::string read_litmus_file(const std::string& path, size_t limit = kMaxFileBytes + 1);
inline constexpr size_t kMaxConditionDepth = 1000;
inline constexpr size_t kMaxConditionTerms = 10000;

LitmusTest parse_litmus(std::string_view text, const std::string& file);
LitmusTest parse_litmus_file(const std::string& path);

} // namespace smpsim::litmus
