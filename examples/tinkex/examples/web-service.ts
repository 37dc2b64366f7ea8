// docs/tinkex.md "Serving samples from a web service", verbatim; test/docs/web-service.test.ts runs it against the emulator.
import { createServer } from 'node:http';
import { APIUserAbortError, ClientClosedError, IdleWaitError, ServiceClient, SessionGoneError } from 'tinkex';

// One client and one sampler for the whole process, shared by every web request.
const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
let inFlight = 0;

const server = createServer(async (req, res) => {
  // The web request's own signal: a browser that goes away aborts its sample, and nothing more is
  // sent for it. (After the answer was sent, the abort finds nothing left to stop.)
  const request = new AbortController();
  res.on('close', () => request.abort());
  const q = new URL(req.url ?? '/', 'http://localhost').searchParams.get('q') ?? 'The quick';
  inFlight++;
  try {
    const tokens = sampler.sampleStream(
      { prompt: [...Buffer.from(q)], sampling_params: { max_tokens: 16 } },
      { signal: request.signal, timeoutMs: 30_000 },
    );
    for await (const chunk of tokens) {
      if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/octet-stream' });
      if (chunk.type === 'token') res.write(Uint8Array.of(chunk.token)); // this model's tokens are bytes
    }
    res.end();
  } catch (error) {
    if (error instanceof APIUserAbortError) return; // the browser left
    // The server forgot the session (it restarted): every later call fails too; restart this service.
    if (error instanceof SessionGoneError) console.error('session gone, restart the service');
    if (!res.headersSent) res.writeHead(error instanceof ClientClosedError ? 503 : 502);
    res.end();
  } finally {
    inFlight--;
  }
});
server.listen(0, '127.0.0.1');

// Graceful shutdown: stop accepting, wait up to graceMs for the work in flight, then close the client.
async function shutdown(graceMs = 10_000): Promise<void> {
  const drained = new Promise((resolve) => server.close(resolve)); // once every connection has ended
  server.closeIdleConnections();
  try {
    // Every sample, stream and call this client started (through any view or sampler) has settled.
    await service.idle({ timeoutMs: graceMs });
  } catch (error) {
    if (!(error instanceof IdleWaitError)) throw error;
    // Past the bound, closing the connections aborts their requests' signals, so their samples stop.
    server.closeAllConnections();
  }
  await drained;
  await service.close(); // anything still pending settles with a typed error; nothing hangs
}
const onSigterm = () => void shutdown();
process.once('SIGTERM', onSigterm);

// A visitor reads a whole answer; another leaves after the first bytes.
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as { port: number };
const whole = await fetch(`http://127.0.0.1:${port}/?q=The+quick`);
console.log('streamed bytes:', (await whole.arrayBuffer()).byteLength);
const visitor = new AbortController();
const early = await fetch(`http://127.0.0.1:${port}/?q=Hello`, { signal: visitor.signal });
await early.body?.getReader().read(); // the first bytes, then the visitor goes
visitor.abort();

// Here the example stops itself as SIGTERM would.
process.removeListener('SIGTERM', onSigterm);
await shutdown();
console.log('in flight after shutdown:', inFlight);
