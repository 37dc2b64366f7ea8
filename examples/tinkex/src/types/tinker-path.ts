import { ValidationError } from 'pristine-kernel';
import type { CheckpointType } from './checkpoints.js';

const PREFIX = 'tinker://';
const DOT_SEGMENTS: ReadonlySet<string> = new Set(['.', '..']);

export interface ParsedTinkerPath {
  tinker_path: string;
  training_run_id: string;
  checkpoint_type: CheckpointType;
  /** `weights/<name>` or `sampler_weights/<name>`, as the REST paths use it. */
  checkpoint_id: string;
}

/**
 * Parse `tinker://<run>/weights/<name>` or `tinker://<run>/sampler_weights/<name>` the way
 * `ParsedCheckpointTinkerPath.from_tinker_path` does: exactly three `/`-separated parts after the
 * scheme, the middle one naming the kind. Unlike Python, empty, `.` and `..` parts are refused too,
 * since they would address a different URL. Failures are ValidationErrors (category `user`), so nothing is sent.
 */
export function parseTinkerPath(path: string): ParsedTinkerPath {
  const fail = (rule: string, message: string) =>
    ValidationError.field(
      'tinker path',
      '/tinker_path',
      rule,
      `Invalid tinker path ${typeof path === 'string' ? JSON.stringify(path) : `(a ${typeof path})`}: ${message}`,
    );
  if (typeof path !== 'string' || !path.startsWith(PREFIX))
    throw fail('prefix', 'it must start with "tinker://"');
  const parts = path.slice(PREFIX.length).split('/');
  if (parts.length !== 3) {
    throw fail(
      'format',
      'expected tinker://<run_id>/weights/<name> or tinker://<run_id>/sampler_weights/<name>',
    );
  }
  const [run, kind, name] = parts;
  if (kind !== 'weights' && kind !== 'sampler_weights')
    throw fail('enum', `the checkpoint kind must be "weights" or "sampler_weights", got "${kind}"`);
  if (run.length === 0 || name.length === 0)
    throw fail('format', 'the run id and the checkpoint name must not be empty');
  // `tinker://../weights/x` would address `/training_runs/../checkpoints/…` once the URL is normalised.
  if (DOT_SEGMENTS.has(run) || DOT_SEGMENTS.has(name))
    throw fail('dot-segment', 'the run id and the checkpoint name may not be "." or ".."');
  return {
    tinker_path: path,
    training_run_id: run,
    checkpoint_type: kind === 'weights' ? 'training' : 'sampler',
    checkpoint_id: `${kind}/${name}`,
  };
}
