// What a replay changes in each captured frame before it reaches the wire, in the spirit of tcprewrite:
// the destination MAC (so a router's NIC takes the frames as addressed to it, PACKET_HOST) and 802.1Q /
// 802.1ad tags in front of the ethertype. It is what ../shared/traces/SOURCES.md's Linux reference did to
// every capture before replaying it into a forwarding namespace, so a replay rewritten the same way is
// comparable with Linux's conntrack tables. Nothing else is touched: checksums stay as captured.
#pragma once
#include "sim/core/types.h"
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace smpsim::net {

using MacAddress = std::array<u8, 6>;

struct FrameRewrite {
    std::optional<MacAddress> dmac; // every frame's destination MAC becomes this
    bool strip_vlan = false;        // remove every 802.1Q / 802.1ad tag in front of the ethertype
    bool any() const { return dmac.has_value() || strip_vlan; }
};

// "none", or a comma-separated list of "dmac" (the NIC's own MAC, nic_mac), "dmac=xx:xx:xx:xx:xx:xx" and
// "strip-vlan". InputError with a one-line message for anything else.
FrameRewrite parse_frame_rewrite(std::string_view spec, const MacAddress& nic_mac);

// The rewritten frame. A frame shorter than an Ethernet header is returned unchanged; a tag cut short by
// the end of the frame is left in place (as the frame is malformed, the NIC decides about it).
std::vector<u8> rewrite_frame(std::span<const u8> frame, const FrameRewrite& rewrite);

// "aa:bb:cc:dd:ee:ff"
std::string format_mac(const MacAddress& mac);

} // namespace smpsim::net
