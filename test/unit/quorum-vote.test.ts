/**
 * quorumVote (a queued quorum chunk's vote) against fake peers, no network: the worker's own
 * answer votes beside the peers' as in results.compute; transport failures are retried, a
 * disagreement is not; no other node live is a quorum of 1 of 1; peers that cannot be asked at
 * all throw (the chunk stays queued).
 */
import { describe, expect, it } from 'vitest';
import { ClusterClosedError, NoNodesError, RemoteError, TransportError } from '../../src/client/errors.js';
import type { Receipt } from '../../src/client/fanout.js';
import { QueueError } from '../../src/results/queue/queue-error.js';
import { type QuorumPeers, quorumVote } from '../../src/results/queue/quorum-vote.js';

const ok = (nodeId: string, result: unknown): Receipt => ({ nodeId, ok: true, result, ms: 1 });
const bad = (nodeId: string, error: Error): Receipt => ({ nodeId, ok: false, error, ms: 1 });

/** peers answers each `all` with the next entry of `rounds` (the last one repeats), counting calls. */
function peers(...rounds: Array<Receipt[] | Error>): QuorumPeers & { calls: number } {
  const fake = {
    calls: 0,
    all: async (): Promise<Receipt[]> => {
      const round = rounds[Math.min(fake.calls++, rounds.length - 1)]!;
      if (round instanceof Error) throw round;
      return round;
    },
  };
  return fake;
}

const op = (own: { result: unknown } | { error: { code: number; message: string } }) => ({
  method: 'Arith.Multiply',
  params: { A: 6, B: 7 },
  own,
});

describe('quorumVote', () => {
  it('the worker and a majority agree: the agreed answer, the agreeing nodes sorted, the dissent', async () => {
    const [vote] = await quorumVote([op({ result: 42 })], 'w', peers([ok('b', 42), ok('a', 43)]));
    expect(vote).toEqual({
      answer: { result: 42 },
      nodes: ['b', 'w'],
      dissent: [{ nodeId: 'a', result: 43 }],
    });
    const [outvoted] = await quorumVote([op({ result: 43 })], 'w', peers([ok('a', 42), ok('b', 42)]));
    expect(outvoted).toMatchObject({ answer: { result: 42 }, nodes: ['a', 'b'] });
  });

  it('an application error is an answer that can agree (divide by zero)', async () => {
    const div0 = { code: 1001, message: 'divide by zero' };
    const [vote] = await quorumVote(
      [op({ error: div0 })],
      'w',
      peers([bad('a', new RemoteError(1001, 'divide by zero', 'a'))]),
    );
    expect(vote).toMatchObject({ answer: { error: div0 }, nodes: ['a', 'w'] });
  });

  it('no other node live: a quorum of 1 of 1, as results.compute with one node', async () => {
    const [vote] = await quorumVote([op({ result: 42 })], 'w', peers(new NoNodesError()));
    expect(vote).toMatchObject({ answer: { result: 42 }, nodes: ['w'] });
  });

  it('a disagreement is not retried: QueueError QUORUM naming who answered what', async () => {
    const fake = peers([ok('a', 43)]);
    const [vote] = await quorumVote([op({ result: 42 })], 'w', fake);
    expect(vote).toBeInstanceOf(QueueError);
    expect((vote as QueueError).toJSON()).toEqual({
      code: 'QUORUM',
      message: 'quorum of 2 not reached: w=42, a=43 (2 live nodes)',
    });
    expect(fake.calls).toBe(1);
  });

  it('a quorum missed through a transport failure is voted again (3 tries), and may then pass', async () => {
    const refused = new TransportError('connect ECONNREFUSED', 'a', 'refused');
    const healed = peers([bad('a', refused)], [ok('a', 42)]);
    const [vote] = await quorumVote([op({ result: 42 })], 'w', healed);
    expect(vote).toMatchObject({ nodes: ['a', 'w'] });
    expect(healed.calls).toBe(2);
    const down = peers([bad('a', refused)]);
    const [failed] = await quorumVote([op({ result: 42 })], 'w', down);
    expect((failed as QueueError).code).toBe('QUORUM');
    expect(down.calls).toBe(3);
  });

  it('peers that cannot be asked at all: rejects QueueError COMPUTE (nothing decided)', async () => {
    const error = await quorumVote([op({ result: 42 })], 'w', peers(new ClusterClosedError())).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueueError);
    expect(error).toMatchObject({
      code: 'COMPUTE',
      message: 'cannot ask the other nodes: cluster client is closed',
    });
  });
});
