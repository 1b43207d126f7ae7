// The guest's conntrack views, read back from its console transcript into the replay's summary JSON: what
// the guest printed in Linux's formats (conntrack -L lines, conntrack -E events, /proc/net/stat/
// nf_conntrack, the PRE_ROUTING ct-state counters, /proc/net/snmp's ForwDatagrams) becomes the
// `conntrack` object of docs/NIC.md. Pure text processing, so it is unit-tested on transcripts.
#pragma once
#include <nlohmann/json.hpp>
#include <string_view>

namespace smpsim::app {

// The `conntrack` object, or null when the transcript has no conntrack view (conntrack off, or a guest
// that does not print it). Console line ends (CRLF) and the "~ " marks of machine-dependent lines are
// ignored.
nlohmann::json conntrack_json_from_console(std::string_view console);

} // namespace smpsim::app
