import { describe, expect, it } from 'vitest';
import { errorFromRpc } from '../../src/client/errors.js';
import { isAnswerError } from '../../src/client/verify-modes.js';
import * as api from '../../src/index.js';

const {
  ClusterError,
  DeadlineExceededError,
  OverloadedError,
  RemoteDivideByZeroError,
  RemoteError,
  RemoteInvalidParamsError,
  RemoteMethodNotFoundError,
  RemoteResultTooLargeError,
  RemoteShuttingDownError,
} = api;

describe('errorFromRpc: one class per condition, from one table', () => {
  const cases = [
    { code: 1001, cls: RemoteDivideByZeroError, remote: true, retryable: false, answer: true },
    { code: 1002, cls: RemoteResultTooLargeError, remote: true, retryable: false, answer: true },
    { code: -32602, cls: RemoteInvalidParamsError, remote: true, retryable: false, answer: false },
    { code: -32601, cls: RemoteMethodNotFoundError, remote: true, retryable: false, answer: false },
    { code: -32002, cls: RemoteShuttingDownError, remote: true, retryable: true, answer: false },
    { code: -32003, cls: OverloadedError, remote: false, retryable: true, answer: false },
    { code: -32001, cls: DeadlineExceededError, remote: false, retryable: false, answer: false },
    { code: -32603, cls: RemoteError, remote: true, retryable: true, answer: false },
    { code: -32600, cls: RemoteError, remote: true, retryable: false, answer: false },
    { code: 1003, cls: RemoteError, remote: true, retryable: false, answer: false },
  ];
  it.each(cases)('code $code → $cls.name (retryable $retryable, answer $answer)', (c) => {
    const e = errorFromRpc({ code: c.code, message: 'why', data: { x: 1 } }, 'n1', 250);
    expect(e.constructor).toBe(c.cls);
    expect(e.name).toBe(c.cls.name);
    expect(e).toBeInstanceOf(ClusterError);
    expect(e instanceof RemoteError).toBe(c.remote);
    expect(e).toMatchObject({ code: c.code, nodeId: 'n1', retryable: c.retryable });
    expect(isAnswerError(e)).toBe(c.answer);
    if (c.remote) expect(e).toMatchObject({ message: 'why', data: { x: 1 }, answer: c.answer });
  });

  it('a RemoteError built from a code classifies like errorFromRpc (channels build them for refusals)', () => {
    for (const c of cases.filter((x) => x.remote)) {
      const direct = new RemoteError(c.code, 'why', 'n1');
      expect({ retryable: direct.retryable, answer: direct.answer }).toEqual({
        retryable: c.retryable,
        answer: c.answer,
      });
    }
    expect(new RemoteError(-32003, 'busy', 'n1').retryable).toBe(true);
  });

  it('keeps the node-side deadline and the overloaded node in the error', () => {
    const d = errorFromRpc({ code: -32001, message: 'deadline exceeded' }, 'n2', 250);
    expect(d).toMatchObject({ deadlineMs: 250, nodeId: 'n2' });
    expect(d.message).toBe('deadline of 250 ms exceeded (node n2)');
    const o = errorFromRpc({ code: -32003, message: 'overloaded' }, 'n3', 250);
    expect(o).toMatchObject({ message: 'overloaded', nodeId: 'n3', retryable: true });
  });

  it('the SDK names do not shadow the Arith service errors exported beside them', () => {
    expect(api.DivideByZeroError).not.toBe(RemoteDivideByZeroError);
    expect(api.InvalidParamsError).not.toBe(RemoteInvalidParamsError);
    expect(api.ResultTooLargeError).not.toBe(RemoteResultTooLargeError);
    expect(new api.ClusterClosedError()).toMatchObject({
      name: 'ClusterClosedError',
      retryable: false,
      message: 'cluster client is closed',
    });
  });
});
