import { createHash } from 'node:crypto';

/** A file in a commit: small ones are stored in git, large/binary ones as an LFS pointer. */
export interface StoredFile {
  path: string;
  size: number;
  /** Git blob id: sha1 of `blob <size>\0<content>` (of the pointer file for LFS files, as on the Hub). */
  oid: string;
  /** Content of a regular file. */
  content?: Buffer;
  /** sha256 of an LFS file's content (the object lives in the LFS store). */
  lfs?: { oid: string; size: number; pointerSize: number };
}

export interface Commit {
  oid: string;
  title: string;
  parent?: string;
  files: Map<string, StoredFile>;
}

export interface Repo {
  id: string;
  owner: string;
  private: boolean;
  /** A gated repository: anyone sees it, only these users (who accepted its conditions) get its files. */
  gated?: string[];
  /** Branch (and PR ref) name → commit oid. */
  refs: Map<string, string>;
  commits: Map<string, Commit>;
  pullRequests: number;
  /** LFS objects this repo has (the Hub deduplicates uploads per repository). */
  lfs: Set<string>;
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
export const gitBlobOid = (data: Buffer) =>
  createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data]))
    .digest('hex');

/** The pointer file git stores for an LFS object (its oid is the file's git oid on the Hub). */
export function lfsPointer(oid: string, size: number): Buffer {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`);
}

/**
 * Repositories, commits and LFS objects of the fake Hub, in memory. Commit ids are sha1s of the
 * commit's content, so they look like the Hub's (40 hex digits), and can be pinned when seeding.
 */
export class RepoStore {
  readonly repos = new Map<string, Repo>();
  /** LFS objects by sha256. */
  readonly lfs = new Map<string, Buffer>();

  constructor(private readonly lfsThreshold: number) {}

  get(id: string): Repo | undefined {
    return this.repos.get(id);
  }

  create(id: string, owner: string, isPrivate: boolean): Repo {
    const root: Commit = {
      oid: this.commitOid(id, 'initial commit', []),
      title: 'initial commit',
      files: new Map(),
    };
    const repo: Repo = {
      id,
      owner,
      private: isPrivate,
      refs: new Map([['main', root.oid]]),
      commits: new Map([[root.oid, root]]),
      pullRequests: 0,
      lfs: new Set(),
    };
    this.repos.set(id, repo);
    return repo;
  }

  /** A branch, a PR ref (`refs/pr/1`) or a commit oid → the commit. */
  resolve(repo: Repo, revision: string): Commit | undefined {
    const oid = repo.refs.get(revision) ?? (repo.commits.has(revision) ? revision : undefined);
    return oid === undefined ? undefined : repo.commits.get(oid);
  }

  /** Build a file as the Hub stores it: regular when small text, LFS when large or binary. */
  file(path: string, content: Buffer, forceLfs = false): StoredFile {
    if (forceLfs || this.wantsLfs(content.length, content.subarray(0, 512))) {
      const oid = sha256(content);
      this.lfs.set(oid, content);
      const pointer = lfsPointer(oid, content.length);
      return {
        path,
        size: content.length,
        oid: gitBlobOid(pointer),
        lfs: { oid, size: content.length, pointerSize: pointer.length },
      };
    }
    return { path, size: content.length, oid: gitBlobOid(content), content };
  }

  /** The Hub's rule, scaled down: binary (a NUL byte in the sample) or at least `lfsThreshold` bytes. */
  wantsLfs(size: number, sample: Buffer): boolean {
    return size >= this.lfsThreshold || sample.includes(0);
  }

  /** Apply a commit on top of `ref` (created from main when missing) and move the ref. */
  commit(
    repo: Repo,
    ref: string,
    title: string,
    changes: { put: StoredFile[]; remove: string[] },
    oid?: string,
  ): Commit {
    const parent = this.resolve(repo, ref) ?? this.resolve(repo, 'main')!;
    const files = new Map(parent.files);
    for (const f of changes.put) files.set(f.path, f);
    for (const f of changes.put) if (f.lfs) repo.lfs.add(f.lfs.oid);
    for (const p of changes.remove) files.delete(p);
    const commit: Commit = {
      oid:
        oid ??
        this.commitOid(
          repo.id,
          title,
          [...files.values()].map((f) => f.oid),
          parent.oid,
        ),
      title,
      parent: parent.oid,
      files,
    };
    repo.commits.set(commit.oid, commit);
    repo.refs.set(ref, commit.oid);
    return commit;
  }

  private commitOid(repo: string, title: string, oids: string[], parent = ''): string {
    return createHash('sha1')
      .update(`${repo}\n${parent}\n${title}\n${oids.join(',')}\n${this.repos.size}\n${Math.random()}`)
      .digest('hex');
  }
}
