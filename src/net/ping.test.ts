// Done-when tests of the interface layer: two hosts on the memory link and two processes on the udp link
// resolve each other with ARP and exchange ICMP echo through the real event loop; the pcap of each run
// passes tshark's checksum checks.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMtcpConfig } from '../config/mtcp-config.js';
import type { Link } from '../link/link.js';
import { MemorySwitch } from '../link/memory.js';
import { PcapLink, readPcapFile } from '../link/pcap.js';
import { UdpLink } from '../link/udp.js';
import { tcpChecksum } from '../wire/checksum.js';
import { IP_PROTO_TCP } from '../wire/ipv4.js';
import { createInterfaces } from './from-config.js';
import { InterfaceDriver, ping } from './ping.js';

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

function tsharkAvailable(t: TestContext): boolean {
  const probe = spawnSync('tshark', ['-v'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  if (process.env.CI === 'true') assert.fail('tshark is required in CI but was not found');
  t.skip('tshark not installed (outside CI): pcap check skipped');
  return false;
}

/** Runs tshark with checksum validation; asserts no expert error, no malformed packet, and the frame count. */
function checkPcapWithTshark(path: string, expectedFrames: number): void {
  const checks = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
  const all = spawnSync('tshark', ['-r', path, ...checks], { encoding: 'utf8' });
  assert.equal(all.status, 0, `tshark failed: ${all.stderr}`);
  const lines = all.stdout.split('\n').filter((l) => l.trim().length > 0);
  assert.equal(lines.length, expectedFrames, all.stdout);
  const stderr = all.stderr.split('\n').filter((l) => l.trim().length > 0 && !/^Running as user/.test(l));
  assert.deepEqual(stderr, []);
  const bad = spawnSync('tshark', ['-r', path, ...checks, '-Y', '_ws.expert.severity == error || _ws.malformed'], { encoding: 'utf8' });
  assert.equal(bad.status, 0, bad.stderr);
  assert.equal(bad.stdout.trim(), '', `tshark reports errors:\n${bad.stdout}`);
}

test('two hosts on the memory link resolve each other and exchange ICMP echo; the pcap passes tshark', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mtcp-net-mem-'));
  const pcapPath = join(dir, 'memory.pcap');
  try {
    const sw = new MemorySwitch();
    const clientConfig = parseMtcpConfig('port = eth0\neth0.ip = 10.0.0.1/24\n', 'client.conf');
    const serverConfig = parseMtcpConfig('port = eth0\neth0.ip = 10.0.0.2/24\n', 'server.conf');
    const clientLink = new PcapLink(sw.createPort('client'), pcapPath);
    const client = createInterfaces(clientConfig, () => clientLink).interfaces[0];
    const serverLink = sw.createPort('server');
    const server = createInterfaces(serverConfig, () => serverLink).interfaces[0];
    const clientDriver = new InterfaceDriver(client);
    const serverDriver = new InterfaceDriver(server);

    const report = await ping(clientDriver, ip(10, 0, 0, 2), { count: 10, payloadLength: 100, timeoutMs: 2000 });
    assert.equal(report.sent, 10);
    assert.equal(report.received, 10);
    assert.equal(report.corrupted, 0);
    assert.ok(report.rtts.every((r) => r >= 0 && r < 2000), String(report.rtts));

    // A TCP segment to a host without TCP: answered with ICMP protocol unreachable (both in the capture).
    const syn = new Uint8Array(20);
    syn[1] = 99; syn[3] = 80; syn[12] = 0x50; syn[13] = 0x02; syn[14] = 0x72;
    const c = tcpChecksum(syn, 0, 20, client.ip, server.ip);
    syn[16] = c >>> 8; syn[17] = c;
    assert.equal(client.sendIpv4(0, server.ip, IP_PROTO_TCP, syn, 0, 20, 0), 0);
    client.flush();
    for (let i = 0; i < 100 && client.counters.icmpErrorReceived === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(server.counters.tcpNoHandler, 1);
    assert.equal(server.counters.icmpErrorsSent, 1);
    assert.equal(client.counters.icmpErrorReceived, 1);

    assert.deepEqual([client.counters.arpRequestsSent, client.counters.arpReplyAccepted, server.counters.arpRequestAnswered], [1, 1, 1]);
    assert.equal(client.counters.icmpEchoReplyReceived, 10);
    assert.equal(server.counters.icmpEchoAnswered, 10);
    assert.equal(client.counters.rxFrames, client.counters.rxOutcomeTotal());
    assert.equal(server.counters.rxFrames, server.counters.rxOutcomeTotal());
    clientDriver.close();
    serverDriver.close();
    clientLink.close();
    serverLink.close();

    // ARP request + reply, 10 requests + 10 replies, SYN + ICMP error.
    const capture = readPcapFile(pcapPath);
    assert.equal(capture.records.length, 24);
    if (tsharkAvailable(t)) checkPcapWithTshark(pcapPath, 24);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Ports the system reports free right now (bound to 0, read back, released). */
async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets = Array.from({ length: count }, () => createSocket('udp4'));
  const ports = await Promise.all(sockets.map((s) => new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)))));
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

test('two processes on the udp link resolve each other and exchange ICMP echo; the pcap passes tshark', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mtcp-net-udp-'));
  const demo = fileURLToPath(new URL('../cli/demo.js', import.meta.url));
  const [clientPort, serverPort] = await freeUdpPorts(2);
  const serverText = `io = udp\nport = eth0\neth0.ip = 10.0.0.2/24\neth0.local = 127.0.0.1:${serverPort}\neth0.remote = 127.0.0.1:${clientPort}\n`;
  const clientText = `io = udp\nport = eth0\neth0.ip = 10.0.0.1/24\neth0.local = 127.0.0.1:${clientPort}\neth0.remote = 127.0.0.1:${serverPort}\n`;
  writeFileSync(join(dir, 'server.conf'), serverText);
  const serverPcap = join(dir, 'server.pcap');
  const clientPcap = join(dir, 'client.pcap');
  const child = spawn(process.execPath, [demo, '--config', join(dir, 'server.conf'), '--serve', '30', '--pcap', serverPcap], {
    stdio: ['ignore', 'pipe', 'pipe'], cwd: dir,
  });
  let childOut = '';
  let childErr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { childOut += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { childErr += s; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const links: Link[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server not ready in 10 s: ${childOut} ${childErr}`)), 10000);
      const check = () => {
        if (/^ready$/m.test(childOut)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`server exited early: ${childOut} ${childErr}`)));
      check();
    });
    const config = parseMtcpConfig(clientText, 'client.conf');
    const port = config.ports[0];
    const udp = await UdpLink.open({ name: 'eth0', local: port.local!, remote: port.remote! });
    const link = new PcapLink(udp, clientPcap);
    links.push(link);
    const client = createInterfaces(config, () => link).interfaces[0];
    const driver = new InterfaceDriver(client);
    const report = await ping(driver, ip(10, 0, 0, 2), { count: 5, payloadLength: 1000, timeoutMs: 2000 });
    driver.close();
    assert.equal(report.received, 5, `replies: ${report.rtts}; server said: ${childOut} ${childErr}`);
    assert.equal(report.corrupted, 0);
    assert.equal(client.counters.arpRequestsSent, 1);
    assert.equal(client.counters.arpReplyAccepted, 1);
    assert.equal(client.counters.icmpEchoReplyReceived, 5);
    link.close();
    links.length = 0;
    child.kill('SIGTERM');
    assert.equal(await exited, 0, childErr);
    assert.match(childOut, /arpRequestAnswered=1 icmpEchoAnswered=5/);
    assert.equal(readPcapFile(clientPcap).records.length, 12);
    assert.equal(readPcapFile(serverPcap).records.length, 12);
    if (tsharkAvailable(t)) {
      checkPcapWithTshark(clientPcap, 12);
      checkPcapWithTshark(serverPcap, 12);
    }
  } finally {
    for (const link of links) link.close();
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
