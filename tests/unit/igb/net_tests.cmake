# Unit tests of the igb net layer (parsing, RSS, pcap, pacing, traces). Included by CMakeLists.txt here.
set(NET_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})
get_filename_component(NET_REPO_DIR ${CMAKE_CURRENT_LIST_DIR}/../../.. ABSOLUTE)
smpsim_unit_test(igb_net_tests
  SOURCES ${NET_TEST_DIR}/net_rss_test.cc ${NET_TEST_DIR}/net_packet_test.cc ${NET_TEST_DIR}/net_pcap_test.cc
    ${NET_TEST_DIR}/net_pcap_fuzz_test.cc ${NET_TEST_DIR}/net_pacer_test.cc
    # The trace generator is compiled in (not linked from traces/) so the test does not depend on the
    # order in which the top level adds directories.
    ${NET_TEST_DIR}/net_traces_test.cc ${NET_REPO_DIR}/traces/trace_generator.cc
  LIBS smpsim_igb_net)
target_compile_definitions(igb_net_tests PRIVATE SMPSIM_SOURCE_DIR="${NET_REPO_DIR}")
