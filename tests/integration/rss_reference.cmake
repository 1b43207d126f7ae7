# rss_reference: an independent host-side RSS computation over a capture, the cross-check of the replay's
# per-queue counts. Deliberately shares no code with sim/igb.
add_executable(rss_reference ${CMAKE_CURRENT_LIST_DIR}/rss_reference.cc)
target_link_libraries(rss_reference PRIVATE PkgConfig::PCAP nlohmann_json::nlohmann_json smpsim_warnings)
