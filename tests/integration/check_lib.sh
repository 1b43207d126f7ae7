# Helpers shared by the integration check scripts, sourced before they change directory:
# . "$(dirname "$0")/check_lib.sh"

# status_is N CMD...: the command must exit with status N.
status_is() {
	want=$1
	shift
	status=0
	"$@" || status=$?
	[ "$status" = "$want" ] || { echo "exit status $status, expected $want: $*" >&2; exit 1; }
}

# one_line_error FILE: stderr held exactly one "smpsim: error: " line.
one_line_error() {
	[ "$(wc -l <"$1")" = 1 ] || { echo "stderr is not one line:" >&2; cat "$1" >&2; exit 1; }
	grep -q '^smpsim: error: ' "$1"
}
