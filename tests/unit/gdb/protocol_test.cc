#include "fake_target.h"
#include "sim/gdb/packet.h"
#include "sim/gdb/protocol.h"
#include "sim/gdb/registers.h"

#include <gtest/gtest.h>

namespace smpsim::gdb {
namespace {

class ProtocolTest : public ::testing::Test {
  protected:
    std::string reply(std::string_view packet) {
        const Outcome o = proto.handle(packet);
        EXPECT_EQ(o.kind, Outcome::Kind::Reply) << packet;
        return o.reply;
    }
    static std::string fmt_offset(u64 offset) {
        return "qXfer:features:read:target.xml:" + hex_u64(offset) + ",400";
    }
    FakeTarget target{3};
    GdbProtocol proto{target};
};

TEST_F(ProtocolTest, Supported) {
    const std::string r = reply("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
    for (const char* feature : {"PacketSize=4000", "qXfer:features:read+", "swbreak+", "hwbreak+",
                                "vContSupported+", "QStartNoAckMode+"})
        EXPECT_NE(r.find(feature), std::string::npos) << feature;
    EXPECT_FALSE(proto.no_ack_mode());
    EXPECT_EQ(reply("QStartNoAckMode"), "OK");
    EXPECT_TRUE(proto.no_ack_mode());
    proto.reset_connection();
    EXPECT_FALSE(proto.no_ack_mode());
}

TEST_F(ProtocolTest, TargetXmlInSlices) {
    std::string doc;
    for (u64 offset = 0;;) {
        const std::string r = reply(fmt_offset(offset));
        ASSERT_FALSE(r.empty());
        ASSERT_TRUE(r[0] == 'm' || r[0] == 'l') << r;
        doc += r.substr(1);
        offset += r.size() - 1;
        if (r[0] == 'l') break;
    }
    EXPECT_EQ(doc, target_xml());
    for (const char* s : {"i386:x86-64", "org.gnu.gdb.i386.core", "org.gnu.gdb.i386.segments", "fs_base",
                          "gs_base", "org.smpsim.x86.system", "\"cr3\"", "\"efer\"", "\"ss\"", "\"gs\""})
        EXPECT_NE(doc.find(s), std::string::npos) << s;
    EXPECT_EQ(reply("qXfer:features:read:other.xml:0,100"), "E00");
    EXPECT_EQ(reply("qXfer:features:read:target.xml:zz"), "E16");
}

TEST_F(ProtocolTest, ReadAndWriteAllRegisters) {
    const std::string g = reply("g");
    ASSERT_EQ(g.size(), registers_bytes() * 2);
    // rax of CPU 0 is 0x1_0000_0000 | 0, little-endian.
    EXPECT_EQ(g.substr(0, 16), "0000000001000000");
    // eflags (reg 17) follows rip: 4 bytes.
    EXPECT_EQ(reply("p11"), "11000000");
    EXPECT_EQ(reply("p10"), "1000000001000000");   // rip
    EXPECT_EQ(reply("p18"), std::string(20, '0')); // st0: 10 bytes of zeros
    EXPECT_EQ(reply("p3e"), "3e00000001000000");   // cr3
    EXPECT_EQ(reply("p999"), "E16");
    // G writes back what changed only; CS (unchanged) is not written, so the refusal does not show.
    std::string g2 = g;
    g2.replace(0, 16, "efbeadde00000000");
    EXPECT_EQ(reply("G" + g2), "OK");
    EXPECT_EQ(target.regs[0][kRax], 0xdeadbeefu);
    EXPECT_EQ(reply("G1234"), "E16");
    // P: one register, of its own size.
    EXPECT_EQ(reply("P0=0100000000000000"), "OK");
    EXPECT_EQ(target.regs[0][kRax], 1u);
    EXPECT_EQ(reply("P0=01"), "E16");
    EXPECT_EQ(reply("P12=08000000"), "E01");               // cs: refused by the target
    EXPECT_EQ(reply("P18=" + std::string(20, '1')), "OK"); // x87: ignored
}

TEST_F(ProtocolTest, ThreadsAreCpus) {
    EXPECT_EQ(reply("qfThreadInfo"), "m1,2,3");
    EXPECT_EQ(reply("qsThreadInfo"), "l");
    EXPECT_EQ(reply("qC"), "QC1");
    EXPECT_EQ(reply("Hg2"), "OK");
    EXPECT_EQ(reply("qC"), "QC2");
    EXPECT_EQ(reply("p0"), "0000000002000000"); // CPU 1's rax
    EXPECT_EQ(reply("Hg0"), "OK");              // any: stays
    EXPECT_EQ(reply("Hg4"), "E01");
    EXPECT_EQ(reply("Hgp1.3"), "OK");
    EXPECT_EQ(reply("qC"), "QC3");
    EXPECT_EQ(reply("Hc-1"), "OK");
    EXPECT_EQ(reply("T3"), "OK");
    EXPECT_EQ(reply("T4"), "E01");
    EXPECT_EQ(reply("qThreadExtraInfo,1"), to_hex("long mode"));
    EXPECT_EQ(reply("qAttached"), "1");
    const std::string threads = reply("qXfer:threads:read::0,1000");
    EXPECT_NE(threads.find("name=\"CPU 2\""), std::string::npos) << threads;
    EXPECT_NE(threads.find(">halted<"), std::string::npos) << threads;
}

TEST_F(ProtocolTest, Memory) {
    target.memory[0x10] = 0xab;
    target.memory[0x11] = 0xcd;
    EXPECT_EQ(reply("m1010,2"), "abcd");
    EXPECT_EQ(reply("m2ffe,4"), "0000"); // partial: up to the hole
    EXPECT_EQ(reply("m5000,4"), "E14");
    EXPECT_EQ(reply("m10,"), "E16");
    EXPECT_EQ(reply("M1020,2:beef"), "OK");
    EXPECT_EQ(target.memory[0x20], 0xbe);
    EXPECT_EQ(reply("M5000,1:00"), "E14");
    EXPECT_EQ(reply("M1020,2:be"), "E16");
    EXPECT_EQ(reply("M1020,2"), "E16");
    EXPECT_EQ(reply("X1030,0:"), "OK");
    EXPECT_EQ(reply(std::string("X1030,3:a#\x7d", 11)), "OK"); // binary, already unescaped
    EXPECT_EQ(target.memory[0x31], '#');
    EXPECT_EQ(reply("X5000,1:a"), "E14");
    // Large reads are capped to what fits in a packet.
    EXPECT_EQ(reply("m1000,ffffff").size(), size_t(kMaxPacketSize / 2 * 2));
}

TEST_F(ProtocolTest, StopPoints) {
    EXPECT_EQ(reply("Z0,ffffffff81000000,1"), "OK");
    EXPECT_EQ(reply("Z1,1000,1"), "OK");
    EXPECT_EQ(reply("Z2,2000,8"), "OK");
    EXPECT_EQ(reply("Z3,2008,4"), "OK");
    EXPECT_EQ(reply("Z4,2010,1"), "E22"); // the fake has room for four
    EXPECT_EQ(reply("Z5,0,1"), "");
    EXPECT_EQ(reply("Z0,zz,1"), "E16");
    EXPECT_EQ(target.points.size(), 4u);
    EXPECT_EQ(target.points[2].type, StopPointType::WriteWatch);
    EXPECT_EQ(target.points[2].len, 8u);
    EXPECT_EQ(reply("z1,1000,1"), "OK");
    EXPECT_EQ(target.points.size(), 3u);
    // Detach removes every stop point GDB left behind.
    const Outcome d = proto.handle("D");
    EXPECT_EQ(d.kind, Outcome::Kind::Detach);
    EXPECT_EQ(d.reply, "OK");
    EXPECT_TRUE(target.points.empty());
}

TEST_F(ProtocolTest, ResumeCommands) {
    Outcome o = proto.handle("c");
    EXPECT_EQ(o.kind, Outcome::Kind::Resume);
    EXPECT_EQ(o.resume.actions, std::vector<CpuAction>(3, CpuAction::Continue));
    reply("Hg2");
    o = proto.handle("s");
    EXPECT_EQ(o.resume.actions, (std::vector<CpuAction>{CpuAction::Stop, CpuAction::Step, CpuAction::Stop}));
    o = proto.handle("c2000");
    EXPECT_EQ(target.regs[1][kRip], 0x2000u);
    o = proto.handle("C05;3000");
    EXPECT_EQ(o.kind, Outcome::Kind::Resume);
    EXPECT_EQ(target.regs[1][kRip], 0x3000u);
    EXPECT_EQ(reply("vCont?"), "vCont;c;C;s;S");
    o = proto.handle("vCont;s:3;c");
    EXPECT_EQ(o.resume.actions,
              (std::vector<CpuAction>{CpuAction::Continue, CpuAction::Continue, CpuAction::Step}));
    o = proto.handle("vCont;s:p1.1");
    EXPECT_EQ(o.resume.actions, (std::vector<CpuAction>{CpuAction::Step, CpuAction::Stop, CpuAction::Stop}));
    o = proto.handle("vCont;C05:2;c");
    EXPECT_EQ(o.resume.actions, std::vector<CpuAction>(3, CpuAction::Continue));
    EXPECT_EQ(reply("vCont;x"), "E16");
    EXPECT_EQ(reply("vCont;s:9"), "E16");
    EXPECT_EQ(proto.handle("k").kind, Outcome::Kind::Kill);
    EXPECT_EQ(proto.handle("k").reply, "");
    const Outcome vkill = proto.handle("vKill;1");
    EXPECT_EQ(vkill.kind, Outcome::Kind::Kill);
    EXPECT_EQ(vkill.reply, "OK");
}

TEST_F(ProtocolTest, StopReplies) {
    EXPECT_EQ(reply("?"), "S05");
    StopEvent e;
    e.cpu = 2;
    EXPECT_EQ(proto.stop_reply(e), "T05thread:3;");
    EXPECT_EQ(reply("?"), "T05thread:3;");
    EXPECT_EQ(reply("qC"), "QC3");
    e.kind = StopEvent::Kind::SwBreak;
    e.cpu = 0;
    EXPECT_EQ(proto.stop_reply(e), "T05thread:1;swbreak:;");
    e.kind = StopEvent::Kind::HwBreak;
    EXPECT_EQ(proto.stop_reply(e), "T05thread:1;hwbreak:;");
    e.kind = StopEvent::Kind::Watch;
    e.data_address = 0xffff800000001000;
    EXPECT_EQ(proto.stop_reply(e), "T05thread:1;watch:ffff800000001000;");
    e.watch_type = StopPointType::ReadWatch;
    EXPECT_EQ(proto.stop_reply(e), "T05thread:1;rwatch:ffff800000001000;");
    e.watch_type = StopPointType::AccessWatch;
    EXPECT_EQ(proto.stop_reply(e), "T05thread:1;awatch:ffff800000001000;");
    e = StopEvent{};
    e.signal = 2;
    EXPECT_EQ(proto.stop_reply(e), "T02thread:1;");
    e.kind = StopEvent::Kind::Exited;
    e.exit_status = 0x101;
    EXPECT_EQ(proto.stop_reply(e), "W01");
}

TEST_F(ProtocolTest, Monitor) {
    EXPECT_EQ(reply("qRcmd," + to_hex("cache 1000")), to_hex("did cache 1000\n"));
    EXPECT_EQ(reply("qRcmd," + to_hex("quiet")), "OK");
    EXPECT_EQ(reply("qRcmd,zz"), "E16");
    EXPECT_EQ(target.commands.size(), 2u);
}

TEST_F(ProtocolTest, UnknownPacketsGetTheEmptyReply) {
    for (const char* p :
         {"vMustReplyEmpty", "qTStatus", "qOffsets", "!", "bc", "y", "\x01", "qSymbol::", "vFile:open:"})
        EXPECT_EQ(reply(p), "") << p;
    EXPECT_EQ(reply(""), "");
}

} // namespace
} // namespace smpsim::gdb
