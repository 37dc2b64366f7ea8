import { OptionChecks, optionNames } from 'pristine-kernel';
import { parseTinkerPath } from '../types/tinker-path.js';
import type { ClientHost } from './client-host.js';
import { checkWeightsAccessToken } from './weights-access-token.js';

/**
 * The bodies of TrainingClient's checkpoint requests (`save_weights`, `save_weights_for_sampler`,
 * `load_weights`) built from the caller's options: an option the method does not take is refused by
 * name, and each given value is sent (or checked) rather than dropped.
 */

export interface SaveStateOptions {
  ttl_seconds?: number;
  overwrite?: boolean;
}

export interface SamplerSaveOptions {
  ttl_seconds?: number;
}

export interface LoadStateOptions {
  /** A credential of the account that owns the checkpoint; sent only in the body, never logged. */
  weights_access_token?: string;
}

const SAVE_STATE_OPTIONS = {
  names: optionNames<SaveStateOptions>({ ttl_seconds: true, overwrite: true }),
  what: 'a saveState option',
};
const SAMPLER_SAVE_OPTIONS = {
  names: optionNames<SamplerSaveOptions>({ ttl_seconds: true }),
  what: 'a saveWeightsForSampler option',
};
const LOAD_STATE_OPTIONS = {
  names: optionNames<LoadStateOptions>({ weights_access_token: true }),
  what: 'a loadState option',
};

export function saveStateBody(name: string, options: SaveStateOptions | undefined) {
  const opts = OptionChecks.optionsObject('saveState options', options, SAVE_STATE_OPTIONS);
  return {
    path: name,
    // 0 is checked too, so the schema refuses it by name (minimum 1) instead of dropping it.
    ...(opts.ttl_seconds !== undefined ? { ttl_seconds: opts.ttl_seconds } : {}),
    ...(opts.overwrite !== undefined ? { overwrite: opts.overwrite } : {}),
  };
}

export function samplerSaveBody(name: string, options: SamplerSaveOptions | undefined) {
  const opts = OptionChecks.optionsObject('saveWeightsForSampler options', options, SAMPLER_SAVE_OPTIONS);
  return {
    path: name,
    // 0 is checked too, so the schema refuses it by name (minimum 1) instead of dropping it.
    ...(opts.ttl_seconds !== undefined ? { ttl_seconds: opts.ttl_seconds } : {}),
  };
}

/** The token goes on the wire only in the body, and is scrubbed from logs and errors (`secrets`). */
export function loadStateBody(
  path: string,
  optimizer: boolean,
  options: LoadStateOptions | undefined,
  kernel: ClientHost['kernel'],
) {
  parseTinkerPath(path);
  const opts = OptionChecks.optionsObject('load state options', options, LOAD_STATE_OPTIONS);
  const body = { path, optimizer };
  const token = checkWeightsAccessToken(opts.weights_access_token, 'load state options');
  if (token === undefined) return body;
  kernel.getServices().secrets.add(token);
  return { ...body, weights_access_token: token };
}
