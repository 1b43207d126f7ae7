# The walk-through of docs/DEBUGGING.md on the functional machine: attach to a machine held at reset,
# break in a kernel function on an AP, look at threads, the stack, a struct and a per-CPU variable, watch
# a variable, step, detach: the guest then finishes as it would have without a debugger.
# smpsim: --cpus 2 --append selftest
# status: 1
# same-console
set pagination off
set confirm off
target remote :@PORT@
# expect: ^_start \(\) at .*head\.S
info threads
# expect: ^\* 1 +Thread 1 "CPU 0" \(protected-32, running\)
# expect: ^  2 +Thread 2 "CPU 1" \(real, waiting for SIPI\)
break spinlock_worker if $_thread != 1
continue
# expect: ^Thread 2 "CPU 1" hit Breakpoint 1, spinlock_worker
info threads
# expect-count 2: ^[* ] +[12] +Thread [12] "CPU [01]" \(long-64, (running|halted)\)
bt
# expect: ^#0  spinlock_worker
# expect: ^#1  0x[0-9a-f]+ in run_cpu_work \(\)
p torture_lock
# expect: ^\$1 = \{owner = [0-9]+, next = [0-9]+\}
p *(unsigned int *)((char *)&cpu_number + __per_cpu_offset[$_thread - 1])
# expect: ^\$2 = 1$
p $_thread - 1 == $2
# expect: ^\$3 = 1
delete
watch torture_counter
# expect: ^Hardware watchpoint 2: torture_counter
continue
# expect: hit Hardware watchpoint 2: torture_counter
# expect: ^Old value = [0-9]+
# expect: ^New value = [0-9]+
delete
stepi
# expect: ^(0x[0-9a-f]+\s+)?[0-9]+\s
p $pc
set $before = $pc
nexti
p $pc != $before
# expect: ^\$[0-9]+ = 1
x/8gx $rsp
# expect: ^0x[0-9a-f]+:\s+0x[0-9a-f]{16}\s+0x[0-9a-f]{16}
# expect: ^0x[0-9a-f]+:\s+0x[0-9a-f]{16}\s+0x[0-9a-f]{16}
monitor cpus
# expect: ^CPU 0: long-64 +CPL 0 rip 0010:
detach
# expect: \[Inferior 1 \(Remote target\) detached\]
