# `smpsim litmus --gdb` on an x86 test (docs/DEBUGGING.md): held before the first instruction of the
# first run, one GDB thread per litmus thread, `monitor litmus`, a breakpoint on P1's first instruction
# (hit in run 1), a stepi over that store until it is seen pending in P1's store buffer (tso), detach:
# the litmus7 log is that of a run without a debugger.
# command: litmus
# smpsim: @SRC@/tests/litmus/SB.litmus --runs 200 --model tso
# status: 0
# same-console
set pagination off
set confirm off
target remote :@PORT@
# expect: ^0x0000000000010000 in \?\? \(\)
info threads
# expect: ^\* 1 +Thread 1 "CPU 0" \(P0, long-64, running\)
# expect: ^  2 +Thread 2 "CPU 1" \(P1, long-64, running\)
# expect-count 2: ^[* ] +[12] +Thread [12] "CPU [01]" \(P[01], long-64
monitor litmus
# expect: ^test SB \(.*/tests/litmus/SB\.litmus\), x86, model tso, seed 1$
# expect: ^run 1 of 200, step [0-9]+ of it; scheduled by (PCT|a random walk)
# expect: ^P1 \(CPU 1, GDB thread 2\): .*; code at 0x11000:$
# expect: ^  0x11000  MOV \[y\],\$1 +line 7$
# expect: ^variables: x 0x100000 y 0x100040$
break *0x11000
continue
# expect: hit Breakpoint 1, 0x0000000000011000 in \?\? \(\)
monitor litmus
# P1 had not started when the run was held: its first instruction stops it in run 1.
# expect: ^run 1 of 200, step [0-9]+ of it
# Step over P1's store; the store buffers drain at random moments, so the store may be in memory by the
# time P1 runs again: then look again at the next run's.
python
for attempt in range(50):
    gdb.execute("stepi")
    sb = gdb.execute("monitor sb 1", to_string=True)
    if "CPU 1: 1 of 16 entries" in sb:
        break
    gdb.execute("continue")
gdb.write(sb)
end
# expect: ^0x000000000001100b in \?\? \(\)
# expect: ^CPU 1: 1 of 16 entries$
# expect: ^  paddr 0x100040 size 4 value 0x1 age 0 epoch 0$
x/i $pc
# expect: ^=> 0x1100b:\s+mov\s+0x100000,%eax
p $_thread
# expect: ^\$1 = 2$
monitor litmus
# expect: ^run [0-9]+ of 200, step [0-9]+ of it
# expect: ^states so far \([0-9]+\):$
monitor lapic
# expect: ^no local APIC in a litmus run$
delete
detach
# expect: \[Inferior 1 \(Remote target\) detached\]
