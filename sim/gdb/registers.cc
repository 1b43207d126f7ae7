#include "sim/gdb/registers.h"

#include <fmt/format.h>

namespace smpsim::gdb {

namespace {

struct RegInfo {
    const char* name;
    unsigned bits;
    const char* type;
    const char* group; // nullptr: general
};

// In GDB's register order; the target description below lists them in this order too.
constexpr RegInfo kRegs[kRegCount] = {
    {"rax", 64, "int64", nullptr},      {"rbx", 64, "int64", nullptr},
    {"rcx", 64, "int64", nullptr},      {"rdx", 64, "int64", nullptr},
    {"rsi", 64, "int64", nullptr},      {"rdi", 64, "int64", nullptr},
    {"rbp", 64, "data_ptr", nullptr},   {"rsp", 64, "data_ptr", nullptr},
    {"r8", 64, "int64", nullptr},       {"r9", 64, "int64", nullptr},
    {"r10", 64, "int64", nullptr},      {"r11", 64, "int64", nullptr},
    {"r12", 64, "int64", nullptr},      {"r13", 64, "int64", nullptr},
    {"r14", 64, "int64", nullptr},      {"r15", 64, "int64", nullptr},
    {"rip", 64, "code_ptr", nullptr},   {"eflags", 32, "i386_eflags", nullptr},
    {"cs", 32, "int32", nullptr},       {"ss", 32, "int32", nullptr},
    {"ds", 32, "int32", nullptr},       {"es", 32, "int32", nullptr},
    {"fs", 32, "int32", nullptr},       {"gs", 32, "int32", nullptr},
    {"st0", 80, "i387_ext", "float"},   {"st1", 80, "i387_ext", "float"},
    {"st2", 80, "i387_ext", "float"},   {"st3", 80, "i387_ext", "float"},
    {"st4", 80, "i387_ext", "float"},   {"st5", 80, "i387_ext", "float"},
    {"st6", 80, "i387_ext", "float"},   {"st7", 80, "i387_ext", "float"},
    {"fctrl", 32, "int", "float"},      {"fstat", 32, "int", "float"},
    {"ftag", 32, "int", "float"},       {"fiseg", 32, "int", "float"},
    {"fioff", 32, "int", "float"},      {"foseg", 32, "int", "float"},
    {"fooff", 32, "int", "float"},      {"fop", 32, "int", "float"},
    {"xmm0", 128, "vec128", "vector"},  {"xmm1", 128, "vec128", "vector"},
    {"xmm2", 128, "vec128", "vector"},  {"xmm3", 128, "vec128", "vector"},
    {"xmm4", 128, "vec128", "vector"},  {"xmm5", 128, "vec128", "vector"},
    {"xmm6", 128, "vec128", "vector"},  {"xmm7", 128, "vec128", "vector"},
    {"xmm8", 128, "vec128", "vector"},  {"xmm9", 128, "vec128", "vector"},
    {"xmm10", 128, "vec128", "vector"}, {"xmm11", 128, "vec128", "vector"},
    {"xmm12", 128, "vec128", "vector"}, {"xmm13", 128, "vec128", "vector"},
    {"xmm14", 128, "vec128", "vector"}, {"xmm15", 128, "vec128", "vector"},
    {"mxcsr", 32, "int", "vector"},     {"fs_base", 64, "int64", nullptr},
    {"gs_base", 64, "int64", nullptr},  {"k_gs_base", 64, "int64", "system"},
    {"cr0", 64, "int64", "system"},     {"cr2", 64, "int64", "system"},
    {"cr3", 64, "int64", "system"},     {"cr4", 64, "int64", "system"},
    {"cr8", 64, "int64", "system"},     {"efer", 64, "int64", "system"},
};

std::string reg_line(unsigned n) {
    const RegInfo& r = kRegs[n];
    std::string s =
        fmt::format("  <reg name=\"{}\" bitsize=\"{}\" type=\"{}\" regnum=\"{}\"", r.name, r.bits, r.type, n);
    if (r.group) s += fmt::format(" group=\"{}\"", r.group);
    return s + "/>\n";
}

std::string build_xml() {
    std::string x = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n"
                    "<architecture>i386:x86-64</architecture>\n";
    x += "<feature name=\"org.gnu.gdb.i386.core\">\n"
         "  <flags id=\"i386_eflags\" size=\"4\">\n"
         "    <field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
         "    <field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
         "    <field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
         "    <field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
         "    <field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
         "    <field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
         "    <field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
         "    <field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
         "    <field name=\"ID\" start=\"21\" end=\"21\"/>\n"
         "  </flags>\n";
    for (unsigned n = kRax; n <= kFop; ++n)
        x += reg_line(n);
    x += "</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n"
         "  <vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
         "  <vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
         "  <vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
         "  <vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
         "  <vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
         "  <vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
         "  <union id=\"vec128\">\n"
         "    <field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>\n"
         "    <field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>\n"
         "    <field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>\n"
         "    <field name=\"uint128\" type=\"uint128\"/>\n"
         "  </union>\n";
    for (unsigned n = kXmm0; n <= kMxcsr; ++n)
        x += reg_line(n);
    x += "</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n";
    x += reg_line(kFsBase) + reg_line(kGsBase);
    // Not a feature GDB knows: it shows these registers by name (p $cr3, info registers system).
    x += "</feature>\n<feature name=\"org.smpsim.x86.system\">\n";
    for (unsigned n = kKernelGsBase; n <= kEfer; ++n)
        x += reg_line(n);
    x += "</feature>\n</target>\n";
    return x;
}

} // namespace

unsigned register_size(unsigned n) {
    return n < kRegCount ? kRegs[n].bits / 8 : 0;
}

bool register_modelled(unsigned n) {
    return n < kRegCount && !(n >= kSt0 && n <= kMxcsr);
}

unsigned registers_bytes() {
    unsigned total = 0;
    for (unsigned n = 0; n < kRegCount; ++n)
        total += register_size(n);
    return total;
}

std::string_view register_name(unsigned n) {
    return n < kRegCount ? kRegs[n].name : "";
}

const std::string& target_xml() {
    static const std::string xml = build_xml();
    return xml;
}

} // namespace smpsim::gdb
