#!/usr/bin/python3
"""Probe (server side): a connecting client keeps its receive window open whatever our ISN is.

  client_window.py CLIENT_IP LISTEN_PORT [--count N] [--timeout S]

Plays an HTTP server on this host's address (the kernel's RSTs must be suppressed here). For each of N
connections from CLIENT_IP it answers the SYN with a SYN-ACK whose ISN is just below 2^31, just below 2^32
or random, reads the request, checks that the client advertises a non-zero window in every segment after its
SYN (its receive buffer is empty; RFC 9293 §3.8.6), sends a small HTTP response and closes.
"""
import random
import time

from probelib import ACK, FIN, RST, SYN, IP, TCP, Raw, ProbeFailure, conf, describe, options_of, run
import argparse
import select

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("client")
ap.add_argument("port", type=int)
ap.add_argument("--count", type=int, default=4)
ap.add_argument("--timeout", type=float, default=20.0)
args = ap.parse_args()

ISNS = [0x7FFE8AFD, 0x7FFD3BE2, 0xFFFFF000, 0x7FFFFFF0]
BODY = b"hello from a scapy server\n"
RESPONSE = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)


T0 = time.monotonic()


def tsval():
    return (int((time.monotonic() - T0) * 1000) + 5000) & 0xFFFFFFFF


def ts_opts(c):
    return [] if c["ts"] is None else [("NOP", None), ("NOP", None), ("Timestamp", (tsval(), c["ts"]))]


def body():
    iface, src = conf.route.route(args.client)[0], conf.route.route(args.client)[1]
    out = conf.L3socket(iface=iface)
    inp = conf.L2listen(iface=iface, filter=f"tcp and src host {args.client} and dst port {args.port}")
    conns = {}
    done = []
    deadline = time.monotonic() + args.timeout
    try:
        while len(done) < args.count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProbeFailure(f"{len(done)} of {args.count} connections completed within {args.timeout}s; open: {sorted(conns)}")
            ready, _, _ = select.select([inp], [], [], left)
            if not ready:
                continue
            pkt = inp.recv()
            if pkt is None or TCP not in pkt:
                continue
            seg = pkt[TCP]
            key = seg.sport
            payload = bytes(seg.payload)
            if seg.flags & SYN:
                isn = ISNS[len(conns) % len(ISNS)] if len(conns) < len(ISNS) else random.randint(0, 2**32 - 1)
                c = conns.get(key) or {"isn": isn, "rcv_nxt": (seg.seq + 1) & 0xFFFFFFFF, "snd_nxt": (isn + 1) & 0xFFFFFFFF, "req": b"", "answered": False, "ts": None}
                conns[key] = c
                opts = [("MSS", 1460)]
                offered = options_of(seg).get("Timestamp")
                if offered is not None:  # as Linux: answer timestamps, then carry them on every segment (RFC 7323 §3.2)
                    c["ts"] = offered[0]
                    opts.append(("Timestamp", (tsval(), c["ts"])))
                if "SAckOK" in options_of(seg):
                    opts.append(("SAckOK", b""))
                if "WScale" in options_of(seg):  # as Linux answers: our scale 10, theirs applies to their window
                    opts.append(("NOP", None))
                    opts.append(("WScale", 10))
                out.send(IP(dst=args.client) / TCP(sport=args.port, dport=key, flags="SA", seq=c["isn"], ack=c["rcv_nxt"], window=65535, options=opts))
                continue
            c = conns.get(key)
            if c is None:
                continue
            if seg.flags & RST:
                raise ProbeFailure(f"client {key} reset the connection {describe(seg)}")
            if seg.window == 0:
                raise ProbeFailure(f"client port {key} (our ISN {c['isn']:#x}) advertises a zero window with an empty receive buffer {describe(seg)}")
            theirs = options_of(seg).get("Timestamp")
            if theirs is not None and c["ts"] is not None:
                c["ts"] = theirs[0]
            if payload and seg.seq == c["rcv_nxt"]:
                c["req"] += payload
                c["rcv_nxt"] = (c["rcv_nxt"] + len(payload)) & 0xFFFFFFFF
            if seg.flags & FIN and ((seg.seq + len(payload)) & 0xFFFFFFFF) == c["rcv_nxt"]:
                c["rcv_nxt"] = (c["rcv_nxt"] + 1) & 0xFFFFFFFF
                out.send(IP(dst=args.client) / TCP(sport=args.port, dport=key, flags="A", seq=c["snd_nxt"], ack=c["rcv_nxt"], window=65535, options=ts_opts(c)))
                done.append(key)
                del conns[key]
                continue
            if b"\r\n\r\n" in c["req"] and not c["answered"]:
                c["answered"] = True
                out.send(IP(dst=args.client) / TCP(sport=args.port, dport=key, flags="FPA", seq=c["snd_nxt"], ack=c["rcv_nxt"], window=65535, options=ts_opts(c)) / Raw(load=RESPONSE))
                c["snd_nxt"] = (c["snd_nxt"] + len(RESPONSE) + 1) & 0xFFFFFFFF
            elif payload:
                out.send(IP(dst=args.client) / TCP(sport=args.port, dport=key, flags="A", seq=c["snd_nxt"], ack=c["rcv_nxt"], window=65535, options=ts_opts(c)))
        return f"{len(done)} connections with ISNs {', '.join(hex(i) for i in ISNS)} (then random): windows stayed open"
    finally:
        out.close()
        inp.close()


run("client_window", body)
