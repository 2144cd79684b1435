#!/bin/bash
# Regenerates the kernel-captured frames in this folder (run as root from the repository root:
#   bash test-fixtures/wire/capture.sh). Makes a throw-away veth pair between two network namespaces
# (10.77.9.1/24 <-> 10.77.9.2/24, fixed MACs), turns off checksum offload so the kernel writes real
# checksums, captures ARP, ICMP echo, ping -R (IPv4 options), ICMP port unreachable, ICMP time exceeded and
# a small TCP exchange with tcpdump, then writes each chosen frame as hex with the fields tshark decoded
# as "# field: value" lines. The namespaces are deleted at the end.
set -euo pipefail
OUT=${OUT:-test-fixtures/wire}
A=wcapA$$; B=wcapB$$; VA=vwA$$; VB=vwB$$
TMP=$(mktemp -d)
cleanup() {
  [ -n "${TCPDUMP_PID:-}" ] && kill "$TCPDUMP_PID" 2>/dev/null || true
  [ -n "${NC_PID:-}" ] && kill "$NC_PID" 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$A"; ip netns add "$B"
ip link add "$VA" address 02:00:0a:4d:09:01 type veth peer name "$VB" address 02:00:0a:4d:09:02
ip link set "$VA" netns "$A"; ip link set "$VB" netns "$B"
ip -n "$A" addr add 10.77.9.1/24 dev "$VA"; ip -n "$B" addr add 10.77.9.2/24 dev "$VB"
ip -n "$A" link set lo up; ip -n "$B" link set lo up
ip -n "$A" link set "$VA" up; ip -n "$B" link set "$VB" up
ip netns exec "$A" ethtool -K "$VA" tx off rx off >/dev/null
ip netns exec "$B" ethtool -K "$VB" tx off rx off >/dev/null
# B routes 10.77.10.0/24 nowhere useful, so a TTL-1 ping through it gets ICMP time exceeded.
ip netns exec "$B" sysctl -qw net.ipv4.ip_forward=1
ip -n "$A" route add 10.77.10.0/24 via 10.77.9.2
ip -n "$B" route add 10.77.10.0/24 via 10.77.9.1 2>/dev/null || true

ip netns exec "$B" tcpdump -i "$VB" -U -s 0 -w "$TMP/cap.pcap" 2>/dev/null & TCPDUMP_PID=$!
sleep 1
ip netns exec "$A" ping -c 1 -W 1 -p 6d7463702d7473 10.77.9.2 >/dev/null           # ARP + echo
ip netns exec "$A" ping -c 1 -W 1 -R 10.77.9.2 >/dev/null || true                   # IPv4 record-route option
ip netns exec "$A" ping -c 1 -W 1 -t 1 10.77.10.5 >/dev/null || true                # time exceeded from B
printf 'x' | ip netns exec "$A" nc -u -w 1 10.77.9.2 9 >/dev/null 2>&1 || true      # port unreachable
ip netns exec "$B" nc -l 10.77.9.2 8080 >/dev/null & NC_PID=$!
sleep 0.5
printf 'hello mtcp-ts\n' | ip netns exec "$A" nc -N -w 1 10.77.9.2 8080 || true
sleep 1
kill "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true; TCPDUMP_PID=

# write_fixture NAME FILTER DESCRIPTION FIELD...
write_fixture() {
  local name=$1 filter=$2 desc=$3; shift 3
  local frame
  frame=$(tshark -r "$TMP/cap.pcap" -Y "$filter" -T fields -e frame.number 2>/dev/null | head -1)
  [ -n "$frame" ] || { echo "no frame matches $filter" >&2; exit 1; }
  {
    echo "# $desc"
    echo "# Captured from the Linux kernel $(uname -r) on a veth pair with checksum offload off, by"
    echo "# test-fixtures/wire/capture.sh on $(date -u +%Y-%m-%d). Field values as decoded by $(tshark -v 2>/dev/null | head -1)"
    echo "# display-filter: $filter"
    for f in "$@"; do
      # A field marked name@all lists every occurrence (comma-separated); others give the first (outer) one.
      local occ=f field=$f
      case $f in *@all) occ=a; field=${f%@all} ;; esac
      echo "# $f: $(tshark -r "$TMP/cap.pcap" -Y "frame.number == $frame" -T fields -E occurrence=$occ -E aggregator=, -e "$field" 2>/dev/null)"
    done
    tshark -r "$TMP/cap.pcap" -Y "frame.number == $frame" -T fields -e frame.protocols 2>/dev/null | sed 's/^/# frame.protocols: /'
    tshark -r "$TMP/cap.pcap" -Y "frame.number == $frame" -x 2>/dev/null \
      | sed -n 's/^[0-9a-f]\{4\}  \(\([0-9a-f][0-9a-f] \{1,2\}\)*\).*/\1/p' | tr -s ' ' | sed 's/ *$//'
  } > "$OUT/$name.hex"
  echo "wrote $OUT/$name.hex (frame $frame)"
}

ETH="eth.dst eth.src eth.type"
IP="ip.version ip.hdr_len ip.dsfield ip.len ip.id ip.flags.df ip.flags.mf ip.frag_offset ip.ttl ip.proto ip.checksum ip.src ip.dst"
TCP="tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.hdr_len tcp.flags tcp.window_size_value tcp.checksum tcp.urgent_pointer tcp.len tcp.options.mss_val tcp.options.wscale.shift tcp.option_kind@all tcp.options.timestamp.tsval tcp.options.timestamp.tsecr"
ICMP="icmp.type icmp.code icmp.checksum icmp.ident icmp.seq icmp.mtu"
ARP="arp.hw.type arp.proto.type arp.hw.size arp.proto.size arp.opcode arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4"

write_fixture arp-request 'arp.opcode == 1' 'ARP request from 10.77.9.1 for 10.77.9.2' $ETH $ARP
write_fixture arp-reply 'arp.opcode == 2' 'ARP reply from 10.77.9.2' $ETH $ARP
write_fixture icmp-echo-request 'icmp.type == 8 && ip.hdr_len == 20 && ip.ttl > 1' 'ICMP echo request (ping -p 6d7463702d7473)' $ETH $IP $ICMP
write_fixture icmp-echo-reply 'icmp.type == 0 && ip.hdr_len == 20' 'ICMP echo reply' $ETH $IP $ICMP
write_fixture ipv4-options-record-route 'icmp.type == 8 && ip.hdr_len > 20' 'ICMP echo request with the IPv4 record-route option (ping -R)' $ETH $IP ip.opt.type@all ip.opt.len@all ip.opt.ptr ip.rec_rt@all $ICMP
write_fixture icmp-time-exceeded 'icmp.type == 11' 'ICMP time exceeded sent by the forwarding namespace (ping -t 1 through it)' $ETH $IP $ICMP
write_fixture icmp-port-unreachable 'icmp.type == 3 && icmp.code == 3' 'ICMP port unreachable for a UDP datagram to port 9' $ETH $IP $ICMP
write_fixture tcp-syn 'tcp.flags == 0x002' 'TCP SYN with MSS, SACK-permitted, timestamps, window scale' $ETH $IP $TCP
write_fixture tcp-syn-ack 'tcp.flags == 0x012' 'TCP SYN-ACK' $ETH $IP $TCP
write_fixture tcp-data 'tcp.len > 0' 'TCP data segment (PSH,ACK) carrying "hello mtcp-ts\n"' $ETH $IP $TCP
write_fixture tcp-fin 'tcp.flags.fin == 1 && ip.src == 10.77.9.1' 'TCP FIN,ACK from the client' $ETH $IP $TCP
