// Key and value text <-> bytes for the CLI (--encoding utf8|hex|base64, used for input and output alike),
// and a terminal-safe rendering for human output.
import { UserError } from './errors.js';

export const ENCODINGS = ['utf8', 'hex', 'base64'] as const;
export type CliEncoding = (typeof ENCODINGS)[number];

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes of `text` in `enc`; a UserError naming `what` when the text is not valid in that encoding. */
export function decodeText(text: string, enc: CliEncoding, what: string): Buffer {
  switch (enc) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'hex':
      if (!HEX.test(text)) throw new UserError(`${what} is not valid hex: ${JSON.stringify(text)}`);
      return Buffer.from(text, 'hex');
    case 'base64':
      if (!BASE64.test(text)) throw new UserError(`${what} is not valid base64: ${JSON.stringify(text)}`);
      return Buffer.from(text, 'base64');
  }
}

/** `b` as text in `enc` (exact for hex and base64; utf8 replaces invalid sequences). */
export function encodeBytes(b: Uint8Array, enc: CliEncoding): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(enc);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `b` for a human on a terminal: in utf8, valid text with control characters and backslashes escaped
 * (\n, \t, \xNN, \\), and invalid UTF-8 shown byte by byte as \xNN; hex and base64 as encodeBytes().
 */
export function printable(b: Uint8Array, enc: CliEncoding): string {
  if (enc !== 'utf8') return encodeBytes(b, enc);
  let s: string;
  try {
    s = strictUtf8.decode(b);
  } catch {
    let out = '';
    for (const c of b) out += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : hexEscape(c);
    return out;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return s.replace(/[\u0000-\u001f\u007f\\]/g, (ch) => {
    if (ch === '\\') return '\\\\';
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    if (ch === '\r') return '\\r';
    return hexEscape(ch.charCodeAt(0));
  });
}

function hexEscape(c: number): string {
  return `\\x${c.toString(16).padStart(2, '0')}`;
}

/** The bytes of an engine binary string (one char per byte). */
export function binaryBytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
