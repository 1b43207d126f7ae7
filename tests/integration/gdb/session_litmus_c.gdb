# `smpsim litmus --gdb` on an LKMM C test: GDB loads the compiled image smpsim names on stderr, breaks
# in P1's body by name, shows the litmus file's lines and the harness's frames, steps, and hears the
# command end after `continue`; the log is that of a run without a debugger.
# command: litmus
# smpsim: @SRC@/tests/litmus/lkmm/SB.litmus --runs 20 --model tso --cache-dir @TMP@/lkmm-cache
# status: 0
# same-console
set pagination off
set confirm off
file @IMAGE@
target remote :@PORT@
# expect: ^0x[0-9a-f]+ in lkmm_entry \(\)
info threads
# expect: ^\* 1 +Thread 1 "CPU 0" \(P0, long-64, running\)
# expect: ^  2 +Thread 2 "CPU 1" \(P1, long-64, running\)
break lkmm_P1
continue
# expect: ^Breakpoint 1 at 0x[0-9a-f]+: file .*SB\.litmus, line 13\.
# expect: hit Breakpoint 1, lkmm_P1 \(.*\) at .*SB\.litmus:13$
# expect: ^13\s+WRITE_ONCE\(\*y, 1\);
bt
# expect: ^#1  lkmm_thread_1 \(
# expect: in lkmm_main \(cpu=1\) at .*harness\.c
stepi
# expect: ^14\s+r0 = READ_ONCE\(\*x\);
monitor litmus
# expect: ^test SB \(.*SB\.litmus\), C \(LKMM\), model tso, guest barriers tso, seed 1$
# expect: ^iteration 1 of 20, step [0-9]+ of it
delete
continue
# expect: \[Inferior 1 \(Remote target\) exited normally\]
