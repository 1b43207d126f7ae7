# smpsim_igb_net: packets on the wire (header parsing, RSS Toeplitz hash, pcap/pcapng source and sink,
# pacing). Pure logic plus libpcap; no SystemC.
add_library(smpsim_igb_net STATIC
  ${CMAKE_CURRENT_LIST_DIR}/packet.cc
  ${CMAKE_CURRENT_LIST_DIR}/rss.cc
  ${CMAKE_CURRENT_LIST_DIR}/pcap_source.cc
  ${CMAKE_CURRENT_LIST_DIR}/pcap_sink.cc
  ${CMAKE_CURRENT_LIST_DIR}/pacer.cc)
target_link_libraries(smpsim_igb_net PUBLIC smpsim_core PkgConfig::PCAP fmt::fmt)
