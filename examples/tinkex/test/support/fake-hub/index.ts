import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exchange, type Exchange, type SeenRequest } from './http.js';
import { cdnRoutes, lfsBatchRoute } from './lfs-routes.js';
import { readRoutes } from './read-routes.js';
import { RepoStore, type Commit } from './repo-store.js';
import { writeRoutes } from './write-routes.js';

export type { SeenRequest } from './http.js';
export { gitBlobOid, sha256 } from './repo-store.js';

export interface FakeHubOptions {
  /** Known tokens → user name. Default `{ hf_test_token: 'alice' }`. */
  tokens?: Record<string, string>;
  /** Files of at least this many bytes (or binary ones) go through LFS. Default 4096. */
  lfsThreshold?: number;
  /** LFS objects of at least this many bytes get a multipart upload. Default 256 KiB. */
  multipartThreshold?: number;
  /** What an error says instead of the Hub's message (a server or proxy that says more than it should). */
  errorMessage?: (message: string, req: IncomingMessage) => string;
}

export interface FakeHub {
  /** The Hub endpoint (what `HF_ENDPOINT` / `hubUrl` point at). */
  url: string;
  /** The CDN origin that LFS downloads redirect to and LFS uploads go to. */
  cdnUrl: string;
  /** Every request, in order (tokens never kept). */
  requests: SeenRequest[];
  store: RepoStore;
  /** Create (or extend) a repo with these files in one commit on `revision` (default main). */
  seed(
    repo: string,
    files: Record<string, string | Buffer>,
    options?: { owner?: string; private?: boolean; gated?: string[]; commit?: string; revision?: string },
  ): Commit;
  /** The files at a revision of a repo: path → content (LFS objects resolved). */
  files(repo: string, revision?: string): Map<string, Buffer>;
  /** From now on, every GET of a file of this name dies mid-body (as a Hub killed mid-download); undefined stops. */
  cutDownloadsOf(file: string | undefined): void;
  close(): Promise<void>;
}

export const TEST_TOKEN = 'hf_test_token';

/**
 * A Hugging Face Hub on loopback that speaks the HTTP API `@huggingface/hub` uses (see the route
 * files), with two origins: the Hub itself and a CDN for LFS objects, so tests can check that the
 * token only ever goes to the Hub host.
 */
export async function startFakeHub(options: FakeHubOptions = {}): Promise<FakeHub> {
  const tokens = new Map(Object.entries(options.tokens ?? { [TEST_TOKEN]: 'alice' }));
  const store = new RepoStore(options.lfsThreshold ?? 4096);
  const requests: SeenRequest[] = [];
  let hubUrl = '';
  let cdnUrl = '';
  let cutFile: string | undefined;
  const hubRoutes = [
    readRoutes(store, () => cdnUrl),
    writeRoutes(store, () => hubUrl),
    lfsBatchRoute(store, () => cdnUrl, options.multipartThreshold ?? 256 * 1024),
  ];
  const cdn = cdnRoutes(store);

  const handler =
    (host: 'hub' | 'cdn') =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const header = req.headers.authorization;
      const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
      const user = token === undefined ? undefined : tokens.get(token);
      const auth = token === undefined ? 'none' : user ? 'valid' : 'invalid';
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        auth,
        authorization: header !== undefined,
        host,
      });
      const x: Exchange = exchange(req, res, host === 'hub' ? hubUrl : cdnUrl, user, options.errorMessage);
      x.cut = cutFile !== undefined && x.url.pathname.endsWith(`/${cutFile}`);
      void (async () => {
        if (host === 'hub' && auth === 'invalid')
          return x.fail(401, 'Invalid credentials in Authorization header');
        for (const route of host === 'hub' ? hubRoutes : [cdn]) if (await route(x)) return;
        x.fail(404, `No route for ${req.method} ${x.url.pathname}`);
      })().catch((error: Error) => {
        if (!res.headersSent) x.fail(500, error.message);
        else res.destroy();
      });
    };

  const listen = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const hubServer = createServer(handler('hub'));
  const cdnServer = createServer(handler('cdn'));
  [hubUrl, cdnUrl] = await Promise.all([listen(hubServer), listen(cdnServer)]);

  return {
    url: hubUrl,
    cdnUrl,
    requests,
    store,
    seed(repo, files, seedOptions = {}) {
      const owner = seedOptions.owner ?? repo.split('/')[0];
      const existing = store.get(repo) ?? store.create(repo, owner, seedOptions.private ?? false);
      if (seedOptions.gated) existing.gated = seedOptions.gated;
      const put = Object.entries(files).map(([path, content]) =>
        store.file(path, typeof content === 'string' ? Buffer.from(content) : content),
      );
      return store.commit(
        existing,
        seedOptions.revision ?? 'main',
        'seed',
        { put, remove: [] },
        seedOptions.commit,
      );
    },
    files(repo, revision = 'main') {
      const r = store.get(repo);
      const commit = r && store.resolve(r, revision);
      const out = new Map<string, Buffer>();
      for (const f of commit?.files.values() ?? []) out.set(f.path, f.content ?? store.lfs.get(f.lfs!.oid)!);
      return out;
    },
    cutDownloadsOf(file) {
      cutFile = file;
    },
    async close() {
      for (const server of [hubServer, cdnServer]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
