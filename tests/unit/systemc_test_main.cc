// What every GoogleTest binary that runs SystemC (sc_start) needs besides its tests.

// LeakSanitizer's exit-time scan faults on the SystemC coroutine stacks' guard pages; leak checking is
// off for these binaries (ASan's other checks stay on). Unused without ASan.
extern "C" const char* __asan_default_options() {
    return "detect_leaks=0";
}

// libsystemc references sc_main (extern "C", as sc_externs.h declares it); GoogleTest's main runs the
// tests instead, so this is never called.
extern "C" int sc_main(int, char*[]) {
    return 0;
}
