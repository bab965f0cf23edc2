import type { CallOptions } from './call-one.js';
import { fromWire, type Integer, toWire } from './exact.js';

/**
 * TypedCalls are the Arith helpers with exact integers: bigint (or safe number, or decimal string)
 * in, bigint out, whatever the size. Each is one balanced `call` with failover.
 */
export abstract class TypedCalls {
  /** call runs one JSON-RPC call on one node. */
  abstract call(method: string, params: unknown, options?: CallOptions): Promise<unknown>;

  #binary(method: string, a: Integer, b: Integer, options?: CallOptions): Promise<unknown> {
    return this.call(method, { A: toWire(a, 'A'), B: toWire(b, 'B') }, options);
  }

  /** add returns a + b. */
  async add(a: Integer, b: Integer, options?: CallOptions): Promise<bigint> {
    return fromWire(await this.#binary('Arith.Add', a, b, options));
  }

  /** subtract returns a − b. */
  async subtract(a: Integer, b: Integer, options?: CallOptions): Promise<bigint> {
    return fromWire(await this.#binary('Arith.Subtract', a, b, options));
  }

  /** multiply returns a × b. */
  async multiply(a: Integer, b: Integer, options?: CallOptions): Promise<bigint> {
    return fromWire(await this.#binary('Arith.Multiply', a, b, options));
  }

  /** divide returns quotient and remainder truncated toward zero, like Go; rejects `divide by zero`. */
  async divide(a: Integer, b: Integer, options?: CallOptions): Promise<{ quo: bigint; rem: bigint }> {
    const r = (await this.#binary('Arith.Divide', a, b, options)) as { Quo?: unknown; Rem?: unknown } | null;
    return { quo: fromWire(r?.Quo), rem: fromWire(r?.Rem) };
  }

  /** mod returns a % b with the sign of a (Go's `%`); rejects `divide by zero`. */
  async mod(a: Integer, b: Integer, options?: CallOptions): Promise<bigint> {
    return fromWire(await this.#binary('Arith.Mod', a, b, options));
  }

  /** pow returns a^b for b ≥ 0 (bounded result size). */
  async pow(a: Integer, b: Integer, options?: CallOptions): Promise<bigint> {
    return fromWire(await this.#binary('Arith.Pow', a, b, options));
  }

  /** sum returns the sum of the values. */
  async sum(values: Iterable<Integer>, options?: CallOptions): Promise<bigint> {
    if (values === null || typeof (values as Partial<Iterable<Integer>>)?.[Symbol.iterator] !== 'function') {
      throw new TypeError('sum: values must be an iterable of integers');
    }
    const wire = [...values].map((v, i) => toWire(v, `Values[${i}]`));
    return fromWire(await this.call('Arith.Sum', { Values: wire }, options));
  }
}
