#!/usr/bin/python3
"""Probe: blind-reset protection (RFC 5961 §3.2) and an in-window RST that does not match.

  challenge_ack.py TARGET LISTENING_PORT [--app http|echo] [--path /]

1. Establish a connection.
2. Send a RST whose sequence number is inside the target's receive window but is not RCV.NXT: the target
   must answer with a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and keep the connection.
3. Send a RST whose sequence number is outside the window: it must be dropped silently (RFC 5961 §3.2 /
   RFC 9293 §3.10.7.4), the connection stays.
4. Send a request: the connection must still work (the application answers).
5. Send a RST with SEQ = RCV.NXT exactly: the connection is gone, so a following data segment gets a RST.
"""
from probelib import ACK, RST, Conn, ProbeFailure, Wire, describe, parse_args, request_bytes, response_complete, response_ok, run

args = parse_args(__doc__, port_help="a TCP port a listener accepts on")


def body():
    wire = Wire(args.target, args.port)
    try:
        conn = Conn(wire)
        conn.connect(args.timeout)
        wire.recv_all(conn.sport, 0.2)  # let the handshake settle (nothing should arrive)

        # 2. in-window RST with the wrong sequence number -> challenge ACK
        conn.rst(seq=(conn.snd_nxt + 1000) & 0xFFFFFFFF)
        seg = conn.recv(args.timeout)
        if seg is None:
            raise ProbeFailure(f"no challenge ACK within {args.timeout}s after an in-window RST with SEQ=RCV.NXT+1000")
        if seg.flags & RST or not seg.flags & ACK:
            raise ProbeFailure(f"in-window RST answered by {describe(seg)}, expected a challenge ACK")
        if seg.ack != conn.snd_nxt or seg.seq != conn.rcv_nxt or len(bytes(seg.payload)) != 0:
            raise ProbeFailure(f"challenge ACK {describe(seg)} should be seq={conn.rcv_nxt} ack={conn.snd_nxt}, no data")

        # 3. out-of-window RST -> silence
        conn.rst(seq=(conn.snd_nxt - 0x40000000) & 0xFFFFFFFF)
        quiet = wire.recv_all(conn.sport, 0.5)
        if quiet:
            raise ProbeFailure(f"out-of-window RST answered by {describe(quiet[0][1])}, expected silence")

        # 4. the connection still works
        req = request_bytes(args)
        conn.send(req)
        reply = conn.read_response(args.timeout, until=response_complete(args, req))
        if not response_ok(args, req, reply):
            raise ProbeFailure(f"after the RSTs the connection does not answer correctly: got {reply[:80]!r}")

        # 5. exact RST kills the connection; later data is refused
        conn.rst()
        wire.recv_all(conn.sport, 0.3)
        conn.send(b"x")
        seg = conn.recv(args.timeout, lambda s: s.flags & RST)
        if seg is None:
            raise ProbeFailure("after a RST with SEQ=RCV.NXT the connection still accepts data (no RST to new data)")
        return "in-window RST -> challenge ACK, out-of-window RST ignored, connection survived; exact RST closed it"
    finally:
        wire.close()


run("challenge_ack", body)
