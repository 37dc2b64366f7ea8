import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { HubNotFoundError, HubOfflineError, toHubError } from './hub-errors.js';
import { hubFetch, type HubErrorAnswer, type HubFetchDeps } from './hub-fetch.js';
import { noExistMarker, snapshotSettles } from './snapshot-files.js';
import { hubSecrets, withHubDeps, type HubSettings } from './hub-settings.js';
import { makeDirs } from '../fs/make-dirs.js';
import { writeAtomically } from '../fs/write-atomically.js';

const COMMIT = /^[0-9a-f]{40}$/;

export interface WantedFiles {
  /** Files that must exist (a missing one is a HubNotFoundError, or HubOfflineError offline). */
  required: readonly string[];
  /** Files fetched when the repository has them (one it lacks is recorded under `.no_exist`). */
  optional?: readonly string[];
}

/** `<cache>/models--org--name`, the folder huggingface_hub and huggingface.js use for a model repo. */
export function repoFolder(cacheDir: string, repo: string): string {
  return join(cacheDir, ['models', ...repo.split('/')].join('--'));
}

/**
 * The snapshot folder of `repo@revision` in the cache if it holds every required file and settles every
 * optional one (there, or marked absent under `.no_exist`): a commit id is its own snapshot, a branch or
 * tag goes through `refs/<revision>`. Never touches the network.
 */
export function cachedSnapshot(
  cacheDir: string,
  repo: string,
  revision: string,
  want: WantedFiles,
): string | undefined {
  const storage = repoFolder(cacheDir, repo);
  const ref = join(storage, 'refs', revision);
  const commit = COMMIT.test(revision)
    ? revision
    : existsSync(ref)
      ? readFileSync(ref, 'utf8').trim()
      : undefined;
  if (!commit) return undefined;
  const dir = join(storage, 'snapshots', commit);
  const complete =
    want.required.every((f) => existsSync(join(dir, f))) &&
    (want.optional ?? []).every((f) => snapshotSettles(dir, f));
  return complete ? dir : undefined;
}

/**
 * Make `repo@revision`'s wanted files available in the standard Hugging Face cache layout and return
 * their snapshot folder: a cache hit sends nothing; offline, a miss is a HubOfflineError naming the
 * missing files. Otherwise the revision is resolved to its commit (`/api/models/{repo}/revision/{rev}`),
 * `refs/<revision>` records it, and each file is fetched with `@huggingface/hub` (`resolve`, following
 * the LFS redirect) into `blobs/<etag>`, linked from `snapshots/<commit>/<file>`. A blob is written to
 * a private `<etag>.<pid>.<uuid>.incomplete` first and renamed, so a cut download never leaves a file that looks complete;
 * an optional file the Hub lacks is marked under `.no_exist/<commit>/`, as huggingface_hub does, so a
 * snapshot a cut download left short of an optional file is completed by the next call.
 *
 * (Not `downloadFileToCacheDir`: it prints every download to stdout with `console.debug`, which would
 * corrupt `-f json` output, and names the snapshot after each file's last commit rather than the
 * revision's, so tokenizer.json and tokenizer_config.json could land in different folders.)
 */
export async function downloadToCache(
  repo: string,
  revision: string,
  want: WantedFiles,
  settings: HubSettings,
): Promise<string> {
  const hit = cachedSnapshot(settings.cacheDir, repo, revision, want);
  if (hit) return hit;
  if (settings.offline) {
    // Offline, an optional file a cut download missed cannot be fetched: the required ones are enough.
    const usable = cachedSnapshot(settings.cacheDir, repo, revision, { required: want.required });
    if (usable) return usable;
    const dir = cachedSnapshot(settings.cacheDir, repo, revision, { required: [] });
    const missing = want.required.filter((f) => !dir || !existsSync(join(dir, f)));
    throw new HubOfflineError(repo, revision, missing, settings.cacheDir);
  }
  return withHubDeps(settings, (deps) => fetchToCache(repo, revision, want, settings, deps));
}

async function fetchToCache(
  repo: string,
  revision: string,
  want: WantedFiles,
  settings: HubSettings,
  deps: HubFetchDeps,
): Promise<string> {
  // Loaded on first download only: importing the SDK should not cost the Hub client's start-up.
  const { downloadFile, fileDownloadInfo, modelInfo } = await import('@huggingface/hub');
  // The Hub's headers on its last error answer (one request at a time here), for the error's message.
  let answer: HubErrorAnswer | undefined;
  const secrets = hubSecrets(settings);
  const credentials = {
    hubUrl: settings.hubUrl,
    fetch: hubFetch(settings.hubUrl, settings.timeoutMs, settings.signal, {
      ...deps,
      onErrorAnswer: (a) => (answer = a),
    }),
    ...(settings.token ? { accessToken: settings.token.reveal() } : {}),
  };
  const hadToken = settings.token !== undefined;
  const storage = repoFolder(settings.cacheDir, repo);
  let commit: string;
  try {
    commit = (await modelInfo({ name: repo, revision, additionalFields: ['sha'], ...credentials })).sha;
  } catch (error) {
    throw toHubError(error, `Resolving ${repo}@${revision}`, hadToken, { answer, secrets });
  }
  if (revision !== commit) {
    await makeDirs(join(storage, 'refs'));
    await writeFile(join(storage, 'refs', revision), commit);
  }
  const snapshot = join(storage, 'snapshots', commit);
  for (const path of [...want.required, ...(want.optional ?? [])]) {
    const pointer = join(snapshot, path);
    if (existsSync(pointer)) continue;
    try {
      const info = await fileDownloadInfo({ repo, path, revision: commit, ...credentials });
      if (!info) {
        if (want.required.includes(path))
          throw new HubNotFoundError(`${repo}@${revision} has no file ${path}`);
        // Recorded, so that the next call knows the snapshot is complete without asking the Hub.
        const marker = noExistMarker(snapshot, path);
        await makeDirs(dirname(marker));
        await writeFile(marker, '');
        continue;
      }
      const blob = join(storage, 'blobs', info.etag.replace(/^W\//, '').replaceAll('"', ''));
      if (!existsSync(blob))
        await writeBlob(
          blob,
          await downloadFile({ repo, path, revision: commit, downloadInfo: info, ...credentials }),
        );
      await link(blob, pointer);
    } catch (error) {
      throw toHubError(error, `Downloading ${path} of ${repo}@${revision}`, hadToken, {
        answer,
        secrets,
        repoPage: `${settings.hubUrl}/${repo}`,
      });
    }
  }
  return snapshot;
}

async function writeBlob(path: string, blob: Blob | null): Promise<void> {
  if (!blob) throw new HubNotFoundError(`The Hub did not serve ${path}`);
  await makeDirs(dirname(path));
  // Unique per writer: two processes filling the same cache never write into one file.
  const incomplete = `${path}.${process.pid}.${randomUUID()}.incomplete`;
  await writeAtomically(path, incomplete, Readable.fromWeb(blob.stream() as NodeReadableStream<Uint8Array>));
}

/** A relative symlink `snapshots/<commit>/<file>` → `../../blobs/<etag>`, or a copy where links are not allowed. */
async function link(blob: string, pointer: string): Promise<void> {
  await makeDirs(dirname(pointer));
  await rm(pointer, { force: true }); // a dangling link left by an interrupted run
  try {
    await symlink(relative(dirname(pointer), blob), pointer);
  } catch {
    await copyFile(blob, pointer);
  }
}
