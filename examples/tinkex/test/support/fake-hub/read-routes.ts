import { sendContent, type Exchange } from './http.js';
import { lfsPointer, type Commit, type Repo, type RepoStore, type StoredFile } from './repo-store.js';

/**
 * Read side of the Hub API, as `@huggingface/hub` calls it:
 * - `GET /api/whoami-v2`
 * - `GET /api/models/{repo}/revision/{rev}` (model info; `sha` is the resolved commit)
 * - `GET /api/models/{repo}/tree/{rev}[/{path}]?recursive=`
 * - `POST /api/models/{repo}/paths-info/{rev}`
 * - `GET|HEAD /{repo}/resolve/{rev}/{path}` and `/raw/`: of a gated repo, 401 without a token and 403
 *   (`X-Error-Code: GatedRepo`) to a user who has not been granted access; their errors are plain text
 *   (the message also in `X-Error-Message`, as on every error); else ETag, X-Repo-Commit, Content-Range; an LFS
 *   file redirects (302, Location) to the CDN with `X-Linked-Etag` (its sha256) and `X-Linked-Size`.
 */
export function readRoutes(store: RepoStore, cdnUrl: () => string) {
  /** The repo if this caller may read it; otherwise the Hub's answer has been sent. */
  const readable = (x: Exchange, id: string): Repo | undefined => {
    const repo = store.get(id);
    if (!repo || (repo.private && x.user !== repo.owner)) {
      // As the Hub: 401 to an anonymous caller (it may need a token), 404 to an authenticated one.
      x.fail(x.user ? 404 : 401, 'Repository not found', 'RepoNotFound');
      return undefined;
    }
    return repo;
  };
  const commitOf = (x: Exchange, repo: Repo, rev: string): Commit | undefined => {
    const commit = store.resolve(repo, decodeURIComponent(rev));
    if (!commit) x.fail(404, `Invalid rev id: ${decodeURIComponent(rev)}`, 'RevisionNotFound');
    return commit;
  };
  const entry = (f: StoredFile, commit: Commit) => ({
    type: 'file',
    path: f.path,
    size: f.size,
    oid: f.oid,
    ...(f.lfs ? { lfs: f.lfs } : {}),
    lastCommit: { id: commit.oid, title: commit.title, date: '2026-01-01T00:00:00.000Z' },
  });

  return async (x: Exchange): Promise<boolean> => {
    const path = x.url.pathname;
    if (path === '/api/whoami-v2' && x.req.method === 'GET') {
      if (!x.user) return (x.fail(401, 'Invalid credentials in Authorization header'), true);
      x.json(200, {
        type: 'user',
        id: `id-${x.user}`,
        name: x.user,
        fullname: x.user,
        orgs: [],
        auth: { type: 'access_token', accessToken: { displayName: 'test', role: 'write' } },
      });
      return true;
    }
    let m = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(path);
    if (m && x.req.method === 'GET') {
      const repo = readable(x, m[1]);
      const commit = repo && commitOf(x, repo, m[2]);
      if (commit)
        x.json(200, {
          _id: `id-${m[1]}`,
          id: m[1],
          sha: commit.oid,
          private: repo!.private,
          gated: false,
          downloads: 0,
          likes: 0,
          lastModified: '2026-01-01T00:00:00.000Z',
          siblings: [...commit.files.keys()].map((rfilename) => ({ rfilename })),
        });
      return true;
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (m && x.req.method === 'GET') {
      const repo = readable(x, m[1]);
      const commit = repo && commitOf(x, repo, m[2]);
      if (!commit) return true;
      const prefix = m[3] ? `${m[3]}/` : '';
      const recursive = x.url.searchParams.get('recursive') === 'true';
      const files = [...commit.files.values()].filter((f) => f.path.startsWith(prefix));
      const dirs = new Set<string>();
      const out = [];
      for (const f of files) {
        const rest = f.path.slice(prefix.length);
        if (!recursive && rest.includes('/')) dirs.add(prefix + rest.split('/')[0]);
        else out.push(entry(f, commit));
      }
      x.json(200, [
        ...[...dirs].map((d) => ({ type: 'directory', path: d, size: 0, oid: '0'.repeat(40) })),
        ...out,
      ]);
      return true;
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/paths-info\/([^/]+)$/.exec(path);
    if (m && x.req.method === 'POST') {
      const repo = readable(x, m[1]);
      const commit = repo && commitOf(x, repo, m[2]);
      if (!commit) return true;
      const { paths } = JSON.parse((await x.body()).toString()) as { paths: string[] };
      x.json(
        200,
        paths.flatMap((p) => (commit.files.has(p) ? [entry(commit.files.get(p)!, commit)] : [])),
      );
      return true;
    }
    m = /^\/([^/]+\/[^/]+)\/(resolve|raw)\/([^/]+)\/(.+)$/.exec(path);
    if (m && (x.req.method === 'GET' || x.req.method === 'HEAD')) {
      x.textErrors = true;
      const repo = readable(x, m[1]);
      const commit = repo && commitOf(x, repo, m[3]);
      if (!commit) return true;
      if (repo.gated && !(x.user && repo.gated.includes(x.user))) {
        // As the Hub (HEAD answers carry no body: the code and message come as headers too).
        const why = x.user
          ? `Access to model ${repo.id} is restricted and you are not in the authorized list. Visit ${x.url.origin}/${repo.id} to ask for access.`
          : `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
        return (x.fail(x.user ? 403 : 401, why, 'GatedRepo'), true);
      }
      const file = commit.files.get(decodeURIComponent(m[4]));
      if (!file) return (x.fail(404, 'Entry not found', 'EntryNotFound'), true);
      const common = { 'x-repo-commit': commit.oid };
      if (file.lfs && m[2] === 'resolve') {
        x.res
          .writeHead(302, {
            ...common,
            location: `${cdnUrl()}/lfs-objects/${file.lfs.oid}`,
            'x-linked-etag': `"${file.lfs.oid}"`,
            'x-linked-size': String(file.lfs.size),
            etag: `"${file.oid}"`,
          })
          .end();
        return true;
      }
      const content = file.content ?? lfsPointer(file.lfs!.oid, file.lfs!.size);
      sendContent(x, content, { ...common, etag: `"${file.oid}"` });
      return true;
    }
    return false;
  };
}
