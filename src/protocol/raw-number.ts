/**
 * RawNumber: a JSON number literal kept as its text because no JavaScript value holds it exactly.
 */

const NUMBER_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * RawNumber holds a JSON number literal that neither a double nor a bigint can carry: one that
 * overflows a double (`1e400`), an integer with more digits than the reader turns into a bigint,
 * or a `-0` that must keep its sign. `stringifyExact` writes its text back unchanged; plain
 * `JSON.stringify` refuses it (TypeError) rather than writing it wrongly.
 */
export class RawNumber {
  /** text is the literal exactly as read, e.g. `1e400`. */
  readonly text: string;

  /** RawNumber wraps `text`; throws TypeError when it is not a JSON number literal. */
  constructor(text: string) {
    if (!NUMBER_LITERAL.test(text)) throw new TypeError('RawNumber: not a JSON number literal');
    this.text = text;
  }

  /** isInteger reports whether the literal has no fraction and no exponent. */
  get isInteger(): boolean {
    return !/[.eE]/.test(this.text);
  }

  /** toJSON throws: only `stringifyExact` can write a RawNumber exactly. */
  toJSON(): never {
    throw new TypeError('RawNumber: serialize with stringifyExact');
  }

  /** toString returns at most 40 characters of the literal, for error messages. */
  toString(): string {
    const t = this.text;
    return t.length <= 40 ? t : `${t.slice(0, 24)}… (${t.length} characters)`;
  }
}
