# The memory system through monitor commands, on the timing machine (--model tso): the store buffer
# right after a `rep stos` filled it, a contended lock's line Modified in exactly one L1, then kill.
# smpsim: --cpus 4 --model tso --append selftest
# status: 14
set pagination off
set confirm off
target remote :@PORT@
monitor help
# expect: ^  cache ADDR +a physical line's MESI state in every L1 and the LLC
# expect: ^  sb \[CPU\]
# _start clears the BSS with `rep stos` (f3 ab) in 32-bit code: step to it, then over it.
while *(unsigned short *)$pc != 0xabf3
  stepi
end
stepi
monitor sb 0
# expect: ^CPU 0: 1[0-9] of 16 entries
# expect: ^  paddr 0x[0-9a-f]+ size 4 value 0x0 age [0-9]+ epoch 0
hbreak spinlock_worker if $_thread != 1
continue
# expect: ^Hardware assisted breakpoint 1 at 0x[0-9a-f]+: file
# expect: hit Breakpoint 1, spinlock_worker
delete
watch torture_counter
continue
# expect: hit Hardware watchpoint 2: torture_counter
# torture_counter is written under torture_lock, which shares its line: the writer owns the line.
eval "monitor cache %p", &torture_lock
# expect: ^line 0x[0-9a-f]+ \(tso model\)
# expect-count 1: ^  L1 cpu[0-9]+ +M
# expect-count 3: ^  L1 cpu[0-9]+ +I
monitor iq
# expect: ^CPU 0: 0 queued invalidations
monitor tlb 1
# expect: ^CPU 1 DTLB: [0-9]+ valid
monitor time
# expect: ^simulated time [0-9]
eval "monitor xp %p 16", &torture_counter
# expect: ^[0-9a-f]{16}:( [0-9a-f]{2}){16}$
monitor lapic 1
# expect: ^CPU 1: ID 0x1 TPR 0x[0-9a-f]+ PPR 0x[0-9a-f]+ SVR 0x1[0-9a-f]{2} \(enabled\)
# expect: ^  ISR
monitor ioapic
# expect: ^I/O APIC ID 0x4 version 0x170011
# expect: ^  [0-9]+ pins masked
monitor pic
# expect: ^master: IRR 0x[0-9a-f]{2} ISR 0x[0-9a-f]{2} IMR 0x[0-9a-f]{2} vector base 0x[0-9a-f]{2}
# expect: ^slave :
monitor stats
# expect: ^CPU 3: loads [0-9]+ stores [0-9]+
monitor nonsense
# expect: ^unknown monitor command 'nonsense'
info registers cs fs_base gs_base cr3 efer
# expect: ^gs_base +0x[0-9a-f]+
# expect: ^cr3 +0x[0-9a-f]+
# expect: ^efer +0x(d00|500)
kill
# expect: \[Inferior 1 \(Remote target\) killed\]
