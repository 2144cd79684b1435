"""Shared machinery for the scapy protocol probes (interop/probes/*.py).

A probe plays a hand-made TCP peer against a target (the Linux kernel via kernel-peer, or mtcp-ts on a TAP)
and prints one line, "PASS <probe>: ..." or "FAIL <probe>: ...", exiting 0 or 1 (2 for a usage or setup error).

The host running a probe must not answer the target's segments itself: its kernel would reset our hand-made
connections (it has no socket for them). kernel-peer and the interop fixture drop the kernel's outgoing RSTs
with nftables for that reason.

Only /usr/bin/python3 has scapy (Debian's python3-scapy).
"""

import argparse
import logging
import random
import select
import sys
import time
import traceback

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
logging.getLogger("scapy.loading").setLevel(logging.ERROR)

try:
    from scapy.config import conf
    from scapy.layers.inet import IP, TCP
    from scapy.packet import Raw
    import scapy.all  # noqa: F401  (registers the Linux sockets and the routing table)
except ImportError as err:  # pragma: no cover
    print(f"FAIL setup: scapy is missing ({err}); use /usr/bin/python3 with Debian's python3-scapy")
    sys.exit(2)

conf.verb = 0

# TCP flag bits (RFC 9293 §3.1).
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# What the probes ask for over HTTP (epserver / nginx) and how they recognise the answer.
HTTP_REQUEST = "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: mtcp-interop-probe\r\n{pad}\r\n"


class ProbeFailure(Exception):
    """A check failed: the message is the FAIL line's text."""


def parse_args(description, port_help="target TCP port", extra=None):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("target", help="target IPv4 address")
    ap.add_argument("port", type=int, help=port_help)
    ap.add_argument("--app", choices=("http", "echo"), default="http",
                    help="what listens on the port: an HTTP server (nginx, epserver) or an echo server")
    ap.add_argument("--path", default="/", help="HTTP path to request (--app http)")
    ap.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for each expected segment")
    if extra is not None:
        extra(ap)
    return ap.parse_args()


def run(name, body):
    """Runs body() and turns its outcome into the PASS/FAIL line and exit code."""
    try:
        detail = body()
    except ProbeFailure as err:
        print(f"FAIL {name}: {err}")
        sys.stdout.flush()
        sys.exit(1)
    except PermissionError as err:
        print(f"FAIL {name}: needs root for raw sockets ({err})")
        sys.stdout.flush()
        sys.exit(2)
    except Exception:  # a bug in the probe, not in the target: exit 2 so nobody reads it as a verdict
        traceback.print_exc()
        print(f"FAIL {name}: probe error (see the traceback above)")
        sys.stdout.flush()
        sys.exit(2)
    print(f"PASS {name}: {detail}")
    sys.stdout.flush()
    sys.exit(0)


def options_of(seg):
    """The TCP options of a scapy TCP layer as a dict name -> value (NOP/EOL dropped)."""
    out = {}
    for item in seg.options:
        name, value = item[0], item[1] if len(item) > 1 else None
        if name in ("NOP", "EOL"):
            continue
        out[name] = value
    return out


def describe(seg):
    """One-line description of a received TCP segment, for failure messages."""
    flags = str(seg.flags)
    return (f"[{flags} seq={seg.seq} ack={seg.ack} win={seg.window} len={len(bytes(seg.payload))} "
            f"opts={options_of(seg)}]")


class Wire:
    """One raw send socket and one capture socket on the interface that routes to the target."""

    def __init__(self, target, port):
        self.target = target
        self.port = port
        route = conf.route.route(target)
        self.iface = route[0]
        self.src = route[1]
        if self.src == "0.0.0.0":
            raise ProbeFailure(f"no route to {target}")
        self.out = conf.L3socket(iface=self.iface)
        # Capture everything TCP from the target; ports are matched here, so one socket serves every connection.
        self.inp = conf.L2listen(iface=self.iface, filter=f"tcp and src host {target}")
        self.t0 = time.monotonic()

    def send(self, pkt):
        self.out.send(pkt)

    def recv(self, sport, timeout, match=None):
        """The next TCP segment from target:port to our `sport` that satisfies match(seg), or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.inp], [], [], left)
            if not ready:
                return None
            pkt = self.inp.recv()
            if pkt is None or IP not in pkt or TCP not in pkt:
                continue
            seg = pkt[TCP]
            if pkt[IP].src != self.target or seg.sport != self.port or seg.dport != sport:
                continue
            if match is None or match(seg):
                return seg

    def recv_all(self, sport, duration):
        """Every segment from target:port to `sport` during `duration` seconds, with arrival times."""
        out = []
        deadline = time.monotonic() + duration
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            seg = self.recv(sport, left)
            if seg is None:
                return out
            out.append((time.monotonic(), seg))

    def close(self):
        self.out.close()
        self.inp.close()


def ephemeral_port():
    return random.randint(20000, 60000)


def syn_options(mss=None, sack=False, ts=None, wscale=None):
    """A SYN's option list (Linux's order)."""
    opts = []
    if mss is not None:
        opts.append(("MSS", mss))
    if sack:
        opts.append(("SAckOK", b""))
    if ts is not None:
        opts.append(("Timestamp", (ts, 0)))
    if wscale is not None:
        opts.append(("NOP", None))
        opts.append(("WScale", wscale))
    return opts


class Conn:
    """A hand-driven TCP connection from us to target:port.

    Tracks snd_nxt (our next sequence number) and rcv_nxt (the next byte we expect), and keeps the
    timestamp option going when it was negotiated (RFC 7323 §3.2: once negotiated, every segment but RST
    carries it)."""

    def __init__(self, wire, mss=1460, sack=True, ts=True, wscale=None, window=64240):
        self.wire = wire
        self.sport = ephemeral_port()
        self.mss = mss
        self.offer_sack = sack
        self.offer_ts = ts
        self.offer_wscale = wscale
        self.window = window
        self.iss = random.randint(0, 2**32 - 1)
        self.snd_nxt = self.iss
        self.rcv_nxt = 0
        self.ts_on = False
        self.ts_recent = 0
        self.synack = None
        self.received = []  # every segment conn.recv() returned, in order

    def ip(self):
        return IP(dst=self.wire.target)

    def tsval(self):
        return (int((time.monotonic() - self.wire.t0) * 1000) + 1000) & 0xFFFFFFFF

    def options(self, sack_blocks=None):
        opts = []
        if sack_blocks:
            opts.append(("NOP", None))
            opts.append(("NOP", None))
            opts.append(("SAck", tuple(x for block in sack_blocks for x in block)))
        if self.ts_on:
            opts.append(("NOP", None))
            opts.append(("NOP", None))
            opts.append(("Timestamp", (self.tsval(), self.ts_recent)))
        return opts

    def segment(self, flags, seq=None, payload=b"", window=None, ack=True):
        seq = self.snd_nxt if seq is None else seq
        tcp = TCP(sport=self.sport, dport=self.wire.port, flags=flags, seq=seq & 0xFFFFFFFF,
                  ack=(self.rcv_nxt if ack else 0) & 0xFFFFFFFF,
                  window=self.window if window is None else window,
                  options=[] if "R" in flags else self.options())
        pkt = self.ip() / tcp
        if payload:
            pkt = pkt / Raw(load=payload)
        return pkt

    def note(self, seg):
        """Remembers the peer's timestamp (RFC 7323 §4.3, simplified: latest in-order value)."""
        if self.ts_on:
            ts = options_of(seg).get("Timestamp")
            if ts is not None:
                self.ts_recent = ts[0]

    def connect(self, timeout=3.0):
        """Three-way handshake; returns the SYN-ACK."""
        opts = syn_options(mss=self.mss, sack=self.offer_sack, ts=self.tsval() if self.offer_ts else None,
                           wscale=self.offer_wscale)
        syn = self.ip() / TCP(sport=self.sport, dport=self.wire.port, flags="S", seq=self.iss,
                              window=min(self.window, 65535), options=opts)
        self.wire.send(syn)
        synack = self.wire.recv(self.sport, timeout, lambda s: s.flags & (SYN | RST))
        if synack is None:
            raise ProbeFailure(f"no SYN-ACK to our SYN within {timeout}s")
        if (synack.flags & (SYN | ACK | RST)) != (SYN | ACK):
            raise ProbeFailure(f"SYN answered by {describe(synack)}, expected SYN-ACK")
        if synack.ack != (self.iss + 1) & 0xFFFFFFFF:
            raise ProbeFailure(f"SYN-ACK acknowledges {synack.ack}, expected ISS+1 = {(self.iss + 1) & 0xFFFFFFFF}")
        self.synack = synack
        self.snd_nxt = (self.iss + 1) & 0xFFFFFFFF
        self.rcv_nxt = (synack.seq + 1) & 0xFFFFFFFF
        opts = options_of(synack)
        self.ts_on = self.offer_ts and "Timestamp" in opts
        if self.ts_on:
            self.ts_recent = opts["Timestamp"][0]
        self.wire.send(self.segment("A"))
        return synack

    def send(self, payload, seq=None, advance=True, flags="PA", window=None):
        """Sends data at snd_nxt (or at `seq`); advances snd_nxt when sent in order and advance is set."""
        self.wire.send(self.segment(flags, seq=seq, payload=payload, window=window))
        if seq is None and advance:
            self.snd_nxt = (self.snd_nxt + len(payload)) & 0xFFFFFFFF

    def ack(self, window=None, sack_blocks=None):
        tcp = TCP(sport=self.sport, dport=self.wire.port, flags="A", seq=self.snd_nxt, ack=self.rcv_nxt,
                  window=self.window if window is None else window, options=self.options(sack_blocks))
        self.wire.send(self.ip() / tcp)

    def rst(self, seq=None):
        self.wire.send(self.segment("R", seq=seq, ack=False))

    def recv(self, timeout, match=None):
        seg = self.wire.recv(self.sport, timeout, match)
        if seg is not None:
            self.note(seg)
            self.received.append(seg)
        return seg

    def wait_ack_of(self, seq_end, timeout, what):
        """Waits for a segment acknowledging everything before seq_end."""
        want = seq_end & 0xFFFFFFFF
        seg = self.recv(timeout, lambda s: s.flags & ACK and ((s.ack - want) & 0xFFFFFFFF) < 2**31)
        if seg is None:
            raise ProbeFailure(f"no ACK of {what} (ack >= {want}) within {timeout}s")
        if seg.flags & RST:
            raise ProbeFailure(f"{what} answered by RST {describe(seg)}")
        return seg

    def read_response(self, timeout, until=None, limit=1 << 20):
        """Reads in-order data, ACKing it, until FIN, `until(data)` is true, `limit` bytes or a quiet `timeout`."""
        data = bytearray()
        while len(data) < limit:
            seg = self.recv(timeout)
            if seg is None:
                break
            if seg.flags & RST:
                raise ProbeFailure(f"connection reset while reading the response {describe(seg)}; got {bytes(data[:80])!r}")
            payload = bytes(seg.payload)
            if len(payload) > 0 and seg.seq == self.rcv_nxt:
                data += payload
                self.rcv_nxt = (self.rcv_nxt + len(payload)) & 0xFFFFFFFF
            fin = bool(seg.flags & FIN) and ((seg.seq + len(payload)) & 0xFFFFFFFF) == self.rcv_nxt
            if fin:
                self.rcv_nxt = (self.rcv_nxt + 1) & 0xFFFFFFFF
            if len(payload) > 0 or fin:
                self.ack()
            if fin or (until is not None and until(bytes(data))):
                break
        return bytes(data)


def request_bytes(args, length=None):
    """What to send to the application: an HTTP request (padded with a header to `length` bytes when given)
    or, for an echo server, `length` (default 64) recognisable bytes."""
    if args.app == "echo":
        n = 64 if length is None else length
        return bytes((i * 7 + 13) & 0xFF for i in range(n))
    req = HTTP_REQUEST.format(path=args.path, host=args.target, pad="")
    if length is not None:
        pad_len = length - len(req) - len("X-Pad: \r\n")
        if pad_len < 0:
            raise ProbeFailure(f"cannot pad an HTTP request to {length} bytes")
        req = HTTP_REQUEST.format(path=args.path, host=args.target, pad="X-Pad: " + "p" * pad_len + "\r\n")
    return req.encode()


def response_ok(args, sent, data):
    """Whether `data` is the application's correct answer to `sent`."""
    if args.app == "echo":
        return data == sent
    return data.startswith(b"HTTP/1.") and b" 200 " in data.split(b"\r\n", 1)[0]


def response_complete(args, sent):
    """A predicate telling read_response when the answer is complete enough to judge."""
    if args.app == "echo":
        return lambda data: len(data) >= len(sent)
    return lambda data: b"\r\n\r\n" in data
