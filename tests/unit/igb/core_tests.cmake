#IgbCore(registers, rings, descriptors, interrupts) driven through a fake host over a RAM vector.
smpsim_unit_test(igb_core_tests SOURCES ${CMAKE_CURRENT_LIST_DIR} /
                 core_registers_test.cc ${CMAKE_CURRENT_LIST_DIR} /
                 core_rx_test.cc ${CMAKE_CURRENT_LIST_DIR} / core_tx_test.cc ${CMAKE_CURRENT_LIST_DIR} /
                 core_interrupt_test.cc ${CMAKE_CURRENT_LIST_DIR} /
                 core_robustness_test.cc LIBS smpsim_igb_core)
# The advanced descriptor structs against the datasheet's bit layout.
smpsim_unit_test(igb_descriptor_tests SOURCES ${CMAKE_CURRENT_LIST_DIR}/core_descriptor_test.cc LIBS smpsim_igb_core)
