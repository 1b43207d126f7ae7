#!/bin/sh
# --vcd FILE of boot and replay (docs/REPORTS.md): vcd_checks.sh SMPSIM GUEST CASE SOURCE_DIR
set -eu
smpsim=$1
guest=$2
case_name=$3
src=$4
check="python3 $src/tests/integration/vcd_check.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check_lib.sh"
cd "$tmp"

# same_run A B: two runs printed the same console and summary (host times aside).
same_run() {
	cmp "$1.out" "$2.out"
	sed 's/[0-9.]* s host.*//' "$1.err" >"$1.err.cmp"
	sed 's/[0-9.]* s host.*//' "$2.err" >"$2.err.cmp"
	cmp "$1.err.cmp" "$2.err.cmp"
}

case $case_name in
vcd_boot)
	# A boot: every traced signal declared, the PIT's IRQ0 and the CPUs' interrupts active; the same seed
	# twice gives the same file byte for byte (SystemC's $date is replaced); the run's console and
	# summary are those of a run without --vcd.
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --seed 7 --vcd a.vcd >a.out 2>a.err
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --seed 7 --vcd b.vcd >b.out 2>b.err
	status_is 1 "$smpsim" boot --kernel "$guest" --cpus 2 --seed 7 >c.out 2>c.err
	$check a.vcd --signal SystemC.irq.isa4_com1 --signal SystemC.irq.pic_intr --signal SystemC.irq.igb0_inta \
		--signal SystemC.cpu0.intr --signal SystemC.cpu1.intr --signal SystemC.cpu0.vector \
		--signal SystemC.igb0.msi_vector --signal SystemC.igb0.msi_dest --signal SystemC.igb0.link_up \
		--signal SystemC.igb0.driver_ready \
		--rises SystemC.irq.isa0_pit --falls SystemC.irq.isa0_pit \
		--rises SystemC.cpu0.intr --rises SystemC.cpu0.interrupts --rises SystemC.cpu1.interrupts
	cmp a.vcd b.vcd
	sed -n '/^\$date/,/^\$end/p' a.vcd >date.txt
	grep -q omitted date.txt
	if grep -q '20[0-9][0-9]' date.txt; then echo "the VCD has a date:" >&2; cat date.txt >&2; exit 1; fi
	same_run a c
	same_run a b
	;;
vcd_replay)
	# A replay: MSI-X messages from the NIC, the driver reporting its link up, and the link going down
	# at the end of the replay; same seed, same file; same console and summary as without --vcd.
	status_is 1 "$smpsim" replay "$src/traces/mixed.pcap" --kernel "$guest" --cpus 2 --vcd r.vcd >a.out 2>a.err
	status_is 1 "$smpsim" replay "$src/traces/mixed.pcap" --kernel "$guest" --cpus 2 --vcd r2 >b.out 2>b.err
	status_is 1 "$smpsim" replay "$src/traces/mixed.pcap" --kernel "$guest" --cpus 2 >c.out 2>c.err
	$check r.vcd --rises SystemC.igb0.msi_messages --changes SystemC.igb0.msi_vector \
		--rises SystemC.igb0.driver_ready --falls SystemC.igb0.link_up \
		--rises SystemC.cpu0.interrupts --rises SystemC.cpu1.interrupts
	# A name without .vcd is the file's name all the same.
	[ ! -e r2.vcd ]
	cmp r.vcd r2
	same_run a c
	;;
vcd_bad_path)
	# A VCD that cannot be written: one line, status 2, before the run.
	touch plain
	status_is 2 "$smpsim" boot --kernel "$guest" --vcd no-such-dir/x.vcd >/dev/null 2>err.txt
	one_line_error err.txt
	grep -q 'no-such-dir/x.vcd: cannot open the VCD file for writing' err.txt
	status_is 2 "$smpsim" replay "$src/traces/mixed.pcap" --kernel "$guest" --vcd plain/x.vcd >/dev/null 2>err.txt
	one_line_error err.txt
	mkdir dir.vcd
	status_is 2 "$smpsim" boot --kernel "$guest" --vcd dir.vcd >/dev/null 2>err.txt
	one_line_error err.txt
	;;
*)
	echo "unknown case $case_name" >&2
	exit 1
	;;
esac
