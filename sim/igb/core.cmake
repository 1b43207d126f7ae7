# smpsim_igb_core: the 82576 device behaviour (frame parsing, RSS, registers, rings, descriptors,
# interrupts, EITR, statistics). Pure logic, no SystemC: unit tests drive it through a fake IgbHost.
add_library(smpsim_igb_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/packet.cc
  ${CMAKE_CURRENT_LIST_DIR}/rss.cc
  ${CMAKE_CURRENT_LIST_DIR}/igb_core.cc
  ${CMAKE_CURRENT_LIST_DIR}/igb_registers.cc)
target_link_libraries(smpsim_igb_core PUBLIC smpsim_core fmt::fmt)
