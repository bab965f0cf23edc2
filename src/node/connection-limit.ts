import type net from 'node:net';
import { errorResponse, RPC_ERRORS } from '../protocol/rpc-errors.js';

/**
 * ConnectionLimit is one node-wide budget of open client connections, shared by the HTTP and TCP
 * ports (file descriptors are per process). A transport asks it about every accepted socket; one
 * past the budget gets the transport's refusal (see `tcpRefusal`, `httpRefusal`) and is closed at once.
 */
export class ConnectionLimit {
  readonly max: number;
  #open = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** open is the number of admitted connections not yet closed. */
  get open(): number {
    return this.#open;
  }

  /**
   * admit takes a slot for `socket`, given back when it closes. At the limit it takes none: it
   * writes `refusal(max)`, closes the socket once that is flushed, and returns false.
   */
  admit(socket: net.Socket, refusal: (max: number) => string): boolean {
    if (this.#open < this.max) {
      this.#open++;
      socket.once('close', () => this.#open--);
      return true;
    }
    socket.on('error', () => socket.destroy());
    socket.end(refusal(this.max));
    socket.destroySoon();
    return false;
  }
}

/** refusalBody is the JSON-RPC OVERLOADED error a refused connection is sent. */
function refusalBody(max: number): string {
  const text = `overloaded: ${max} connections open; retry on another node`;
  return JSON.stringify(errorResponse(null, RPC_ERRORS.OVERLOADED, text));
}

/** tcpRefusal is what a TCP connection past the budget reads before the close: one error line. */
export function tcpRefusal(max: number): string {
  return `${refusalBody(max)}\n`;
}

/** httpRefusal is what an HTTP connection past the budget reads before the close: a 503. */
export function httpRefusal(max: number): string {
  const body = refusalBody(max);
  return (
    'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: application/json\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}
