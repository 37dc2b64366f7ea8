import type { Exchange } from './http.js';
import type { Repo, RepoStore, StoredFile } from './repo-store.js';

/** One line of the commit NDJSON body, as `@huggingface/hub` writes it. */
type CommitLine =
  | { key: 'header'; value: { summary: string; description?: string; parentCommit?: string } }
  | { key: 'file'; value: { path: string; content: string; encoding: 'base64' | 'utf-8' } }
  | { key: 'lfsFile'; value: { path: string; algo: 'sha256'; oid: string; size: number } }
  | { key: 'deletedFile'; value: { path: string } };

/**
 * Write side of the Hub API (all need a valid token with write access to the namespace):
 * - `POST /api/repos/create` `{name, organization, type, visibility}`: 200 `{url, id}`, 409 when it exists;
 * - `POST /api/models/{repo}/branch/{branch}`;
 * - `POST /api/models/{repo}/preupload/{rev}` `{files:[{path,size,sample}]}` → `uploadMode` per file;
 * - `POST /api/models/{repo}/commit/{rev}[?create_pr=1]` NDJSON (header, file, lfsFile, deletedFile):
 *   an `lfsFile` whose object was never uploaded is refused (422), as on the Hub.
 */
export function writeRoutes(store: RepoStore, hubUrl: () => string) {
  /** The repo if the caller may write to it; otherwise the answer has been sent. */
  const writable = (x: Exchange, id: string): Repo | undefined => {
    if (!x.user) return (x.fail(401, 'Invalid credentials in Authorization header'), undefined);
    const repo = store.get(id);
    if (!repo) return (x.fail(404, 'Repository not found', 'RepoNotFound'), undefined);
    if (repo.owner !== x.user)
      return (x.fail(403, 'You have read access but not the required permissions'), undefined);
    return repo;
  };

  return async (x: Exchange): Promise<boolean> => {
    const path = x.url.pathname;
    if (x.req.method !== 'POST') return false;
    if (path === '/api/repos/create') {
      if (!x.user) return (x.fail(401, 'Invalid credentials in Authorization header'), true);
      const body = JSON.parse((await x.body()).toString()) as {
        name: string;
        organization?: string;
        visibility?: string;
        private?: boolean;
      };
      const owner = body.organization ?? x.user;
      if (owner !== x.user)
        return (x.fail(403, `You don't have the rights to create a model under ${owner}`), true);
      const id = `${owner}/${body.name}`;
      const url = `${hubUrl()}/${id}`;
      if (store.get(id)) return (x.json(409, { error: 'You already created this model repo', url }), true);
      store.create(id, owner, body.visibility ? body.visibility !== 'public' : body.private === true);
      x.json(200, { url, id: `id-${id}`, name: id });
      return true;
    }
    let m = /^\/api\/models\/([^/]+\/[^/]+)\/branch\/([^/]+)$/.exec(path);
    if (m) {
      const repo = writable(x, m[1]);
      if (!repo) return true;
      const branch = decodeURIComponent(m[2]);
      if (repo.refs.has(branch)) return (x.fail(409, `Reference already exists: refs/heads/${branch}`), true);
      repo.refs.set(branch, repo.refs.get('main')!);
      x.json(200, {});
      return true;
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/preupload\/([^/]+)$/.exec(path);
    if (m) {
      const repo = writable(x, m[1]);
      if (!repo) return true;
      const { files } = JSON.parse((await x.body()).toString()) as {
        files: { path: string; size: number; sample: string }[];
      };
      x.json(200, {
        files: files.map((f) => ({
          path: f.path,
          uploadMode: store.wantsLfs(f.size, Buffer.from(f.sample, 'base64')) ? 'lfs' : 'regular',
          shouldIgnore: false,
        })),
      });
      return true;
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/commit\/([^/]+)$/.exec(path);
    if (m) {
      const repo = writable(x, m[1]);
      if (!repo) return true;
      const rev = decodeURIComponent(m[2]);
      const isPr = x.url.searchParams.get('create_pr') === '1';
      if (!isPr && !repo.refs.has(rev))
        return (x.fail(404, `Invalid rev id: ${rev}`, 'RevisionNotFound'), true);
      if (x.req.headers['content-type'] !== 'application/x-ndjson')
        return (x.fail(400, 'Expected application/x-ndjson'), true);
      const lines = (await x.body())
        .toString()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as CommitLine);
      const header = lines[0];
      if (header?.key !== 'header') return (x.fail(400, 'The first line must be the header'), true);
      const put: StoredFile[] = [];
      const remove: string[] = [];
      for (const line of lines.slice(1)) {
        if (line.key === 'file')
          put.push(
            store.file(
              line.value.path,
              Buffer.from(line.value.content, line.value.encoding === 'base64' ? 'base64' : 'utf8'),
            ),
          );
        else if (line.key === 'deletedFile') remove.push(line.value.path);
        else if (line.key === 'lfsFile') {
          const object = store.lfs.get(line.value.oid);
          if (!object || object.length !== line.value.size)
            return (x.fail(422, `LFS object ${line.value.oid} of ${line.value.path} was not uploaded`), true);
          put.push(store.file(line.value.path, object, true));
        } else return (x.fail(400, `Unknown key ${(line as { key: string }).key}`), true);
      }
      const ref = isPr ? `refs/pr/${++repo.pullRequests}` : rev;
      if (isPr) repo.refs.set(ref, repo.refs.get(rev) ?? repo.refs.get('main')!);
      const commit = store.commit(repo, ref, header.value.summary, { put, remove });
      x.json(200, {
        success: true,
        commitOid: commit.oid,
        commitUrl: `${hubUrl()}/${repo.id}/commit/${commit.oid}`,
        ...(isPr ? { pullRequestUrl: `${hubUrl()}/${repo.id}/discussions/${repo.pullRequests}` } : {}),
        hookOutput: '',
      });
      return true;
    }
    return false;
  };
}
