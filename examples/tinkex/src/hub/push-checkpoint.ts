import { createHash } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommitOperation, ListFileEntry } from '@huggingface/hub';
import { OptionChecks, ValidationError, optionNames } from 'pristine-kernel';
import { RestClient } from '../client/rest-client.js';
import { downloadCheckpoint } from '../download/checkpoint-download.js';
import { parseTinkerPath, type ParsedTinkerPath } from '../types/tinker-path.js';
import {
  destination,
  modelCard,
  patchAdapterConfig,
  readmeTinkerPath,
  type AdapterInfo,
} from './adapter-card.js';
import { hubOptionChecks, withHubOptions } from './check-hub-options.js';
import { HubAuthError, HubOverwriteError, toHubError } from './hub-errors.js';
import { hubFetch, type HubErrorAnswer } from './hub-fetch.js';
import { hubSecrets, hubSettings, withHubDeps, type HubOptions, type HubSettings } from './hub-settings.js';
import { filterPaths, listFilesRecursive } from './upload-patterns.js';

export interface PushCheckpointOptions extends HubOptions {
  /** `org/name` or `name` (then in the token owner's namespace); default `tinker-<base>-<run id>`. */
  repo_id?: string;
  /** Branch to commit to (created from main when missing); default `main`, or the checkpoint id without `repo_id`. */
  revision?: string;
  /** Create the repository public (default private). An existing repository keeps its visibility. */
  public?: boolean;
  /** Default `Upload adapter from <tinker_path>`. */
  commit_message?: string;
  /** Open a pull request instead of committing to the branch. */
  create_pr?: boolean;
  /** Only files matching one of these (Python fnmatch) are uploaded. */
  allow_patterns?: string[];
  /** Files matching these are not; without allow patterns, `checkpoint_complete` is ignored too. */
  ignore_patterns?: string[];
  /** Write a README.md model card when the checkpoint has none (default true). */
  add_model_card?: boolean;
  /** Replace files that exist with different content, or a repo holding another checkpoint (default false). */
  overwrite?: boolean;
  onProgress?: (event: PushProgress) => void;
}

/** Where a push is: the checkpoint download, then `@huggingface/hub`'s commit phases and per-file progress (0–1). */
export type PushProgress =
  | { phase: 'downloading'; downloadedBytes: number; totalBytes: number }
  | { phase: 'preuploading' | 'uploadingLargeFiles' | 'committing' }
  | { phase: 'hashing' | 'uploading'; file: string; progress: number };

export interface PushCheckpointResult {
  checkpoint_path: string;
  repo_id: string;
  revision: string;
  public: boolean;
  files: string[];
  commit_oid?: string;
  commit_url?: string;
  pull_request_url?: string;
  /** The Hub already had every file as it is: nothing was committed (no empty commit, as huggingface_hub). */
  unchanged?: boolean;
}

/** Uploads and commits may take long on a slow link: a bound per answer / per body chunk, as Elixir's 120 s. */
const PUSH_TIMEOUT_MS = 120_000;

/**
 * Publish a LoRA checkpoint on the Hugging Face Hub as a PEFT adapter (Python `tinker checkpoint push-hf`,
 * Elixir `HuggingFace.push_checkpoint_adapter`): check the token (`whoami`), download the checkpoint
 * (the safe download), require `adapter_config.json`, `adapter_model.safetensors|.bin` and
 * `checkpoint_complete`, set the config's base model, write a model card, create the repository or reuse
 * it, and commit the files with `@huggingface/hub` (large and binary files through the LFS flow).
 * Nothing is replaced unless `overwrite`: files that exist with other content, or a README that names
 * another checkpoint, are a HubOverwriteError before anything is uploaded. Temporary files are removed.
 */
export async function pushCheckpointToHub(
  rest: RestClient,
  tinker_path: string,
  options: PushCheckpointOptions = {},
): Promise<PushCheckpointResult> {
  const parsed = parseTinkerPath(tinker_path);
  checkOptions(options);
  const settings = hubSettings(RestClient.hubOptionsOf(rest, options), PUSH_TIMEOUT_MS);
  if (!settings.token)
    throw new HubAuthError(
      'missing',
      `Pushing to the Hugging Face Hub needs a token: set HF_TOKEN (looked in: ${settings.tokenSources.join(', ')})`,
    );
  const token = settings.token.reveal();
  // The Hub's headers on its last error answer, for the error's message (see toHubError).
  const said: { answer?: HubErrorAnswer } = {};
  return withHubDeps(settings, (deps) =>
    push(rest, tinker_path, parsed, options, settings, said, {
      hubUrl: settings.hubUrl,
      accessToken: token,
      fetch: hubFetch(settings.hubUrl, settings.timeoutMs, settings.signal, {
        ...deps,
        onErrorAnswer: (answer) => (said.answer = answer),
      }),
    }),
  );
}

async function push(
  rest: RestClient,
  tinker_path: string,
  parsed: ParsedTinkerPath,
  options: PushCheckpointOptions,
  settings: HubSettings,
  said: { answer?: HubErrorAnswer },
  hub: Hub,
): Promise<PushCheckpointResult> {
  const { commitIter, createRepo, whoAmI } = await import('@huggingface/hub');
  const secrets = hubSecrets(settings);
  const fail = (what: string) => (error: unknown) => {
    throw toHubError(error, what, true, { answer: said.answer, secrets });
  };
  const me = await whoAmI(hub).catch(fail('Checking the Hugging Face token'));
  const work = await mkdtemp(join(tmpdir(), 'tinkex-push-hf-'));
  try {
    const checkpoint = await downloadCheckpoint(rest, tinker_path, {
      output_dir: work,
      signal: settings.signal,
      onProgress: (p) => options.onProgress?.({ phase: 'downloading', ...p }),
    });
    const dir = checkpoint.destination;
    await requireAdapter(dir, checkpoint.files, tinker_path);
    // The base model only names things (the card, the default repo): unknown is fine, unless the push
    // was stopped. Without the signal, Ctrl-C against a hung server waited out this call's retries.
    const info: AdapterInfo = await rest
      .getWeightsInfoByTinkerPath(tinker_path, { signal: settings.signal })
      .catch((error: unknown) => {
        if (settings.signal?.aborted) throw error;
        return { base_model: 'unknown' };
      });
    const configPath = join(dir, 'adapter_config.json');
    const patched = patchAdapterConfig(await readFile(configPath, 'utf8'), info.base_model);
    if (patched !== undefined) await writeFile(configPath, patched);
    const target = destination(parsed, info.base_model, options.repo_id, options.revision);
    const repo = target.repo.includes('/') ? target.repo : `${me.name}/${target.repo}`;
    const revision = target.revision;
    if ((options.add_model_card ?? true) && !checkpoint.files.includes('README.md'))
      await writeFile(join(dir, 'README.md'), modelCard(tinker_path, repo, info));
    const isPublic = options.public ?? false;
    await createRepo({ ...hub, repo, private: !isPublic }).catch((error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 409) fail(`Creating ${repo}`)(error);
    });
    const branchExists = await ensureBranch(hub, repo, revision, options.create_pr ?? false).catch(
      fail(`Creating branch ${revision} of ${repo}`),
    );

    const ignore = [...(options.ignore_patterns ?? [])];
    if (!options.allow_patterns?.length && !ignore.includes('checkpoint_complete'))
      ignore.push('checkpoint_complete');
    const files = filterPaths(await listFilesRecursive(dir), options.allow_patterns, ignore);
    if (files.length === 0)
      throw ValidationError.field(
        'push_hf',
        '/allow_patterns',
        'matches',
        'No files matched the selected upload patterns',
      );
    const unchanged =
      branchExists && !options.overwrite
        ? await refuseOverwrite(hub, repo, revision, dir, files, tinker_path).catch(
            fail(`Reading ${repo}@${revision}`),
          )
        : new Set<string>();
    // Files the Hub has as they are are left out of the commit; with none left there is no commit.
    const changed = files.filter((path) => !unchanged.has(path));
    const pushed = { checkpoint_path: tinker_path, repo_id: repo, revision, public: isPublic, files };
    if (changed.length === 0) return { ...pushed, unchanged: true };

    const operations: CommitOperation[] = await Promise.all(
      changed.map(async (path) => ({
        operation: 'addOrUpdate' as const,
        path,
        content: await openAsBlob(join(dir, path)),
      })),
    );
    const commits = commitIter({
      ...hub,
      repo,
      operations,
      title: options.commit_message ?? `Upload adapter from ${tinker_path}`,
      branch: revision,
      isPullRequest: options.create_pr ?? false,
      useXet: false,
      ...(settings.signal ? { abortSignal: settings.signal } : {}),
    });
    let step = await commits.next().catch(fail(`Uploading to ${repo}@${revision}`));
    while (!step.done) {
      const event = step.value;
      if (event.event === 'phase') options.onProgress?.({ phase: event.phase });
      else if (event.state !== 'error')
        options.onProgress?.({ phase: event.state, file: event.path, progress: event.progress });
      step = await commits.next().catch(fail(`Uploading to ${repo}@${revision}`));
    }
    return {
      ...pushed,
      ...(step.value?.commit ? { commit_oid: step.value.commit.oid, commit_url: step.value.commit.url } : {}),
      ...(step.value?.pullRequestUrl ? { pull_request_url: step.value.pullRequestUrl } : {}),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

type Hub = { hubUrl: string; accessToken: string; fetch: typeof fetch };

const PUSH_OPTIONS = withHubOptions(
  optionNames<Omit<PushCheckpointOptions, keyof HubOptions>>({
    repo_id: true,
    revision: true,
    public: true,
    commit_message: true,
    create_pr: true,
    allow_patterns: true,
    ignore_patterns: true,
    add_model_card: true,
    overwrite: true,
    onProgress: true,
  }),
  'a pushCheckpointToHub option',
);

/** A misspelt `createPr` would commit to the branch, a misspelt `revison` to another branch: refused by name. */
function checkOptions(given: PushCheckpointOptions): void {
  const options = OptionChecks.optionsObject('push_hf', given, PUSH_OPTIONS);
  hubOptionChecks('push_hf', options).throwIfAny();
  const repo = options.repo_id;
  if (repo !== undefined && !/^([\w.-]+\/)?[\w.-]+$/.test(repo))
    throw ValidationError.field(
      'push_hf',
      '/repo_id',
      'repo-id',
      `"${repo}" is not a Hugging Face repo id (org/name)`,
    );
  if (options.revision !== undefined && !/^[^\s~^:?*[\\]+$/.test(options.revision))
    throw ValidationError.field(
      'push_hf',
      '/revision',
      'git-ref',
      `"${options.revision}" is not a valid branch name`,
    );
  for (const key of ['allow_patterns', 'ignore_patterns'] as const) {
    const list = options[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((p) => typeof p !== 'string')))
      throw ValidationError.field('push_hf', `/${key}`, 'string-array', `${key} must be an array of strings`);
  }
}

/** The files of a PEFT adapter, as `tinker checkpoint push-hf` requires them. */
async function requireAdapter(dir: string, files: string[], tinker_path: string): Promise<void> {
  const has = (name: string) => files.includes(name);
  if (!has('adapter_config.json') || !(has('adapter_model.safetensors') || has('adapter_model.bin')))
    throw ValidationError.field(
      'push_hf',
      '/tinker_path',
      'peft-adapter',
      `${tinker_path} does not contain a PEFT adapter: expected adapter_config.json and adapter_model.safetensors (or adapter_model.bin)`,
    );
  if (!has('checkpoint_complete') || !(await stat(join(dir, 'checkpoint_complete'))).isFile())
    throw ValidationError.field(
      'push_hf',
      '/tinker_path',
      'complete',
      `${tinker_path} is missing 'checkpoint_complete': the adapter files may be incomplete`,
    );
}

/** Whether `revision` already existed; a missing branch is created from main (unless this is a PR). */
async function ensureBranch(hub: Hub, repo: string, revision: string, createPr: boolean): Promise<boolean> {
  const { createBranch, modelInfo } = await import('@huggingface/hub');
  try {
    await modelInfo({ ...hub, name: repo, revision });
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  if (!createPr) await createBranch({ ...hub, repo, branch: revision });
  return false;
}

/**
 * Refuse (HubOverwriteError) when a file would change, or the README names another checkpoint; else
 * the files the Hub already has with this content.
 */
async function refuseOverwrite(
  hub: Hub,
  repo: string,
  revision: string,
  dir: string,
  files: string[],
  tinker_path: string,
): Promise<Set<string>> {
  const { downloadFile, listFiles } = await import('@huggingface/hub');
  const remote = new Map<string, ListFileEntry>();
  for await (const entry of listFiles({ ...hub, repo, revision, recursive: true }))
    remote.set(entry.path, entry);
  const readme = remote.get('README.md');
  if (readme) {
    const text = await (await downloadFile({ ...hub, repo, path: 'README.md', revision }))?.text();
    const other = text === undefined ? undefined : readmeTinkerPath(text);
    if (other && other !== tinker_path)
      throw new HubOverwriteError(
        repo,
        ['README.md'],
        `${repo}@${revision} appears to contain a different Tinker checkpoint: found ${other}, expected ${tinker_path}. ` +
          'Pass overwrite: true (--overwrite) to replace it.',
      );
  }
  const changed: string[] = [];
  const same = new Set<string>();
  for (const path of files) {
    const there = remote.get(path);
    if (!there) continue;
    const local = await readFile(join(dir, path));
    const identical = there.lfs
      ? createHash('sha256').update(local).digest('hex') === there.lfs.oid
      : gitBlobOid(local) === there.oid;
    if (identical) same.add(path);
    else changed.push(path);
  }
  if (changed.length > 0)
    throw new HubOverwriteError(
      repo,
      changed,
      `${repo}@${revision} already has ${changed.join(', ')} with different content; nothing was uploaded. ` +
        'Pass overwrite: true (--overwrite) to replace them.',
    );
  return same;
}

/** Git's blob id (the Hub's `oid` of a regular file): sha1 of `blob <size>\0<content>`. */
function gitBlobOid(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}
