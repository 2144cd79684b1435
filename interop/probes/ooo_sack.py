#!/usr/bin/python3
"""Probe: out-of-order segments are acknowledged at once with SACK blocks and reassembled.

  ooo_sack.py TARGET LISTENING_PORT [--app http|echo] [--path /]

A 320-byte request is cut into four 80-byte segments sent in the order 2, 4, 3, 1:
- after 2: a duplicate ACK (ACK = start of 1) with SACK block [2]            (RFC 5681 §4.2: at once)
- after 4: a duplicate ACK with SACK blocks [4], [2] (most recent first)      (RFC 2018 §4)
- after 3: a duplicate ACK with the merged block [2..4]
- after 1: ACK of the whole request, with no SACK block left
and the application's answer must be right (reassembled in order: an echo server returns the same bytes).
"""
from probelib import ACK, RST, Conn, ProbeFailure, Wire, describe, options_of, parse_args, request_bytes, response_complete, response_ok, run

args = parse_args(__doc__, port_help="a TCP port a listener accepts on")

PIECE = 80


def blocks_of(seg):
    raw = options_of(seg).get("SAck")
    if raw is None:
        return []
    raw = list(raw)
    return [(raw[i], raw[i + 1]) for i in range(0, len(raw) - 1, 2)]


def body():
    wire = Wire(args.target, args.port)
    try:
        conn = Conn(wire, sack=True, ts=True)
        synack = conn.connect(args.timeout)
        if "SAckOK" not in options_of(synack):
            raise ProbeFailure(f"SYN-ACK does not permit SACK {describe(synack)}")
        wire.recv_all(conn.sport, 0.2)
        req = request_bytes(args, 4 * PIECE)
        base = conn.snd_nxt
        edge = [(base + i * PIECE) & 0xFFFFFFFF for i in range(5)]

        def piece(i):  # 1-based
            return req[(i - 1) * PIECE:i * PIECE]

        def send_and_expect(i, want_blocks):
            conn.send(piece(i), seq=edge[i - 1])
            seg = conn.recv(args.timeout, lambda s: s.flags & (ACK | RST))
            if seg is None:
                raise ProbeFailure(f"no immediate ACK after out-of-order segment {i} within {args.timeout}s")
            if seg.flags & RST:
                raise ProbeFailure(f"out-of-order segment {i} answered by RST {describe(seg)}")
            if seg.ack != base:
                raise ProbeFailure(f"after segment {i} ACK={seg.ack}, expected the duplicate ACK {base}")
            got = blocks_of(seg)
            if got[:len(want_blocks)] != want_blocks or len(got) != len(want_blocks):
                raise ProbeFailure(f"after segment {i} SACK blocks {got}, expected {want_blocks} {describe(seg)}")

        send_and_expect(2, [(edge[1], edge[2])])
        send_and_expect(4, [(edge[3], edge[4]), (edge[1], edge[2])])
        send_and_expect(3, [(edge[1], edge[4])])
        conn.send(piece(1), seq=edge[0])
        conn.snd_nxt = edge[4]
        seg = conn.wait_ack_of(edge[4], args.timeout, "the filled hole")
        if seg.ack != edge[4]:
            raise ProbeFailure(f"after the hole was filled ACK={seg.ack}, expected {edge[4]}")
        if blocks_of(seg):
            raise ProbeFailure(f"ACK after the hole was filled still carries SACK blocks {blocks_of(seg)}")
        # The ACK may carry the first bytes of the answer: start reading there.
        data = bytes(seg.payload)
        if data and seg.seq == conn.rcv_nxt:
            conn.rcv_nxt = (conn.rcv_nxt + len(data)) & 0xFFFFFFFF
            conn.ack()
        else:
            data = b""
        done = response_complete(args, req)
        if not done(data):
            data += conn.read_response(args.timeout, until=lambda d: done(data + d))
        if not response_ok(args, req, data):
            raise ProbeFailure(f"reassembled request answered wrongly: {data[:80]!r}")
        conn.rst()
        return "dup ACKs with SACK [2], [4][2], [2..4]; cumulative ACK after the hole; application answered correctly"
    finally:
        wire.close()


run("ooo_sack", body)
