import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameTooLargeError, LineSplitter } from '../../src/protocol/line-splitter.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** feed pushes every chunk and returns all lines in order. */
function feed(splitter: LineSplitter, chunks: Buffer[]): string[] {
  const out: string[] = [];
  for (const c of chunks) out.push(...splitter.push(c));
  return out;
}

describe('LineSplitter', () => {
  it('joins a line split across chunks', () => {
    const s = new LineSplitter(1024);
    expect(s.push(b('{"a":'))).toEqual([]);
    expect(s.pendingBytes).toBe(5);
    expect(s.push(b('1'))).toEqual([]);
    expect(s.push(b('}\n'))).toEqual(['{"a":1}']);
    expect(s.pendingBytes).toBe(0);
  });

  it('returns several lines from one chunk and keeps the tail', () => {
    const s = new LineSplitter(1024);
    expect(s.push(b('one\ntwo\nthree\nfou'))).toEqual(['one', 'two', 'three']);
    expect(s.pendingBytes).toBe(3);
    expect(s.push(b('r\n'))).toEqual(['four']);
  });

  it('strips \\r before \\n, also when \\r and \\n arrive in different chunks', () => {
    const s = new LineSplitter(1024);
    expect(s.push(b('a\r\nb\r\n'))).toEqual(['a', 'b']);
    expect(s.push(b('c\r'))).toEqual([]);
    expect(s.push(b('\n'))).toEqual(['c']);
    // Only a trailing \r is removed.
    expect(s.push(b('x\ry\n'))).toEqual(['x\ry']);
  });

  it('skips empty lines (\\n\\n and \\r\\n alone)', () => {
    const s = new LineSplitter(1024);
    expect(s.push(b('\n\n\r\na\n\n\r\nb\n\n'))).toEqual(['a', 'b']);
  });

  it('keeps multi-byte UTF-8 characters split between chunks intact', () => {
    const s = new LineSplitter(1024);
    const bytes = b('héllo→\n');
    const lines = [
      ...s.push(bytes.subarray(0, 2)),
      ...s.push(bytes.subarray(2, 7)),
      ...s.push(bytes.subarray(7)),
    ];
    expect(lines).toEqual(['héllo→']);
  });

  it('throws FrameTooLargeError as soon as the pending tail passes the limit, before any newline', () => {
    const s = new LineSplitter(10);
    expect(s.push(b('0123456789'))).toEqual([]);
    const err = (() => {
      try {
        s.push(b('x'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect((err as FrameTooLargeError).limit).toBe(10);
    expect((err as Error).message).toBe('frame exceeds 10 bytes');
    // One huge chunk without a newline throws at once too.
    expect(() => new LineSplitter(10).push(Buffer.alloc(1_000_000, 0x61))).toThrow(FrameTooLargeError);
  });

  it('throws for a complete line over the limit, in one chunk or assembled from several', () => {
    expect(() => new LineSplitter(10).push(b('01234567890\n'))).toThrow(FrameTooLargeError);
    const s = new LineSplitter(10);
    expect(s.push(b('012345'))).toEqual([]);
    expect(() => s.push(b('67890\n'))).toThrow(FrameTooLargeError);
    // A big line after good lines in the same chunk still throws.
    expect(() => new LineSplitter(4).push(b('ok\n0123456789\n'))).toThrow(FrameTooLargeError);
  });

  it('accepts a line of exactly the limit, whole or split', () => {
    const line = 'a'.repeat(10);
    expect(new LineSplitter(10).push(b(`${line}\n`))).toEqual([line]);
    const s = new LineSplitter(10);
    expect(s.push(b(line))).toEqual([]);
    expect(s.pendingBytes).toBe(10);
    expect(s.push(b('\n'))).toEqual([line]);
  });

  it('yields the same lines for any chunking of the joined stream (property)', () => {
    const lineArb = fc
      .string({ unit: 'binary', maxLength: 40 })
      .map((s) => s.replaceAll('\n', ' ').replace(/\r+$/, ''));
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 20 }),
        (lines, crlf, cutSeeds) => {
          const joined = b(lines.map((l) => l + (crlf ? '\r\n' : '\n')).join(''));
          const cuts = [...new Set(cutSeeds.map((n) => (joined.length === 0 ? 0 : n % joined.length)))];
          cuts.sort((x, y) => x - y);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const c of [...cuts, joined.length]) {
            chunks.push(joined.subarray(prev, c));
            prev = c;
          }
          const s = new LineSplitter(1024);
          expect(feed(s, chunks)).toEqual(lines.filter((l) => l.length > 0));
          expect(s.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
