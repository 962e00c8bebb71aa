// Live receiver: UDP sockets with SO_RCVBUF set (the kernel doubles it). Unconnected: one socket
// bound to the port. Connected: one socket per flow, each bound to the port (SO_REUSEADDR) and
// connect()ed to that flow's sender port, so RFS records it (sk_state TCP_ESTABLISHED).
// It says "ready", then blocks its event loop for the read delay (a slow reader), then reads.
// Once told on stdin that the sender is done, it stops after idleMs without a datagram, or
// durationMs after that at the latest.
// Prints one JSON line: every (flow, seq) in the order read.
import dgram from 'node:dgram';

const [addr, port, rcvbuf, readDelayMs, idleMs, durationMs, connectedFlows, srcAddr, srcPortBase] =
  process.argv.slice(2);
const read = [];
const socks = [];
let senderDone = false;
let timer;
const finish = () => {
  clearTimeout(timer);
  for (const s of socks) s.close();
  process.stdout.write(`${JSON.stringify({ read })}\n`);
  process.exit(0);
};
const rearm = () => {
  clearTimeout(timer);
  timer = setTimeout(finish, Number(idleMs));
};
const open = (peerPort) =>
  new Promise((ok) => {
    const s = dgram.createSocket({
      type: addr.includes(':') ? 'udp6' : 'udp4',
      reuseAddr: peerPort !== undefined,
      ...(Number(rcvbuf) > 0 ? { recvBufferSize: Number(rcvbuf) } : {}),
    });
    s.on('message', (msg) => {
      if (msg.length >= 8) read.push([msg.readUInt32BE(0), msg.readUInt32BE(4)]);
      if (senderDone) rearm();
    });
    socks.push(s);
    s.bind(Number(port), addr, () => (peerPort === undefined ? ok() : s.connect(peerPort, srcAddr, ok)));
  });
process.stdin.on('data', () => {
  senderDone = true;
  rearm();
  // The bound counts from the sender's end, not from this start: on a busy machine the sender may
  // start seconds later, and closing the sockets under it would drop datagrams with no counter.
  setTimeout(finish, Number(durationMs)).unref();
});
// The harness is gone (its end of stdin closed): nobody will say the sender is done.
process.stdin.on('end', finish);
const flows = Number(connectedFlows);
if (flows > 0) for (let f = 0; f < flows; f++) await open(Number(srcPortBase) + f);
else await open(undefined);
process.stdout.write('ready\n');
if (Number(readDelayMs) > 0)
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(readDelayMs));
