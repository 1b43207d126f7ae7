// Litmus tests that several unit tests run (the runner, its debugger monitor, the GDB stub on it).
#pragma once

namespace smpsim::litmus::samples {

// Store buffering: both loads may read 0 under x86-TSO.
inline constexpr const char* kSb = R"(X86 SB
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\ 1:EAX=0)
)";

} // namespace smpsim::litmus::samples
