#!/usr/bin/python3
"""Probe: sequence numbers near 2^31 and 2^32 (RFC 9293 §3.4: all arithmetic is modulo 2^32).

  seq_edges.py TARGET LISTENING_PORT [--app http|echo] [--path /]

For each initial sequence number just below 2^31 and just below 2^32 we connect, send a request whose bytes
cross that boundary, and check that the target acknowledges them, advertises a non-zero window in every
segment, and answers correctly. A stack that mixes signed and unsigned 32-bit values (e.g. `x | 0` next to
`x >>> 0`) fails here.
"""
from probelib import RST, Conn, ProbeFailure, Wire, describe, parse_args, request_bytes, response_complete, response_ok, run

args = parse_args(__doc__, port_help="a TCP port a listener accepts on")


def one(wire, iss):
    conn = Conn(wire, sack=True, ts=True, wscale=7)
    conn.iss = iss
    conn.snd_nxt = iss
    synack = conn.connect(args.timeout)
    if synack.window == 0:
        raise ProbeFailure(f"ISS {iss:#x}: SYN-ACK advertises a zero window {describe(synack)}")
    req = request_bytes(args)
    conn.send(req)
    ack = conn.wait_ack_of(conn.snd_nxt, args.timeout, f"the request crossing {iss:#x}+{len(req)}")
    data = b""
    payload = bytes(ack.payload)
    if payload and ack.seq == conn.rcv_nxt:
        data = payload
        conn.rcv_nxt = (conn.rcv_nxt + len(payload)) & 0xFFFFFFFF
        conn.ack()
    done = response_complete(args, req)
    if not done(data):
        data += conn.read_response(args.timeout, until=lambda d: done(data + d))
    if not response_ok(args, req, data):
        raise ProbeFailure(f"ISS {iss:#x}: wrong answer {data[:80]!r}")
    for seg in conn.received:
        if seg.window == 0 and not seg.flags & RST:
            raise ProbeFailure(f"ISS {iss:#x}: zero window advertised with an empty receive buffer {describe(seg)}")
    conn.rst()
    return f"{iss:#x} ok"


def body():
    wire = Wire(args.target, args.port)
    try:
        return "; ".join(one(wire, iss) for iss in (0x7FFFFFF0, 0xFFFFFFF0, 0x7FFF0000, 0x7FFE8000, 0x7FFD0000))
    finally:
        wire.close()


run("seq_edges", body)
