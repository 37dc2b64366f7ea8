import type { Socket } from 'node:net';
import type { Connection } from './redis-connection.js';

/** ioredis's timer before its next reconnect attempt (a field of Redis and Cluster alike). */
type Reconnecting = { reconnectTimeout?: NodeJS.Timeout | null };

/**
 * Whether a link's connections keep the process alive: only while something awaits Redis (a command on
 * the wire, a waiter polling or listening for a release). ioredis keeps every socket referenced, and
 * re-arms a referenced reconnect timer while Redis is down, for the life of a connection: a script that
 * never closed its kernel never exited. Unreferenced for good, a process whose only work is a Redis
 * reply would exit in the middle of the wait. So each socket (every one a connection opens, a cluster's
 * node connections included, reported by the connector) and each reconnect timer is referenced while a
 * hold is taken and unreferenced once the last is released.
 */
export class ProcessHold {
  private holders = 0;
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<Connection>();

  /** A socket a connection just opened: referenced as the holds say, forgotten once closed. */
  readonly adopt = (socket: Socket): void => {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.apply(socket);
  };

  /** A connection whose reconnect timer follows the holds (armed anew after each failed attempt). */
  watch(connection: Connection): void {
    this.connections.add(connection);
    // Emitted on the tick after the timer is armed.
    connection.on('reconnecting', () => this.applyTimer(connection));
  }

  /** Keep the process alive until the returned release (idempotent) is called. */
  hold(): () => void {
    if (this.holders++ === 0) this.applyAll();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holders === 0) this.applyAll();
    };
  }

  private applyAll(): void {
    for (const socket of this.sockets) this.apply(socket);
    for (const connection of this.connections) this.applyTimer(connection);
  }

  private apply(socket: Socket): void {
    if (this.holders > 0) socket.ref();
    else socket.unref();
  }

  private applyTimer(connection: Connection): void {
    const timer = (connection as unknown as Reconnecting).reconnectTimeout;
    if (!timer) return;
    if (this.holders > 0) timer.ref();
    else timer.unref();
  }
}
