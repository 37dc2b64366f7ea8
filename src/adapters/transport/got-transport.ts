// Namespace imports: the emitted .d.ts names `http`, and a default import there would need the user's
// `esModuleInterop` under `"module": "commonjs"`.
import * as http from 'node:http';
import type { ClientRequestArgs } from 'node:http';
import { inspect } from 'node:util';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Agents, Got } from 'got';
import type { HttpsProxyAgentOptions } from 'hpagent';
import type { Transport, TransportRequest, TransportResponse } from '../../ports/transport.js';
import { ClientClosedError } from '../../kernel/errors/api-errors.js';
import { dropCredentialHeaders } from './follow-redirect.js';
import { poolOfProxyKey, proxyKey } from './pool-keys.js';
import { AttemptDeadline } from './attempt-deadline.js';
import { guardedBody } from './guarded-body.js';
import { PROXY_CONNECT_TIMEOUT_MS, ProxyTunnelFailure, toTransportError } from './transport-errors.js';

/**
 * got (and hpagent, for proxies) load on first use: together they add about 25 MB of RSS, which a
 * program that binds another transport (Tinkex binds undici) should not pay for importing pristine.
 */
let gotModule: Promise<Got> | undefined;
const loadGot = () => (gotModule ??= import('got').then((m) => m.default));
let hpagentModule: Promise<typeof import('hpagent')> | undefined;
const loadHpagent = () => (hpagentModule ??= import('hpagent'));

export interface GotTransportOptions {
  /** Keep-alive sockets per host. */
  maxSockets?: number;
  /** Use HTTP/2 where the server offers it (ALPN). */
  http2?: boolean;
}

/** A transport's keep-alive agents: the default pool's, the named pools', the proxies'. */
interface AgentSet {
  readonly main: Agents;
  readonly pools: Map<string, Agents>;
  readonly proxies: Map<string, Agents>;
}

/**
 * The agents of a transport collected without `close()` (a kernel made per request and forgotten):
 * released then, rather than holding idle sockets until the server's keep-alive ends (a minute).
 */
const forgotten = new FinalizationRegistry<AgentSet>((set) => {
  for (const agents of [set.main, ...set.pools.values(), ...set.proxies.values()]) {
    releaseAgent(agents.http as http.Agent);
    releaseAgent(agents.https as https.Agent);
  }
});

/**
 * The default transport, on got 14. got's own retries are off (the Retry port owns them), a request
 * timeout is always set, redirects follow the endpoint flag, bodies stream, and no `Connection` header is
 * ever set by hand (keep-alive comes from the agents).
 */
export class GotTransport implements Transport {
  readonly name = 'got';
  /** Every step races an `AttemptDeadline`: the kernel's backstop timer is not needed. */
  readonly settlesAtDeadline = true;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly agents: Agents;
  /** Keep-alive agents of the named pools (`TransportRequest.pool`), made on first use. */
  private readonly poolAgents = new Map<string, Agents>();
  /** Keep-alive proxy agents per pool and proxy URL (hpagent: absolute-URI for http, CONNECT for https). */
  private readonly proxyAgents = new Map<string, Agents>();
  private client: Promise<Got> | undefined;
  private closed = false;
  /** The pools still open after `closePoolsExcept` (undefined: all of them). */
  private kept: ReadonlySet<string | undefined> | undefined;

  constructor(private readonly options: GotTransportOptions = {}) {
    this.agents = keepAliveAgents(options.maxSockets);
    this.httpAgent = this.agents.http as http.Agent;
    this.httpsAgent = this.agents.https as https.Agent;
    // The set holds the agents and maps, never the transport: it must not keep it reachable.
    forgotten.register(this, { main: this.agents, pools: this.poolAgents, proxies: this.proxyAgents });
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    // Destroyed agents would open new sockets: a closed transport (or pool) sends nothing.
    if (this.closedFor(request.pool)) throw new ClientClosedError();
    // The clock starts before got loads, so even the first call's import counts against the deadline.
    const deadline = new AttemptDeadline(request);
    let sending = false;
    try {
      const got = await deadline.race((this.client ??= this.createClient()));
      const agents = request.proxy
        ? await deadline.race(this.proxyAgentsFor(request.proxy, request.pool))
        : request.pool === undefined
          ? undefined
          : this.poolAgentsFor(request.pool);
      // close() may have come while got (or a proxy agent) loaded: nothing is sent after it.
      if (this.closedFor(request.pool)) throw new ClientClosedError();
      sending = true;
      // The deadline destroys got's stream; the race is there so that no library path outlives it.
      return await deadline.race(exchange(got, request, deadline, agents), (late) => late.cancel());
    } catch (error) {
      deadline.release();
      // Ended by close() destroying the agents: the caller closed the client, nothing to retry. A shut
      // agent's refusal (a ClientClosedError) sent nothing; any other end came with the request under way.
      if (this.closedFor(request.pool))
        throw sending && !(error instanceof ClientClosedError)
          ? ClientClosedError.underWay()
          : new ClientClosedError();
      throw toTransportError(error as Error, request, deadline);
    }
  }

  /**
   * One got instance with the fixed options: got merges every option object per request, so options
   * (hooks above all) passed per call cost tens of µs each time.
   */
  private async createClient(): Promise<Got> {
    return (await loadGot()).extend({
      retry: { limit: 0 },
      throwHttpErrors: false,
      decompress: false,
      http2: this.options.http2 ?? false,
      agent: this.agents,
      hooks: { beforeRedirect: [dropCredentialsAcrossOrigins] },
    });
  }

  async closePoolsExcept(keep: ReadonlySet<string | undefined>): Promise<void> {
    this.kept = keep;
    if (!keep.has(undefined)) shutAgents(this.agents);
    for (const [pool, agents] of this.poolAgents) if (!keep.has(pool)) shutAgents(agents);
    for (const [key, agents] of this.proxyAgents) if (!keep.has(poolOfProxyKey(key))) shutAgents(agents);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const agents of [this.agents, ...this.poolAgents.values(), ...this.proxyAgents.values()]) {
      shutAgents(agents);
    }
  }

  private closedFor(pool: string | undefined): boolean {
    return this.closed || (this.kept !== undefined && !this.kept.has(pool));
  }

  /** Printed as its name and state only: its agents and proxy map hold proxy URLs, passwords included. */
  toJSON(): { name: string; closed: boolean } {
    return { name: this.name, closed: this.closed };
  }

  [inspect.custom](): string {
    return `GotTransport ${inspect(this.toJSON())}`;
  }

  private poolAgentsFor(pool: string): Agents {
    let agents = this.poolAgents.get(pool);
    if (!agents) {
      agents = keepAliveAgents(this.options.maxSockets);
      this.poolAgents.set(pool, agents);
    }
    return agents;
  }

  private async proxyAgentsFor(proxy: string, pool: string | undefined): Promise<Agents> {
    const key = proxyKey(proxy, pool);
    let agents = this.proxyAgents.get(key);
    if (!agents) {
      const { HttpProxyAgent, HttpsProxyAgent } = await loadHpagent();
      agents = this.proxyAgents.get(key); // another call may have created them meanwhile
      if (agents) return agents;
      const options = { keepAlive: true, maxSockets: this.options.maxSockets ?? 256, proxy };
      agents = {
        http: new (typedTunnelFailures(HttpProxyAgent, proxy))(options),
        https: new (typedTunnelFailures(HttpsProxyAgent, proxy))(options),
      };
      this.proxyAgents.set(key, agents);
    }
    return agents;
  }
}

function shutAgents(agents: Agents): void {
  shutAgent(agents.http as http.Agent);
  shutAgent(agents.https as https.Agent);
}

/**
 * Destroys the agent's sockets and refuses new ones: `destroy()` alone leaves the agent able to connect,
 * and got opens the socket a few ticks after `got.stream()`, so a request begun just before close()
 * would still be sent, and wait for its deadline. Costs nothing per request.
 */
function shutAgent(agent: http.Agent): void {
  (
    agent as unknown as { createConnection: (options: object, callback: OnSocket) => undefined }
  ).createConnection = (_options, callback) => {
    callback(new ClientClosedError(), undefined as never);
    return undefined;
  };
  agent.destroy();
}

/**
 * Let a forgotten transport's agent go quietly: idle sockets close now, a socket still carrying an
 * exchange closes when it ends (an agent without keep-alive destroys a socket set free), and nothing
 * refuses a request (none can come: nobody holds the transport).
 */
function releaseAgent(agent: http.Agent): void {
  (agent as unknown as { keepAlive: boolean }).keepAlive = false;
  for (const free of Object.values(agent.freeSockets)) for (const socket of free ?? []) socket.destroy();
}

/** The keep-alive agents of one pool (the default one, or a named one). */
function keepAliveAgents(maxSockets = 256): Agents {
  const options = { keepAlive: true, maxSockets };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

/** One got exchange; the response's body stays under the deadline until read, cancelled or failed. */
function exchange(
  got: Got,
  request: TransportRequest,
  deadline: AttemptDeadline,
  agents: Agents | undefined,
): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    const stream = got.stream(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body as never,
      followRedirect: request.redirect === 'follow',
      // No got timeout and no signal: the deadline destroys the stream, which bounds the whole attempt
      // (body included) for less than got's timers and an AbortController cost per call.
      // The default pool's keep-alive agents are set on the instance; only a proxy or another pool
      // needs its own per request.
      ...(agents ? { agent: agents } : {}),
      // Read by the redirect hook; set only when there is something to drop (got merges it per call).
      ...(request.originBound?.length ? { context: { originBound: request.originBound } } : {}),
    });
    if (deadline.aborted) stream.destroy(deadline.reason);
    else deadline.once('abort', () => stream.destroy(deadline.reason));
    let settled = false;
    stream.once('error', (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    stream.once('response', (response: http.IncomingMessage) => {
      settled = true;
      if (request.streaming) deadline.stopClock();
      const headers = flattenHeaders(response.headers);
      resolve({
        status: response.statusCode ?? 0,
        headers,
        body: guardedBody(stream, request, deadline, headers),
        // Collect with 'data' events rather than an async iterator over the got stream: cheaper per call.
        readAll: () => deadline.race(collect(stream, request, deadline, headers)),
        cancel: () => {
          deadline.release();
          stream.destroy();
        },
      });
    });
  });
}

function collect(
  stream: NodeJS.ReadableStream,
  request: TransportRequest,
  deadline: AttemptDeadline,
  headers: Record<string, string>,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.byteLength;
    });
    stream.once('end', () => {
      deadline.release();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    stream.once('error', (error: Error) => {
      deadline.release();
      reject(toTransportError(error, request, deadline, { received, headers }));
    });
  });
}

type AgentClass<A extends http.Agent> = new (options: HttpsProxyAgentOptions) => A;
type OnSocket = (error: Error | null, socket: Duplex) => void;

/**
 * hpagent's agents with a bounded CONNECT and typed tunnel failures: a refusal arrives as
 * `Bad response: 407`, a broken CONNECT as a bare socket error; both become a `ProxyTunnelFailure`.
 */
function typedTunnelFailures<A extends http.Agent>(Base: AgentClass<A>, proxy: string): AgentClass<A> {
  const create = Base.prototype.createConnection as (options: object, callback: OnSocket) => void;
  class TypedTunnel extends (Base as AgentClass<http.Agent>) {
    override createConnection(options: ClientRequestArgs, callback?: OnSocket): undefined {
      create.call(this, { ...options, timeout: PROXY_CONNECT_TIMEOUT_MS }, (error, socket) => {
        if (!error) return callback?.(null, socket);
        const status = /^Bad response: (\d{3})$/.exec(error.message)?.[1];
        const failure = new ProxyTunnelFailure(status ? Number(status) : undefined, proxy, { cause: error });
        callback?.(failure, undefined as never);
      });
      return undefined; // the socket arrives through the callback
    }
  }
  return TypedTunnel as AgentClass<A>;
}

export function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * got drops `authorization` and `cookie` when a redirect leaves the origin, but not API-key headers;
 * this hook removes every credential header the undici adapter removes (also secret-looking names),
 * so both behave the same. Each
 * hop compares the next URL with the URL that answered the redirect; once dropped, headers stay dropped.
 */
function dropCredentialsAcrossOrigins(
  options: { url?: URL | string; headers: Record<string, unknown>; context: Record<string, unknown> },
  response: { requestUrl: URL | string },
): void {
  const from = new URL(String(response.requestUrl)).origin;
  if (options.url && new URL(String(options.url)).origin === from) return;
  dropCredentialHeaders(options.headers, options.context.originBound as readonly string[] | undefined);
}
