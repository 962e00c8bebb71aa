// Live receiver: one UDP socket with SO_RCVBUF set (the kernel doubles it). It says "ready", then
// blocks its event loop for the read delay (the socket buffer fills meanwhile: a slow reader),
// then reads. Once told on stdin that the sender is done, it stops after idleMs without a datagram.
// Prints one JSON line: every (flow, seq) in the order read.
import dgram from 'node:dgram';

const [addr, port, rcvbuf, readDelayMs, idleMs, durationMs] = process.argv.slice(2);
const s = dgram.createSocket({
  type: 'udp4',
  ...(Number(rcvbuf) > 0 ? { recvBufferSize: Number(rcvbuf) } : {}),
});
const read = [];
let senderDone = false;
let timer;
const finish = () => {
  clearTimeout(timer);
  s.close();
  process.stdout.write(`${JSON.stringify({ read })}\n`);
  process.exit(0);
};
const rearm = () => {
  clearTimeout(timer);
  timer = setTimeout(finish, Number(idleMs));
};
s.on('message', (msg) => {
  if (msg.length >= 8) read.push([msg.readUInt32BE(0), msg.readUInt32BE(4)]);
  if (senderDone) rearm();
});
process.stdin.on('data', () => {
  senderDone = true;
  rearm();
});
s.bind(Number(port), addr, () => {
  process.stdout.write('ready\n');
  if (Number(readDelayMs) > 0)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(readDelayMs));
});
setTimeout(finish, Number(durationMs)).unref();
