// Live sender: one UDP socket per flow (source port base + flow), packets round-robin over the
// flows, each payload starting with the flow index and its per-flow sequence number (u32 BE).
// Prints one JSON line: the (flow, seq) of every datagram the kernel accepted, in send order.
import dgram from 'node:dgram';

const [src, dst, dstPort, srcPortBase, flows, packets, payloadBytes, durationMs] = process.argv.slice(2);
const flowCount = Number(flows);
const total = Number(packets);
const deadline = Date.now() + Number(durationMs);
const socks = [];
for (let f = 0; f < flowCount; f++) {
  const s = dgram.createSocket(dst.includes(':') ? 'udp6' : 'udp4');
  await new Promise((ok) => s.bind(Number(srcPortBase) + f, src, ok));
  socks.push(s);
}
const sent = [];
const seqs = new Array(flowCount).fill(0);
const sendOne = (s, buf) =>
  new Promise((ok) => s.send(buf, Number(dstPort), dst, (err) => ok(err === null || err === undefined)));
for (let i = 0; i < total && Date.now() < deadline; i++) {
  const flow = i % flowCount;
  const buf = Buffer.alloc(Math.max(8, Number(payloadBytes)));
  buf.writeUInt32BE(flow, 0);
  buf.writeUInt32BE(seqs[flow], 4);
  if (await sendOne(socks[flow], buf)) {
    sent.push([flow, seqs[flow]]);
    seqs[flow]++;
  }
}
for (const s of socks) s.close();
process.stdout.write(`${JSON.stringify({ sent })}\n`);
