import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { UdpLink } from './udp.js';
import { mac, numberedFrame, receiveAll, sameBytes, sendFrames } from './test-frames.js';

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const port = socket.address().port;
  socket.close();
  return port;
}

/** Waits (bounded) until `link` has received `count` frames, collecting them. */
async function collect(link: UdpLink, count: number, timeoutMs = 3000): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  const deadline = Date.now() + timeoutMs;
  while (frames.length < count && Date.now() < deadline) {
    frames.push(...receiveAll(link));
    if (frames.length < count) await sleep(5);
  }
  return frames;
}

async function openPair(): Promise<[UdpLink, UdpLink]> {
  const portA = await freeUdpPort();
  const portB = await freeUdpPort();
  const a = await UdpLink.open({ name: 'a', local: { host: '127.0.0.1', port: portA }, remote: { host: '127.0.0.1', port: portB } });
  const b = await UdpLink.open({ name: 'b', local: { host: '127.0.0.1', port: portB }, remote: { host: '127.0.0.1', port: portA } });
  return [a, b];
}

test('two UDP links on 127.0.0.1 carry frames both ways, one datagram per frame', async () => {
  const [a, b] = await openPair();
  assert.equal(a.localAddress.host, '127.0.0.1');
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 200; i++) frames.push(numberedFrame(mac(2), mac(1), i, 60 + (i % 1400)));
  assert.equal(sendFrames(a, frames), 200);
  const got = await collect(b, 200);
  assert.equal(got.length, 200);
  for (let i = 0; i < 200; i++) assert.ok(sameBytes(got[i], frames[i]), `frame ${i}`);
  assert.equal(b.counters.rxFrames, 200);
  assert.equal(a.counters.txFrames, 200);
  let bytes = 0;
  for (const f of frames) bytes += f.length;
  assert.equal(a.counters.txBytes, bytes);
  assert.equal(b.counters.rxBytes, bytes);
  sendFrames(b, [numberedFrame(mac(1), mac(2), 99)]);
  const back = await collect(a, 1);
  assert.equal(new DataView(back[0].buffer).getUint32(14), 99);
  a.close();
  b.close();
});

test('the readable handler fires asynchronously once per batch', async () => {
  const [a, b] = await openPair();
  let calls = 0;
  let received = 0;
  b.setReadableHandler(() => {
    calls++;
    for (let n = b.receive(); n > 0; n = b.receive()) received += n;
  });
  sendFrames(a, [numberedFrame(mac(2), mac(1), 1), numberedFrame(mac(2), mac(1), 2), numberedFrame(mac(2), mac(1), 3)]);
  assert.equal(calls, 0);
  for (let i = 0; i < 200 && received < 3; i++) await sleep(5);
  assert.equal(received, 3);
  assert.ok(calls >= 1 && calls <= 3, `handler calls ${calls}`);
  a.close();
  b.close();
});

test('oversized, runt and foreign datagrams are dropped and counted', async () => {
  const portA = await freeUdpPort();
  const portB = await freeUdpPort();
  const b = await UdpLink.open({ name: 'b', local: { host: '127.0.0.1', port: portB }, remote: { host: '127.0.0.1', port: portA }, maxFrameSize: 200 });
  const raw = createSocket('udp4');
  raw.bind(portA, '127.0.0.1');
  await once(raw, 'listening');
  raw.send(new Uint8Array(201), portB, '127.0.0.1');
  raw.send(new Uint8Array(10), portB, '127.0.0.1');
  raw.send(numberedFrame(mac(2), mac(1), 5, 200), portB, '127.0.0.1');
  // From another port: a connected socket's kernel filter, or our own check, must drop it.
  const stranger = createSocket('udp4');
  stranger.send(numberedFrame(mac(2), mac(1), 6, 100), portB, '127.0.0.1');
  const got = await collect(b, 1);
  await sleep(50);
  got.push(...receiveAll(b));
  assert.equal(got.length, 1);
  assert.equal(got[0].length, 200);
  assert.equal(b.udpCounters.badSize, 2);
  assert.equal(b.counters.rxDropped, 2);
  // The frame too large to send is refused at reserve().
  assert.equal(b.reserve(201), -1);
  raw.close();
  stranger.close();
  b.close();
});

test('open() rejects with a clear message on EADDRINUSE, a bad address and a bad port', async () => {
  const port = await freeUdpPort();
  const first = await UdpLink.open({ name: 'first', local: { host: '127.0.0.1', port }, remote: { host: '127.0.0.1', port: 9 } });
  await assert.rejects(
    UdpLink.open({ name: 'second', local: { host: '127.0.0.1', port }, remote: { host: '127.0.0.1', port: 9 } }),
    new RegExp(`UdpLink second: cannot bind 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`),
  );
  first.close();
  // A name resolves to the local address's IP version ("localhost" may list ::1 first).
  const named = await UdpLink.open({ name: 'named', local: { host: '127.0.0.1', port: 0 }, remote: { host: 'localhost', port: 9 } });
  named.close();
  await assert.rejects(
    UdpLink.open({ name: 'x', local: { host: '300.1.2.3', port: 0 }, remote: { host: '127.0.0.1', port: 9 } }),
    /UdpLink x: local host "300.1.2.3" is not a valid IPv4 address/,
  );
  await assert.rejects(
    UdpLink.open({ name: 'y', local: { host: '192.0.2.1', port: 0 }, remote: { host: '127.0.0.1', port: 9 } }),
    /UdpLink y: cannot bind 192\.0\.2\.1:0 \(EADDRNOTAVAIL\)/,
  );
  await assert.rejects(
    UdpLink.open({ name: 'z', local: { host: '127.0.0.1', port: 0 }, remote: { host: '127.0.0.1', port: 0 } }),
    /UdpLink z: remote port must be an integer in \[1, 65535\], got 0/,
  );
});

test('two processes exchange frames over UDP links', async () => {
  const parentPort = await freeUdpPort();
  const childPort = await freeUdpPort();
  const parent = await UdpLink.open({ name: 'parent', local: { host: '127.0.0.1', port: parentPort }, remote: { host: '127.0.0.1', port: childPort } });
  const moduleUrl = new URL('./udp.js', import.meta.url).href;
  // The child echoes every frame back with its first byte set to 0xee, then exits once it has seen 100.
  const script = `
    import { UdpLink } from ${JSON.stringify(moduleUrl)};
    const link = await UdpLink.open({ name: 'child', local: { host: '127.0.0.1', port: ${childPort} }, remote: { host: '127.0.0.1', port: ${parentPort} } });
    const guard = setTimeout(() => process.exit(3), 8000);
    let seen = 0;
    link.setReadableHandler(() => {
      for (let n = link.receive(); n > 0; n = link.receive()) {
        for (let i = 0; i < n; i++) {
          const length = link.rx.lengths[i];
          const at = link.reserve(length);
          link.tx.data.set(link.rx.data.subarray(link.rx.offsets[i], link.rx.offsets[i] + length), at);
          link.tx.data[at] = 0xee;
        }
        link.flush();
        seen += n;
      }
      if (seen >= 100) { link.close(); clearTimeout(guard); }
    });
    process.stdout.write('ready\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  await once(child.stdout, 'data');
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 100; i++) frames.push(numberedFrame(mac(2), mac(1), i, 100));
  sendFrames(parent, frames);
  const echoed = await collect(parent, 100, 8000);
  const [code] = await exited;
  assert.equal(code, 0, 'child exited by itself after closing its link');
  assert.equal(echoed.length, 100);
  for (let i = 0; i < 100; i++) {
    assert.equal(echoed[i][0], 0xee);
    assert.equal(new DataView(echoed[i].buffer).getUint32(14), i);
  }
  parent.close();
});
