// Tests of the kernel-side interop pieces on their own: ss -ti and snmp parsing (no root), and, as root, nginx
// and socat peers inside a namespace, the fixture's TAP/bridge/nftables/capture machinery, and the scapy probes
// against the Linux kernel (the reference peer every probe must pass against).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { listNetns, TestNetns } from '../src/testing/netns.js';
import { InteropNet, KERNEL_IP, STACK_IP, parseSnmp, rootTestsEnabled, sleep, withInterop } from './fixture.js';
import { parseIpv4, parseMac } from '../src/wire/addresses.js';
import { writeEthernetHeader } from '../src/wire/ethernet.js';
import { writeIpv4Header } from '../src/wire/ipv4.js';
import { writeIcmpEcho } from '../src/wire/icmp.js';
import { parseSsTi, runProbe, socatReceive, socatSendFile, ssTcpInfo, startNginx, waitForTcpListen } from './kernel-tools.js';

const PREFIX = 'mtik';

after(() => {
  assert.deepEqual(listNetns().filter((n) => n.startsWith(`${PREFIX}-${process.pid}-`)), []);
});

function fixture(name: string): string {
  return readFileSync(join(process.cwd(), 'interop', 'fixtures', name), 'utf8');
}

test('parseSsTi: a clean bulk run (ss -tin of Linux 6.18, header line included)', () => {
  const conns = parseSsTi(fixture('ss-ti-clean.txt'));
  assert.equal(conns.length, 2);
  const [sender, receiver] = conns;
  assert.equal(sender.state, 'ESTAB');
  assert.equal(sender.local, '10.77.0.1:43132');
  assert.equal(sender.peer, '10.77.0.1:5001');
  assert.equal(sender.congestion, 'bbr');
  assert.equal(sender.bytesSent, 3000000);
  assert.equal(sender.bytesAcked, 3000001);
  assert.equal(sender.bytesReceived, 0);
  assert.equal(sender.retransTotal, 0);
  assert.equal(sender.bytesRetrans, 0);
  assert.equal(sender.segsOut, 88);
  assert.equal(sender.segsIn, 58);
  assert.equal(sender.fields.send, '32034848921bps');
  assert.equal(sender.fields.pacing_rate, '374281387728bps');
  assert.equal(sender.fields.wscale, '10,10');
  assert.ok(sender.flags.includes('app_limited'));
  assert.equal(receiver.local, '10.77.0.1:5001');
  assert.equal(receiver.bytesReceived, 3000000);
  assert.equal(receiver.fields.rcv_space, '212992');
});

test('parseSsTi: retransmissions show in retrans:a/b and bytes_retrans (no header line)', () => {
  const conns = parseSsTi(fixture('ss-ti-retrans.txt'));
  assert.equal(conns.length, 2);
  assert.equal(conns[0].retransTotal, 0);
  assert.equal(conns[0].fields.rcv_ooopack, '18');
  const sender = conns[1];
  assert.equal(sender.retransTotal, 7);
  assert.equal(sender.retransOutstanding, 0);
  assert.equal(sender.bytesRetrans, 415108);
  assert.equal(sender.bytesSent, 30415108);
  assert.equal(sender.fields.ssthresh, '8');
});

test('parseSsTi: rejects an info line before any connection and a malformed retrans field', () => {
  assert.throws(() => parseSsTi('\t cubic rto:204\n'), /info line without a connection line/);
  assert.throws(() => parseSsTi('ESTAB 0 0 1.2.3.4:1 5.6.7.8:2\n\t retrans:x\n'), /unexpected retrans field/);
  assert.deepEqual(parseSsTi('State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n'), []);
});

test('parseSnmp: the Tcp table of /proc/net/snmp by name', () => {
  const text = 'Ip: Forwarding DefaultTTL\nIp: 2 64\n' +
    'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n' +
    'Tcp: 1 200 120000 -1 3 2 0 1 4 1234 5678 9 0 7 0\n';
  const tcp = parseSnmp(text, 'Tcp');
  assert.equal(tcp.RetransSegs, 9);
  assert.equal(tcp.OutSegs, 5678);
  assert.equal(tcp.MaxConn, -1);
  assert.equal(parseSnmp(text, 'Ip').DefaultTTL, 64);
  assert.throws(() => parseSnmp(text, 'Udp'), /no Udp table/);
});

test('nginx in a namespace serves a file byte-exact; socat moves 4 MiB with equal SHA-256; ss -ti sees the bytes', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withInterop({ prefix: PREFIX }, async (net) => {
    const ns = net.ns;
    ns.ip('addr', 'add', `${KERNEL_IP}/24`, 'dev', 'lo');
    const www = join(net.dir, 'www');
    mkdirSync(www);
    const blob = randomBytes(4 << 20);
    const sha = createHash('sha256').update(blob).digest('hex');
    writeFileSync(join(www, 'blob.bin'), blob);
    const nginx = await startNginx(ns, { root: www, dir: net.dir, ip: KERNEL_IP, port: 80 });
    const r = await ns.run(`curl -sS -o ${join(net.dir, 'got.bin')} -w '%{http_code}' http://${KERNEL_IP}/blob.bin`, 20_000);
    assert.equal(r.stdout, '200', r.stderr);
    assert.equal(createHash('sha256').update(readFileSync(join(net.dir, 'got.bin'))).digest('hex'), sha);
    const missing = await ns.run(`curl -s -o /dev/null -w '%{http_code}' http://${KERNEL_IP}/nope`, 10_000);
    assert.equal(missing.stdout, '404');
    nginx.stop();

    // socat: the kernel listens and receives; a second socat sends the file.
    const file = join(www, 'blob.bin');
    const receiving = socatReceive(ns, `TCP-LISTEN:5001,bind=${KERNEL_IP},reuseaddr`);
    await waitForTcpListen(ns, KERNEL_IP, 5001);
    const sent = await socatSendFile(ns, file, `TCP:${KERNEL_IP}:5001`);
    assert.equal(sent.code, 0, sent.stderr);
    const got = await receiving;
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.bytes, blob.length);
    assert.equal(got.sha256, sha);

    // ss -ti on a connection held open after 100,000 bytes.
    const holding = socatReceive(ns, `TCP-LISTEN:5002,bind=${KERNEL_IP},reuseaddr`);
    await waitForTcpListen(ns, KERNEL_IP, 5002);
    const sender = ns.run(`(head -c 100000 ${file}; sleep 1) | socat -u STDIN TCP:${KERNEL_IP}:5002`, 10_000);
    let receiver = undefined;
    for (let i = 0; i < 50 && receiver?.bytesReceived !== 100000; i++) {
      await sleep(20);
      receiver = (await ssTcpInfo(ns, 'sport = :5002')).find((c) => c.state === 'ESTAB');
    }
    assert.ok(receiver !== undefined, 'ss shows the connection');
    assert.equal(receiver.bytesReceived, 100000);
    assert.equal(receiver.local, `${KERNEL_IP}:5002`);
    assert.equal(receiver.retransTotal, 0);
    assert.equal((await sender).code, 0);
    assert.equal((await holding).bytes, 100000);
    assert.ok(net.tcpSnmp().InSegs > 0);
  });
});

test('fixture: TAP in the namespace, kernel side addressed, capture, RST suppression, cleanup', async (t) => {
  if (!rootTestsEnabled(t)) return;
  const net = InteropNet.create({ prefix: PREFIX });
  let pcap = '';
  try {
    const link = net.openTapLink();
    try {
      assert.match(net.ns.ip('-4', 'addr', 'show', 'dev', net.tap), new RegExp(`inet ${KERNEL_IP.replace(/\./g, '\\.')}/24`));
      assert.equal(net.ns.runSync('sysctl', '-n', 'net.ipv6.conf.all.disable_ipv6').trim(), '1');
      assert.match(net.kernelMac(), /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      pcap = await net.startCapture({ snaplen: 128 });
      // The kernel ARPs for our stack's address: the request reaches the TAP (and the pcap).
      await net.ns.run(`ping -c 1 -W 1 ${STACK_IP}`, 5_000);
      let arp = 0;
      for (let n = link.receive(); n > 0; n = link.receive()) {
        for (let i = 0; i < n; i++) {
          const o = link.rx.offsets[i];
          if (link.rx.data[o + 12] === 0x08 && link.rx.data[o + 13] === 0x06) arp++;
        }
      }
      assert.ok(arp >= 1, `ARP requests seen on the TAP: ${arp}`);
      net.suppressKernelRsts();
      assert.deepEqual(net.nftTables, ['ip interop_norst']);
      assert.match(net.ns.runSync('nft', 'list', 'ruleset'), /tcp flags & rst == rst counter packets \d+ bytes \d+ drop/);
      assert.throws(() => net.dropRandom(5, 'from-kernel'), /needs InteropNet.create\(\{ bridge: true \}\)/);
      assert.throws(() => net.dropRandom(5.5, 'to-kernel'), RangeError);
      await net.stopCapture();
      const decoded = await net.ns.run(`tcpdump -nr ${pcap}`, 5_000);
      assert.match(decoded.stdout, new RegExp(`ARP, Request who-has ${STACK_IP} tell ${KERNEL_IP}`));
    } finally {
      link.close();
    }
  } finally {
    await net.destroy({ keepFiles: true });
  }
  assert.equal(listNetns().includes(net.name), false);
  assert.ok(existsSync(pcap), 'keepFiles keeps the pcap');
  rmSync(dirname(pcap), { recursive: true, force: true });
  await withInterop({ prefix: PREFIX }, async (n2) => {
    pcap = join(n2.dir, 'marker');
    writeFileSync(pcap, 'x');
  });
  assert.equal(existsSync(pcap), false, 'a passing run deletes its files');
  let payload = '';
  await assert.rejects(withInterop({ prefix: PREFIX }, async (n3) => {
    pcap = join(n3.dir, 'marker');
    writeFileSync(pcap, 'x');
    payload = join(n3.dir, 'bulk.bin');
    writeFileSync(payload, Buffer.alloc(8 << 20));
    throw new Error('boom');
  }), /boom/);
  assert.equal(existsSync(pcap), true, 'a failing run keeps its files');
  assert.equal(existsSync(payload), false, 'but not its payloads of 8 MiB or more');
  rmSync(dirname(pcap), { recursive: true, force: true });
});

test('fixture: numgen drops in both directions (bridged kernel side); every lost ping is a counted drop', async (t) => {
  if (!rootTestsEnabled(t)) return;
  await withInterop({ prefix: PREFIX, bridge: true }, async (net) => {
    const link = net.openTapLink();
    try {
      assert.equal(net.kernelIface, 'vk0');
      // Our "stack" here only counts ICMP echo requests; a static neighbour spares the ARP round.
      net.ns.ip('neigh', 'add', STACK_IP, 'lladdr', '02:00:0a:4d:00:02', 'dev', net.kernelIface);
      net.dropRandom(30, 'from-kernel');
      let echoes = 0;
      const drain = (): void => {
        for (let n = link.receive(); n > 0; n = link.receive()) {
          for (let i = 0; i < n; i++) {
            const o = link.rx.offsets[i];
            const d = link.rx.data;
            if (d[o + 12] === 0x08 && d[o + 13] === 0x00 && d[o + 23] === 1 && d[o + 34] === 8) echoes++;
          }
        }
      };
      link.setReadableHandler(drain);
      const r = await net.ns.run(`ping -c 200 -i 0.002 -W 0.05 -q ${STACK_IP}`, 15_000);
      assert.match(r.stdout, /200 packets transmitted, 0 received/);
      await sleep(100);
      drain();
      const dropped = net.droppedCount('from-kernel');
      assert.equal(echoes + dropped, 200, `seen ${echoes} + dropped ${dropped}`);
      assert.ok(dropped >= 20 && dropped <= 110, `30% of 200 dropped: ${dropped}`);

      // to-kernel: 200 echo requests written into the TAP; the kernel answers each one the rule let through.
      link.setReadableHandler(null);
      drain();
      net.dropRandom(30, 'to-kernel');
      const droppedOutBefore = net.droppedCount('from-kernel');
      const kernelMac = parseMac(net.kernelMac());
      assert.ok(kernelMac !== null);
      const ourMac = parseMac('02:00:0a:4d:00:02');
      assert.ok(ourMac !== null);
      let replies = 0;
      const countReplies = (): void => {
        for (let n = link.receive(); n > 0; n = link.receive()) {
          for (let i = 0; i < n; i++) {
            const o = link.rx.offsets[i];
            const d = link.rx.data;
            if (d[o + 12] === 0x08 && d[o + 13] === 0x00 && d[o + 23] === 1 && d[o + 34] === 0) replies++;
          }
        }
      };
      for (let seq = 0; seq < 200; seq++) {
        const off = link.reserve(14 + 20 + 8 + 32);
        assert.ok(off >= 0);
        writeEthernetHeader(link.tx.data, off, kernelMac, ourMac, 0x0800);
        writeIpv4Header(link.tx.data, off + 14, parseIpv4(STACK_IP), parseIpv4(KERNEL_IP), 1, 40, 64, seq, true);
        writeIcmpEcho(link.tx.data, off + 34, 8, 0x4d4d, seq, null, 0, 32);
        assert.equal(link.flush(), 1);
        if (seq % 16 === 15) {
          await sleep(2);
          countReplies();
        }
      }
      // The replies still cross the from-kernel rule: count its drops too.
      const lost = (): number => net.droppedCount('to-kernel') + net.droppedCount('from-kernel') - droppedOutBefore;
      for (let i = 0; i < 20 && replies + lost() < 200; i++) {
        await sleep(20);
        countReplies();
      }
      const droppedIn = net.droppedCount('to-kernel');
      assert.equal(replies + lost(), 200, `replies ${replies} + requests dropped ${droppedIn} + replies dropped ${lost() - droppedIn}`);
      assert.ok(droppedIn >= 20 && droppedIn <= 110, `30% of 200 dropped: ${droppedIn}`);
    } finally {
      link.close();
    }
  });
});
