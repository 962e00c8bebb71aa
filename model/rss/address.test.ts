import { describe, expect, it } from 'vitest';
import { parseAddress, parseIpv4, parseIpv6, portBytes } from './address.ts';

describe('address parsing: text to network byte order', () => {
  it('reads dotted-quad IPv4 and refuses anything else', () => {
    expect(parseIpv4('66.9.149.187')).toEqual([66, 9, 149, 187]);
    expect(parseIpv4('0.0.0.255')).toEqual([0, 0, 0, 255]);
    for (const bad of [
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      '1.2.3.x',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '1.2.3.1234',
      '1..2.3',
    ]) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
  });

  it('reads IPv6 with and without :: compression, ignoring a zone', () => {
    expect(parseIpv6('3ffe:2501:200:1fff::7')).toEqual([
      0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x07,
    ]);
    expect(parseIpv6('::1')).toEqual([...new Array(15).fill(0), 1]);
    expect(parseIpv6('::')).toEqual(new Array(16).fill(0));
    expect(parseIpv6('fe80::1%shmif0')).toEqual([0xfe, 0x80, ...new Array(13).fill(0), 1]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(parseIpv6('ABCD::')).toEqual([0xab, 0xcd, ...new Array(14).fill(0)]);
    // '::' standing for exactly one group, at either end.
    expect(parseIpv6('1:2:3:4:5:6:7::')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]);
    expect(parseIpv6('::2:3:4:5:6:7:8')).toEqual([0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
  });

  it('refuses malformed IPv6', () => {
    for (const bad of [
      '1:2:3:4:5:6:7', // too few groups without ::
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4::5:6:7:8', // :: must stand for at least one group
      '1::2::3',
      '12345::',
      '::g',
      'g::',
      ':1:2:3:4:5:6:7',
      ' ::1',
    ]) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
  });

  it('dispatches on the family', () => {
    expect(parseAddress('inet', '10.0.0.1')).toEqual([10, 0, 0, 1]);
    expect(parseAddress('inet6', '10.0.0.1')).toBeUndefined();
    expect(parseAddress('inet6', '::2')).toHaveLength(16);
  });

  it('writes ports big-endian', () => {
    expect(portBytes(2794)).toEqual([0x0a, 0xea]);
    expect(portBytes(0xffff)).toEqual([0xff, 0xff]);
  });
});
