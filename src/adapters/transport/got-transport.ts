import http from 'node:http';
import https from 'node:https';
import type { Agents, Got } from 'got';
import type { Transport, TransportRequest, TransportResponse } from '../../ports/transport.js';
import { dropCredentialHeaders } from './follow-redirect.js';
import { toTransportError } from './transport-errors.js';

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

/**
 * The default transport, on got 14. got's own retries are off (the Retry port owns them), a request
 * timeout is always set, redirects follow the endpoint flag, bodies stream, and no `Connection` header is
 * ever set by hand (keep-alive comes from the agents).
 */
export class GotTransport implements Transport {
  readonly name = 'got';
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly agents: Agents;
  /** Keep-alive proxy agents per proxy URL (hpagent: absolute-URI for http, CONNECT for https). */
  private readonly proxyAgents = new Map<string, Agents>();
  private client: Promise<Got> | undefined;

  constructor(private readonly options: GotTransportOptions = {}) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256 };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
    this.agents = { http: this.httpAgent, https: this.httpsAgent };
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    const got = await (this.client ??= this.createClient());
    const proxyAgents = request.proxy ? await this.proxyAgentsFor(request.proxy) : undefined;
    return new Promise((resolve, reject) => {
      const stream = got.stream(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body as never,
        followRedirect: request.redirect === 'follow',
        timeout: request.streaming ? { response: request.timeoutMs } : { request: request.timeoutMs },
        // The keep-alive agents are set on the instance; only a proxy needs its own per request.
        ...(proxyAgents ? { agent: proxyAgents } : {}),
        signal: request.signal,
        // Read by the redirect hook; set only when there is something to drop (got merges it per call).
        ...(request.originBound?.length ? { context: { originBound: request.originBound } } : {}),
      });
      let settled = false;
      stream.once('error', (error: Error) => {
        if (settled) return;
        settled = true;
        reject(toTransportError(error, request.signal));
      });
      stream.once('response', (response: http.IncomingMessage) => {
        settled = true;
        resolve({
          status: response.statusCode ?? 0,
          headers: flattenHeaders(response.headers),
          body: guardedBody(stream, request.signal),
          // Collect with 'data' events rather than an async iterator over the got stream: cheaper per call.
          readAll: () => collect(stream, request.signal),
          cancel: () => stream.destroy(),
        });
      });
    });
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

  async close(): Promise<void> {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    for (const agents of this.proxyAgents.values()) {
      (agents.http as http.Agent).destroy();
      (agents.https as https.Agent).destroy();
    }
  }

  private async proxyAgentsFor(proxy: string): Promise<Agents> {
    let agents = this.proxyAgents.get(proxy);
    if (!agents) {
      const { HttpProxyAgent, HttpsProxyAgent } = await loadHpagent();
      agents = this.proxyAgents.get(proxy); // another call may have created them meanwhile
      if (agents) return agents;
      const options = { keepAlive: true, maxSockets: this.options.maxSockets ?? 256, proxy };
      agents = { http: new HttpProxyAgent(options), https: new HttpsProxyAgent(options) };
      this.proxyAgents.set(proxy, agents);
    }
    return agents;
  }
}

async function* guardedBody(
  stream: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk;
  } catch (error) {
    throw toTransportError(error as Error, signal);
  }
}

function collect(stream: NodeJS.ReadableStream, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    stream.once('error', (error: Error) => reject(toTransportError(error, signal)));
  });
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
