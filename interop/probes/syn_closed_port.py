#!/usr/bin/python3
"""Probe: segments to a closed port are refused with a RST (RFC 9293 §3.10.7.1, "If the state is CLOSED").

  syn_closed_port.py TARGET CLOSED_PORT

1. A SYN (no ACK bit) must get <RST,ACK> with SEQ=0 and ACK = SEG.SEQ + SEG.LEN (the SYN counts 1).
2. A bare ACK must get <RST> with SEQ = SEG.ACK and no ACK bit.
3. A RST must get nothing back (an incoming RST is always dropped in CLOSED).
"""
import random

from probelib import ACK, RST, IP, TCP, ProbeFailure, Wire, describe, ephemeral_port, parse_args, run

args = parse_args(__doc__, port_help="a TCP port nothing listens on")


def body():
    wire = Wire(args.target, args.port)
    try:
        # 1. SYN -> RST+ACK, seq 0, ack = iss + 1
        sport = ephemeral_port()
        iss = random.randint(0, 2**32 - 1)
        wire.send(IP(dst=args.target) / TCP(sport=sport, dport=args.port, flags="S", seq=iss, window=64240,
                                            options=[("MSS", 1460)]))
        seg = wire.recv(sport, args.timeout)
        if seg is None:
            raise ProbeFailure(f"no answer to a SYN for closed port {args.port} within {args.timeout}s")
        if (seg.flags & (RST | ACK)) != (RST | ACK) or seg.flags & ~(RST | ACK) & 0xFF:
            raise ProbeFailure(f"SYN to a closed port answered by {describe(seg)}, expected exactly RST+ACK")
        if seg.seq != 0 or seg.ack != (iss + 1) & 0xFFFFFFFF:
            raise ProbeFailure(f"RST to the SYN has seq={seg.seq} ack={seg.ack}, expected seq=0 ack={(iss + 1) & 0xFFFFFFFF}")
        if len(bytes(seg.payload)) != 0:
            raise ProbeFailure(f"RST carries {len(bytes(seg.payload))} data bytes")

        # 2. ACK -> RST with seq = SEG.ACK, no ACK bit
        sport2 = ephemeral_port()
        seg_ack = random.randint(0, 2**32 - 1)
        wire.send(IP(dst=args.target) / TCP(sport=sport2, dport=args.port, flags="A", seq=random.randint(0, 2**32 - 1),
                                            ack=seg_ack, window=64240))
        seg2 = wire.recv(sport2, args.timeout)
        if seg2 is None:
            raise ProbeFailure(f"no answer to a bare ACK for closed port {args.port} within {args.timeout}s")
        if (seg2.flags & 0xFF) != RST or seg2.seq != seg_ack:
            raise ProbeFailure(f"ACK to a closed port answered by {describe(seg2)}, expected RST seq={seg_ack} without ACK")

        # 3. RST -> silence
        sport3 = ephemeral_port()
        wire.send(IP(dst=args.target) / TCP(sport=sport3, dport=args.port, flags="R", seq=random.randint(0, 2**32 - 1)))
        seg3 = wire.recv(sport3, 1.0)
        if seg3 is not None:
            raise ProbeFailure(f"a RST to a closed port was answered by {describe(seg3)}")
        return f"SYN -> RST+ACK seq=0 ack=ISS+1; ACK -> RST seq=SEG.ACK; RST -> nothing (port {args.port})"
    finally:
        wire.close()


run("syn_closed_port", body)
