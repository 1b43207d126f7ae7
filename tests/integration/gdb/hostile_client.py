#!/usr/bin/env python3
"""Malformed and hostile clients against smpsim's GDB stub: bad checksums, oversize packets, unknown
commands, unmapped addresses, a flood, a disconnect in the middle of a packet, Ctrl-C. None may crash or
hang the simulator; without --gdb-wait a lost connection lets the run go on to the guest's own exit
status, with --gdb-wait it ends the run with status 14.

usage: hostile_client.py SMPSIM GUEST"""
import re
import socket
import subprocess
import sys
import time

SMPSIM, GUEST = sys.argv[1], sys.argv[2]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def start(*extra):
    proc = subprocess.Popen([SMPSIM, "boot", "--kernel", GUEST, "--gdb", "0", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    m = re.match(r"smpsim: gdb: listening on 127\.0\.0\.1:(\d+)", line)
    if not m:
        fail("no 'listening' line: " + line)
    return proc, int(m.group(1))


def frame(payload: bytes) -> bytes:
    return b"$" + payload + b"#" + b"%02x" % (sum(payload) & 0xFF)


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def raw(self, data: bytes):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by the stub")
        self.buf += chunk

    def ack(self) -> bytes:
        """The next '+' or '-'."""
        while True:
            while not self.buf:
                self._fill()
            c, self.buf = self.buf[:1], self.buf[1:]
            if c in (b"+", b"-"):
                return c

    def reply(self) -> bytes:
        """The next packet's payload (run-length codes expanded, escapes undone); acknowledges it."""
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                break
            self._fill()
        body = self.buf[start + 1:end]
        if int(self.buf[end + 1:end + 3], 16) != sum(body) & 0xFF:
            fail("bad checksum from the stub")
        self.buf = self.buf[end + 3:]
        self.raw(b"+")
        out = bytearray()
        i = 0
        while i < len(body):
            c = body[i]
            if c == ord("}"):
                out.append(body[i + 1] ^ 0x20)
                i += 2
            elif c == ord("*"):
                out += bytes([out[-1]]) * (body[i + 1] - 29)
                i += 2
            else:
                out.append(c)
                i += 1
        return bytes(out)

    def ask(self, payload: bytes) -> bytes:
        self.raw(frame(payload))
        if self.ack() != b"+":
            fail(b"NAK for a good packet: " + payload)
        return self.reply()

    def close(self):
        self.sock.close()


def expect(got, want, what):
    """got must match the regular expression want ('+' and '-' literally)."""
    if not (got == want if want in (b"+", b"-") else re.fullmatch(want, got)):
        fail(f"{what}: got {got[:80]!r}, expected {want!r}")


# --- Without --gdb-wait: the machine runs; every abuse is answered; lost connections let it go on.
proc, port = start("--cpus", "2", "--append", "selftest")
c = Client(port)
expect(c.ask(b"?"), rb"T05thread:[12];", "stop at attach")
c.raw(b"$g#00")
expect(c.ack(), b"-", "bad checksum")
c.raw(b"$g#zz")
expect(c.ack(), b"-", "bad checksum digits")
c.raw(frame(b"m" * 40000))
expect(c.ack(), b"-", "oversize packet")
c.raw(b"$" + b"a*~" * 5000 + b"#00")  # a run-length bomb (and a bad checksum)
expect(c.ack(), b"-", "run-length bomb")
c.raw(b"\x01\x02garbage+-")  # noise between packets
expect(c.ask(b"qC"), rb"QC[12]", "packet after noise")
for unknown in (b"vMustReplyEmpty", b"qTStatus", b"!", b"bc", b"Z9,0,0", b"Hx1", b"vCont;t"):
    r = c.ask(unknown)
    if r not in (b"", b"E16", b"E01") and not r.startswith(b"E"):
        fail(f"{unknown!r} answered {r!r}")
# Whatever mode the stopped CPU is in (it may not have paging on yet), nothing readable is at 2 GiB:
# unmapped, or mapped to no RAM (the stub reads and writes RAM only).
expect(c.ask(b"m7fff0000,10"), b"E14", "address without memory")
expect(c.ask(b"M7fff0000,1:00"), b"E14", "write to an address without memory")
expect(c.ask(b"m0,ffffffff")[:8], rb"[0-9a-f]{8}", "huge read is capped")
expect(c.ask(b"qRcmd," + b"xp 0xffffffffff 4".hex().encode()), rb"[0-9a-f]+", "monitor on no memory")
expect(c.ask(b"P999=00"), b"E16", "register out of range")
expect(c.ask(b"G00"), b"E16", "short G")
expect(c.ask(b"vCont;s:99"), b"E16", "step a CPU that does not exist")
# Ctrl-C interrupts a running machine.
c.raw(frame(b"c"))
expect(c.ack(), b"+", "ack of c")
time.sleep(0.2)
c.raw(b"\x03")
expect(c.reply(), rb"T02thread:[12];", "stop after Ctrl-C")
# A Ctrl-C right behind the 'c' in one write: the stub reads it before the machine has resumed, and it
# must still stop the machine (stream order), not be dropped as a Ctrl-C that came while stopped.
c.raw(frame(b"c") + b"\x03")
expect(c.ack(), b"+", "ack of c with Ctrl-C behind it")
expect(c.reply(), rb"T02thread:[12];", "stop after a Ctrl-C behind c")
# A flood while the machine runs: more packets than the stub queues closes the connection.
c.raw(frame(b"c"))
c.raw(frame(b"qC") * 6000)
try:
    while True:
        c._fill()
        c.buf = b""
except (EOFError, ConnectionResetError):
    pass
c.close()
# Reconnect: the machine stops again; then disconnect in the middle of a packet.
c = Client(port)
# (T02 when the machine never left the Ctrl-C stop: the flood may be dropped before 'c' was taken.)
expect(c.ask(b"?"), rb"T0[25]thread:[12];", "stop at the second attach")
# A Ctrl-C while stopped, then a disconnect in the middle of a packet: the stale stop request must not
# pause the machine again once it runs on with no debugger.
c.raw(b"\x03$m10")
c.close()
out, err = proc.communicate(timeout=600)
if proc.returncode != 1:
    fail(f"run without --gdb-wait ended with {proc.returncode}, expected the guest's 1:\n{err}")
for msg in ("the debugger sent more packets than it waited answers for", "the run goes on",
            "guest wrote 0x0 to the exit port"):
    if msg not in err:
        fail(f"stderr lacks '{msg}':\n{err}")

# --- With --gdb-wait: a lost connection ends the run (status 14) after a message.
proc, port = start("--cpus", "1", "--gdb-wait")
c = Client(port)
expect(c.ask(b"qSupported:swbreak+"), rb"PacketSize=4000;.*", "qSupported")
c.close()
out, err = proc.communicate(timeout=600)
if proc.returncode != 14 or "ending the run (--gdb-wait)" not in err:
    fail(f"--gdb-wait run ended with {proc.returncode}:\n{err}")
print("PASS")
