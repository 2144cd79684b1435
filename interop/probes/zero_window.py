#!/usr/bin/python3
"""Probe: a sender facing a zero window probes it (RFC 9293 §3.8.6.1) and resumes when it opens.

  zero_window.py TARGET LISTENING_PORT [--app http|echo] [--path /big.bin]

We connect with MSS 500 and a 1000-byte window (no window scaling), ask for more data than that (a large
file over HTTP, or 3000 bytes to an echo server), read what fits and acknowledge it with a zero window.
The target must then
- send nothing beyond the window: only zero-window probes (no data, or at most 1 byte at SND.NXT, or the
  zero-length probe at SND.UNA-1 that Linux sends), each answered by us with a zero-window ACK;
- keep probing: at least 3 probes within --probe-wait seconds, spaced by non-shrinking intervals (backoff);
- resume sending at SND.NXT once we open the window again.
"""
import time

from probelib import ACK, RST, Conn, ProbeFailure, Wire, describe, parse_args, request_bytes, run

args = parse_args(__doc__, port_help="a TCP port a listener accepts on",
                  extra=lambda ap: ap.add_argument("--probe-wait", type=float, default=6.0,
                                                   help="seconds to collect zero-window probes"))

WINDOW = 1000


def body():
    wire = Wire(args.target, args.port)
    try:
        conn = Conn(wire, mss=500, sack=False, ts=False, wscale=None, window=WINDOW)
        conn.connect(args.timeout)
        req = request_bytes(args, 3000 if args.app == "echo" else None)
        conn.send(req, window=WINDOW)
        # Read until the window is full; ACK nothing yet so the target stays window-limited.
        got = 0
        deadline = time.monotonic() + args.timeout
        while got < WINDOW and time.monotonic() < deadline:
            seg = conn.recv(deadline - time.monotonic())
            if seg is None:
                break
            if seg.flags & RST:
                raise ProbeFailure(f"connection reset {describe(seg)}")
            n = len(bytes(seg.payload))
            if n == 0:
                continue
            if seg.seq != conn.rcv_nxt:
                raise ProbeFailure(f"unexpected sequence {seg.seq}, expected {conn.rcv_nxt} {describe(seg)}")
            if got + n > WINDOW:
                raise ProbeFailure(f"target sent {got + n} bytes into a {WINDOW}-byte window")
            got += n
            conn.rcv_nxt = (conn.rcv_nxt + n) & 0xFFFFFFFF
        if got == 0:
            raise ProbeFailure(f"the application sent no data within {args.timeout}s")
        # Acknowledge everything with a zero window.
        conn.ack(window=0)
        probes = []
        deadline = time.monotonic() + args.probe_wait
        while time.monotonic() < deadline and len(probes) < 4:
            seg = conn.recv(deadline - time.monotonic())
            if seg is None:
                break
            if seg.flags & RST:
                raise ProbeFailure(f"connection reset while the window was zero {describe(seg)}")
            n = len(bytes(seg.payload))
            off = (seg.seq - conn.rcv_nxt) & 0xFFFFFFFF
            if off >= 2**31:
                off -= 2**32
            legal = (n == 0 and off in (0, -1)) or (n == 1 and off == 0)
            if not legal:
                raise ProbeFailure(f"segment into a zero window is not a probe: offset {off} from RCV.NXT, {n} bytes {describe(seg)}")
            probes.append(time.monotonic())
            conn.ack(window=0)  # a receiver answers every probe with its (still zero) window
        if len(probes) < 3:
            raise ProbeFailure(f"{len(probes)} zero-window probe(s) in {args.probe_wait}s, expected at least 3")
        gaps = [b - a for a, b in zip(probes, probes[1:])]
        for a, b in zip(gaps, gaps[1:]):
            if b < a * 0.8:
                raise ProbeFailure(f"probe intervals shrink (no backoff): {[round(g, 3) for g in gaps]}")
        # Open the window: new data must follow at RCV.NXT.
        conn.ack(window=WINDOW)
        seg = conn.recv(args.timeout, lambda s: len(bytes(s.payload)) > 0 or s.flags & RST)
        if seg is None:
            raise ProbeFailure(f"no data within {args.timeout}s after the window opened")
        if seg.flags & RST or seg.seq != conn.rcv_nxt:
            raise ProbeFailure(f"after the window opened got {describe(seg)}, expected data at {conn.rcv_nxt}")
        conn.rst()
        return (f"{got} bytes filled the window; {len(probes)} probes, intervals "
                f"{[round(g, 2) for g in gaps]} s; data resumed when the window opened")
    finally:
        wire.close()


run("zero_window", body)
