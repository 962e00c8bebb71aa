import { describe, expect, it } from 'vitest';
import { renderProcNetUdp } from './procfs.ts';

describe('/proc/net/udp (udp4_seq_show, udp4_format_sock)', () => {
  it('the header names the columns as the kernel prints them', () => {
    const [header] = renderProcNetUdp([]).split('\n');
    expect(header?.trimEnd()).toBe(
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    );
  });

  // "%08X:%04X ... %08X:%08X": hex in upper case, as sk_wmem_alloc / sk_rmem_alloc and the port.
  it('hex fields are upper case', () => {
    const [, line] = renderProcNetUdp([
      {
        slot: 0,
        localAddress: '0.0.0.0',
        localPort: 0xabcd,
        txQueueBytes: 0xbeef,
        rxQueueBytes: 0xfa0,
        uid: 0,
        inode: 1,
        refcount: 2,
        drops: 0,
      },
    ]).split('\n');
    expect(line?.slice(0, 55)).toBe('    0: 00000000:ABCD 00000000:0000 07 0000BEEF:00000FA0');
  });
});
