#!/usr/bin/python3
"""Probe: the SYN-ACK answers exactly the options the SYN offered.

  synack_options.py TARGET LISTENING_PORT

For each offer below a SYN goes to the listener, the SYN-ACK is checked, and a RST closes the embryonic
connection. Window scale (RFC 7323 §2.2), timestamps (RFC 7323 §3.2) and SACK-permitted (RFC 2018 §2) may
appear in a SYN-ACK only when the SYN carried them; when it did, the SYN-ACK must carry them too (for a
stack that supports them). MSS (RFC 9293 §3.7.1) may always be sent; it must be present when the SYN carried
one, and no larger than the interface MTU allows (1460).
The timestamp echo must equal our TSval, and the window field of a SYN-ACK is never scaled (RFC 7323 §2.2).
"""
import random

from probelib import ACK, RST, SYN, IP, TCP, ProbeFailure, Wire, describe, ephemeral_port, options_of, parse_args, run, syn_options

args = parse_args(__doc__, port_help="a TCP port a listener accepts on")

OFFERS = [
    ("all four", dict(mss=1460, sack=True, ts=True, wscale=7)),
    ("none", dict(mss=None, sack=False, ts=False, wscale=None)),
    ("MSS+SACK", dict(mss=1400, sack=True, ts=False, wscale=None)),
    ("MSS+TS+WS", dict(mss=1200, sack=False, ts=True, wscale=2)),
]


def check(wire, label, offer):
    sport = ephemeral_port()
    iss = random.randint(0, 2**32 - 1)
    tsval = random.randint(1, 2**32 - 1)
    opts = syn_options(mss=offer["mss"], sack=offer["sack"], ts=tsval if offer["ts"] else None, wscale=offer["wscale"])
    wire.send(IP(dst=args.target) / TCP(sport=sport, dport=args.port, flags="S", seq=iss, window=64240, options=opts))
    seg = wire.recv(sport, args.timeout)
    if seg is None:
        raise ProbeFailure(f"offer {label}: no answer to the SYN within {args.timeout}s")
    # Close the embryonic connection whatever happens next.
    wire.send(IP(dst=args.target) / TCP(sport=sport, dport=args.port, flags="R", seq=(iss + 1) & 0xFFFFFFFF))
    if (seg.flags & (SYN | ACK | RST)) != (SYN | ACK):
        raise ProbeFailure(f"offer {label}: SYN answered by {describe(seg)}, expected SYN-ACK")
    if seg.ack != (iss + 1) & 0xFFFFFFFF:
        raise ProbeFailure(f"offer {label}: SYN-ACK ack={seg.ack}, expected {(iss + 1) & 0xFFFFFFFF}")
    got = options_of(seg)
    problems = []
    for name, offered in (("WScale", offer["wscale"] is not None), ("SAckOK", offer["sack"]), ("Timestamp", offer["ts"])):
        if offered and name not in got:
            problems.append(f"{name} offered but missing")
        if not offered and name in got:
            problems.append(f"{name} not offered but present")
    if offer["mss"] is not None and "MSS" not in got:
        problems.append("MSS offered but missing")
    if "MSS" in got and not (536 <= got["MSS"] <= 1460):
        problems.append(f"MSS {got['MSS']} outside 536..1460")
    if "WScale" in got and got["WScale"] > 14:
        problems.append(f"window scale {got['WScale']} > 14")
    if "Timestamp" in got and got["Timestamp"][1] != tsval:
        problems.append(f"TSecr {got['Timestamp'][1]} != our TSval {tsval}")
    if "Timestamp" in got and got["Timestamp"][0] == 0:
        problems.append("TSval 0")
    if seg.window == 0:
        problems.append("SYN-ACK advertises a zero window")
    if problems:
        raise ProbeFailure(f"offer {label}: {'; '.join(problems)} in {describe(seg)}")
    return f"{label} -> {sorted(got)}"


def body():
    wire = Wire(args.target, args.port)
    try:
        return "; ".join(check(wire, label, offer) for label, offer in OFFERS)
    finally:
        wire.close()


run("synack_options", body)
