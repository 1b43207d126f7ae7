// smpsim_make_traces DIR                 writes DIR/mixed.pcap and DIR/mixed.pcapng (the committed traces)
// smpsim_make_traces --udp-flood N OUT   writes N minimum-size UDP frames over 256 flows (benchmark input)
#include "sim/core/error.h"
#include "traces/trace_generator.h"

#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    try {
        const std::string first = argc > 1 ? argv[1] : "";
        if (argc == 4 && first == "--udp-flood") {
            char* end = nullptr;
            const unsigned long long count = std::strtoull(argv[2], &end, 10);
            if (!end || *end || count == 0)
                throw smpsim::InputError(std::string("bad frame count: ") + argv[2]);
            smpsim::traces::write_pcap(argv[3], smpsim::traces::udp_flood_frames(count), true);
            return 0;
        }
        if (argc == 2 && !first.starts_with("-")) {
            smpsim::traces::write_committed_traces(first);
            return 0;
        }
        std::cerr << "usage: smpsim_make_traces DIR | smpsim_make_traces --udp-flood N OUT.pcap\n";
        return 2;
    } catch (const smpsim::InputError& e) {
        std::cerr << "smpsim_make_traces: error: " << e.what() << "\n";
        return 2;
    }
}
