import { describe, expect, it } from 'vitest';
import { checkCounters } from './index.ts';
import { isPrompt, isTerminalLine } from './prompt.ts';

const UDP = `udp:
\t10 datagrams received
\t0 with incomplete header
\t0 with bad data length field
\t0 with bad checksum
\t0 dropped due to no socket
\t0 broadcast/multicast datagrams undelivered
\t0 dropped due to full socket buffers
\t10 delivered
`;

describe('shell prompts and the lines commands print before a table', () => {
  it.each([
    ['csh / sh as root', 'fw# netstat -Q'],
    ['bash without PS1', 'bash-5.1# cat /proc/net/snmp'],
    ['tcsh with the directory', 'fw:~ % netstat -Q'],
    ['zsh', 'host% netstat -sp udp'],
    ['a bare $', '$ netstat -sp udp'],
    ['a bare %', '% netstat -sp udp'],
    ['a bare >', '> netstat -Q'],
    ['PowerShell', 'PS C:\\> ssh fw netstat -Q'],
    ['user@host', 'root@abaddon:/home/adrian # netstat -sp udp'],
    ['[user@host dir]', '[root@centos ~]# cat /proc/net/softnet_stat'],
    ['a virtualenv before it', '(venv) user@host:~$ cat /proc/net/snmp6'],
    ['a full path', 'fw# /usr/bin/netstat -Q'],
    ['colours (ANSI escapes)', '\x1b[01;32mroot@fw\x1b[00m:\x1b[01;34m~\x1b[00m# cat /proc/net/snmp'],
    ['colours without @', '\x1b[1mfw\x1b[0m# netstat -Q'],
    ['a terminal title (OSC)', '\x1b]0;fw: ~\x07fw# netstat -Q'],
    ['tput sgr0 colours (a character set chosen), alone', '\x1b[1mfw\x1b(B\x1b[m# \x1b(B'],
    ['zsh keypad modes after the prompt, alone', 'host% \x1b[?1h\x1b='],
    ['zsh keypad mode reset after the prompt, alone', 'host% \x1b[?1l\x1b>'],
    ['a cursor saved and restored', 'fw# \x1b7\x1b8'],
    ['a prompt alone', 'root@fbsd14:~ # '],
    ['a short prompt alone', 'fw# '],
    ['a host name starting with a digit', '6bone# netstat -Q'],
    ['a host name starting with a digit, alone', '6bone# '],
    ['indented', '  root@fbsd14:~ # cat x'],
    ['a bare # before any text (a comment)', '# counters after the reboot'],
    ['a bare $ before a command not in the list', '$ ls -l /proc/net'],
    ['a bare sign alone', '$'],
    ['a bare > alone (a PowerShell or continuation prompt)', '> '],
    ['a one-word prompt alone', 'fw% '],
    ['[ before the host, no @', '[fw ~]# uptime'],
    ['three words before the sign', '(venv) fw ~ $ netstat -Q'],
    ['a prompt 160 characters long', `${'a'.repeat(158)}@h# netstat -Q`],
  ])('%s: %j', (_what, line) => {
    expect(isPrompt(line)).toBe(true);
  });

  it.each([
    ['a netstat -s counter with >', '\t0 with ip length > max ip packet size'],
    ['a netstat -s counter with <', '\t0 with data size < data length'],
    ['nstat', '#kernel'],
    ['prose with a sign', 'this is > what I saw'],
    ['a word and a sign, then prose', 'fw# hello world'],
    ['a netstat -Q row', '   0   0   ip         0     0      100        0        0        0      100'],
    ['a netstat -s title', 'udp:'],
    ['a count and a sign', '\t42 # netstat'],
    ['a count alone before a sign', '12 > '],
    ['a bare > before prose', '> what I saw next'],
    ['four words before the sign', 'one two three four # netstat -Q'],
    ['a word ending in [ before the sign, prose after', 'fw[# hello'],
    ['a sign past the first 160 characters', `${'a'.repeat(159)}@h# netstat -Q`],
    ['a sign glued to the next word', 'fw#netstat -Q'],
    ['two plain words and a sign, alone', 'total drops # '],
  ])('not a prompt: %s', (_what, line) => {
    expect(isPrompt(line)).toBe(false);
  });

  it.each([
    ["sudo's password prompt", '[sudo] password for adrian: '],
    ["watch's header", 'Every 2.0s: cat /proc/net/softnet_stat            host: Mon Jan  6 10:00:00 2025'],
  ])('a line a command prints first: %s', (_what, line) => {
    expect(isTerminalLine(line)).toBe(true);
    expect(isPrompt(line)).toBe(false);
  });

  it.each([
    'fw# netstat -sp udp',
    'bash-5.1# netstat -sp udp',
    'fw:~ % netstat -sp udp',
    '$ netstat -sp udp',
    '% netstat -sp udp',
    '> netstat -sp udp',
    'PS C:\\> ssh fw netstat -sp udp',
    '\x1b[1mfw\x1b[0m# netstat -sp udp',
  ])('a table after %j is read: exit 0', (prompt) => {
    const v = checkCounters(`${prompt}\n${UDP}fw# \n`, { json: false });
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect(v.checked.map((c) => c.section.layout)).toEqual(['netstat -s -p udp']);
  });

  it('a table after sudo and watch lines is read: exit 0', () => {
    const row = (cpu: number) =>
      `0000ee5c 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 ${cpu.toString(16).padStart(8, '0')}`;
    const text = `$ sudo watch cat /proc/net/softnet_stat\n[sudo] password for adrian: \nEvery 2.0s: cat /proc/net/softnet_stat   host: Mon Jan  6 10:00:00 2025\n\n${row(0)}\n${row(1)}\n`;
    const v = checkCounters(text, { json: false });
    expect(v.stderr).toBe('');
    expect(v.exitCode).toBe(0);
    expect(v.checked).toHaveLength(1);
  });
});
