import { sendContent, type Exchange } from './http.js';
import { sha256, type RepoStore } from './repo-store.js';

/**
 * The LFS flow. On the Hub host: `POST /{repo}.git/info/lfs/objects/batch` (Bearer, git-lfs+json) →
 * per object either nothing to do (the repo has it already) or an upload action on the CDN host: a single PUT, or
 * for objects of at least `multipartThreshold` bytes a multipart upload (`header.chunk_size`, numbered
 * part URLs, completion POST to `href`), as the Hub answers large files.
 * On the CDN host (a different origin, like the Hub's S3/CloudFront): uploads, and downloads of LFS
 * objects that `resolve` redirects to. The CDN never needs, and must never get, the Hub token.
 */
export function lfsBatchRoute(store: RepoStore, cdnUrl: () => string, multipartThreshold: number) {
  return async (x: Exchange): Promise<boolean> => {
    const m = /^\/([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(x.url.pathname);
    if (!m || x.req.method !== 'POST') return false;
    if (!x.user) return (x.fail(401, 'Invalid credentials in Authorization header'), true);
    const repo = store.get(m[1]);
    if (!repo || repo.owner !== x.user) return (x.fail(404, 'Repository not found', 'RepoNotFound'), true);
    const body = JSON.parse((await x.body()).toString()) as {
      operation: string;
      transfers?: string[];
      objects: { oid: string; size: number }[];
    };
    if (body.operation !== 'upload') return (x.fail(400, 'Only uploads are supported'), true);
    const objects = body.objects.map(({ oid, size }) => {
      if (repo.lfs.has(oid)) return { oid, size };
      const href = `${cdnUrl()}/lfs-upload/${oid}?size=${size}`;
      if (size < multipartThreshold) return { oid, size, actions: { upload: { href } } };
      const chunk = Math.ceil(multipartThreshold / 2);
      const header: Record<string, string> = { chunk_size: String(chunk) };
      for (let part = 1; part <= Math.ceil(size / chunk); part++)
        header[String(part)] = `${cdnUrl()}/lfs-upload/${oid}/part/${part}`;
      return {
        oid,
        size,
        actions: { upload: { href: `${cdnUrl()}/lfs-upload/${oid}/complete?size=${size}`, header } },
      };
    });
    x.json(200, { transfer: 'basic', objects }, { 'content-type': 'application/vnd.git-lfs+json' });
    return true;
  };
}

export function cdnRoutes(store: RepoStore) {
  const parts = new Map<string, Map<number, Buffer>>();
  /** Store `content` under `oid` only when it really hashes to it (the Hub verifies too). */
  const accept = (x: Exchange, oid: string, content: Buffer) => {
    if (sha256(content) !== oid || String(content.length) !== x.url.searchParams.get('size'))
      return x.fail(400, 'Content does not match the object id or size');
    store.lfs.set(oid, content);
    x.res.writeHead(200).end();
  };
  return async (x: Exchange): Promise<boolean> => {
    const path = x.url.pathname;
    let m = /^\/lfs-objects\/([0-9a-f]{64})$/.exec(path);
    if (m && (x.req.method === 'GET' || x.req.method === 'HEAD')) {
      const object = store.lfs.get(m[1]);
      if (!object) return (x.fail(404, 'No such object'), true);
      sendContent(x, object, { etag: `"${m[1]}"` });
      return true;
    }
    m = /^\/lfs-upload\/([0-9a-f]{64})\/part\/(\d+)$/.exec(path);
    if (m && x.req.method === 'PUT') {
      const content = await x.body();
      if (!parts.has(m[1])) parts.set(m[1], new Map());
      parts.get(m[1])!.set(Number(m[2]), content);
      x.res.writeHead(200, { etag: `"${sha256(content).slice(0, 32)}"` }).end();
      return true;
    }
    m = /^\/lfs-upload\/([0-9a-f]{64})\/complete$/.exec(path);
    if (m && x.req.method === 'POST') {
      const done = JSON.parse((await x.body()).toString()) as {
        parts: { partNumber: number; etag: string }[];
      };
      const uploaded = parts.get(m[1]) ?? new Map<number, Buffer>();
      const ordered = done.parts.map((p) => uploaded.get(p.partNumber));
      if (ordered.some((b) => b === undefined)) return (x.fail(400, 'A part is missing'), true);
      parts.delete(m[1]);
      accept(x, m[1], Buffer.concat(ordered as Buffer[]));
      return true;
    }
    m = /^\/lfs-upload\/([0-9a-f]{64})$/.exec(path);
    if (m && x.req.method === 'PUT') {
      accept(x, m[1], await x.body());
      return true;
    }
    return false;
  };
}
