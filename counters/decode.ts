/**
 * The bytes of a counter dump as text. UTF-8, unless the bytes open with a UTF-16 byte order mark:
 * Windows PowerShell's `>` and `Out-File` write UTF-16 LE with one, so a table captured over ssh
 * there arrives as UTF-16. Bytes that are not valid in their encoding become U+FFFD, which the
 * reader then refuses as binary data with its line.
 */
export function decodeCounterInput(bytes: Uint8Array): string {
  const encoding =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : 'utf-8';
  // The decoder drops the byte order mark it was chosen by.
  return new TextDecoder(encoding, { fatal: false }).decode(bytes);
}
