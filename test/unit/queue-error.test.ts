import { describe, expect, it } from 'vitest';
import { errorText, isNoSpace, QueueError } from '../../src/results/queue/queue-error.js';

describe('errorText', () => {
  it('turns any error into serialisable text with a code (never {})', () => {
    expect(JSON.stringify({ error: errorText(new Error('boom')) })).toBe(
      '{"error":{"code":"ERROR","message":"boom"}}',
    );
    expect(errorText(new QueueError('SPACE_LOW', 'full'))).toEqual({ code: 'SPACE_LOW', message: 'full' });
    expect(errorText(Object.assign(new Error('divide by zero'), { code: 1001 }))).toEqual({
      code: '1001',
      message: 'divide by zero',
    });
    expect(errorText(new Error('etcdserver: mvcc: database space exceeded')).code).toBe('NOSPACE');
    expect(errorText(new TypeError('bad'))).toEqual({ code: 'TypeError', message: 'bad' });
    expect(errorText('text')).toEqual({ code: 'ERROR', message: 'text' });
  });

  it('isNoSpace recognises etcd’s refusal', () => {
    expect(isNoSpace(new Error('etcdserver: mvcc: database space exceeded'))).toBe(true);
    expect(isNoSpace(new Error('etcdserver: request timed out'))).toBe(false);
  });
});
