import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImpairedLink } from './impair.js';
import { MemorySwitch } from './memory.js';
import { LINKTYPE_ETHERNET, PcapLink, readPcapFile } from './pcap.js';
import { arpRequest, ipv4, mac, receiveAll, sameBytes, sendFrames, udpFrame } from './test-frames.js';

const directory = mkdtempSync(join(tmpdir(), 'mtcp-pcap-'));
process.on('exit', () => rmSync(directory, { recursive: true, force: true }));

function exchange(path: string, breakChecksum = false): { sent: Uint8Array[]; echoed: Uint8Array[] } {
  const sw = new MemorySwitch();
  const a = new PcapLink(sw.createPort('a'), path);
  const b = sw.createPort('b');
  const sent = [arpRequest(mac(1), ipv4(10, 0, 0, 1), ipv4(10, 0, 0, 2))];
  for (let i = 0; i < 20; i++) {
    const data = new Uint8Array(1 + i * 70).fill(i);
    sent.push(udpFrame(mac(2), mac(1), ipv4(10, 0, 0, 1), ipv4(10, 0, 0, 2), 4000 + i, 7, data, breakChecksum && i === 5));
  }
  assert.equal(sendFrames(a, sent), sent.length);
  // b echoes the UDP frames back with addresses swapped (checksums stay valid: the sums are symmetric).
  const echoed: Uint8Array[] = [];
  for (const frame of receiveAll(b)) {
    if (frame[12] !== 0x08 || frame[13] !== 0x00) continue;
    const back = udpFrame(mac(1), mac(2), ipv4(10, 0, 0, 2), ipv4(10, 0, 0, 1), 7, 0, frame.subarray(42));
    echoed.push(back);
  }
  sendFrames(b, echoed);
  assert.equal(receiveAll(a).length, echoed.length);
  assert.equal(a.pcapCounters.framesWritten, sent.length + echoed.length);
  a.close();
  b.close();
  return { sent, echoed };
}

test('records frames out and in; the file reads back byte for byte after close()', () => {
  const path = join(directory, 'both.pcap');
  const before = Math.floor(Date.now() / 1000);
  const { sent, echoed } = exchange(path);
  const capture = readPcapFile(path);
  assert.equal(capture.versionMajor, 2);
  assert.equal(capture.versionMinor, 4);
  assert.equal(capture.linkType, LINKTYPE_ETHERNET);
  assert.equal(capture.snapLength, 65535);
  assert.equal(capture.records.length, sent.length + echoed.length);
  const expected = [...sent, ...echoed];
  let previous = 0;
  for (let i = 0; i < expected.length; i++) {
    const record = capture.records[i];
    assert.ok(sameBytes(record.data, expected[i]), `record ${i}`);
    assert.equal(record.originalLength, expected[i].length);
    const t = record.seconds * 1e6 + record.microseconds;
    assert.ok(t >= previous, 'timestamps do not go backwards');
    assert.ok(record.seconds >= before && record.seconds <= before + 5);
    previous = t;
  }
});

test('truncates to the snap length but records the original length', () => {
  const path = join(directory, 'snap.pcap');
  const sw = new MemorySwitch();
  const a = new PcapLink(sw.createPort('a'), path, { snapLength: 64, bufferBytes: 1600 });
  sw.createPort('b');
  const frames = [udpFrame(mac(2), mac(1), 1, 2, 3, 4, new Uint8Array(500)), udpFrame(mac(2), mac(1), 1, 2, 3, 4, new Uint8Array(10))];
  sendFrames(a, frames);
  sendFrames(a, frames); // a 1600-byte buffer keeps room for a whole 1514-byte slot per record: written out as it fills
  assert.ok(statSync(path).size > 24, 'records reach the file before close() when the buffer fills');
  a.close();
  const capture = readPcapFile(path);
  assert.equal(capture.records.length, 4);
  assert.equal(capture.records[0].data.length, 64);
  assert.equal(capture.records[0].originalLength, 542);
  assert.ok(sameBytes(capture.records[0].data, frames[0].subarray(0, 64)));
  assert.equal(capture.records[1].data.length, 52);
  assert.throws(() => new PcapLink(sw.createPort('c'), join(directory, 'no-such-dir', 'x.pcap')), /PcapLink c: cannot create .*ENOENT/);
  sw.close();
});

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
const haveTshark = tshark.status === 0;
const inCi = process.env.CI === 'true';

function dissect(path: string): string {
  const run = spawnSync('tshark', ['-r', path, '-V', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'], { encoding: 'utf8', timeout: 30000 });
  assert.equal(run.status, 0, `tshark failed: ${run.stderr}`);
  return run.stdout;
}

test('tshark reads the capture with no malformed packet and no bad checksum', { skip: !haveTshark && !inCi ? 'tshark is not installed (apt-get install tshark); CI installs it' : false }, () => {
  const path = join(directory, 'tshark.pcap');
  const { sent, echoed } = exchange(path);
  const text = dissect(path);
  assert.doesNotMatch(text, /Malformed/i);
  assert.doesNotMatch(text, /Status: Bad/);
  assert.equal((text.match(/^Frame \d+:/gm) ?? []).length, sent.length + echoed.length);
  assert.equal((text.match(/Address Resolution Protocol \(request\)/g) ?? []).length, 1);
  // Every IPv4 header and UDP checksum was verified (2 per UDP frame), not merely left unchecked.
  assert.equal((text.match(/\[(Header checksum|Checksum) status: Good\]/gi) ?? []).length, 2 * (sent.length - 1 + echoed.length));
});

test('tshark does flag a bad UDP checksum (the check above can fail)', { skip: !haveTshark && !inCi ? 'tshark is not installed; CI installs it' : false }, () => {
  const path = join(directory, 'bad.pcap');
  exchange(path, true);
  const text = dissect(path);
  assert.equal((text.match(/\[Checksum Status: Bad\]/g) ?? []).length, 1);
});

test('stacked over an impaired link, the capture shows what was sent and what arrived after impairment', () => {
  const path = join(directory, 'stacked.pcap');
  const sw = new MemorySwitch();
  const a = sw.createPort('a');
  const b = new PcapLink(new ImpairedLink(sw.createPort('b'), { seed: 3, loss: 1, direction: 'rx' }), path);
  const frame = udpFrame(mac(2), mac(1), 1, 2, 3, 4, new Uint8Array(20));
  sendFrames(a, [frame, frame]);
  assert.equal(receiveAll(b).length, 0);
  sendFrames(b, [udpFrame(mac(1), mac(2), 2, 1, 4, 3, new Uint8Array(30))]);
  assert.equal(receiveAll(a).length, 1);
  b.close();
  const capture = readPcapFile(path);
  assert.equal(capture.records.length, 1, 'the two lost frames are not recorded, the sent one is');
  assert.equal(capture.records[0].data.length, 14 + 20 + 8 + 30);
  sw.close();
});
