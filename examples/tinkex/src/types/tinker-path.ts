import { ValidationError } from 'pristine';

export interface ParsedTinkerPath {
  tinker_path: string;
  training_run_id: string;
  checkpoint_type: 'training' | 'sampler';
  /** `weights/<name>` or `sampler_weights/<name>`, as the REST paths use it. */
  checkpoint_id: string;
}

/** Parse `tinker://RUN/weights/NAME` or `tinker://RUN/sampler_weights/NAME`, as the Python SDK does. */
export function parseTinkerPath(path: string): ParsedTinkerPath {
  const fail = (rule: string, message: string) =>
    ValidationError.field('tinker path', '/tinker_path', rule, message);
  if (typeof path !== 'string' || !path.startsWith('tinker://'))
    throw fail('prefix', 'must start with "tinker://"');
  const parts = path.slice('tinker://'.length).split('/');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw fail(
      'format',
      'must look like tinker://<run>/weights/<name> or tinker://<run>/sampler_weights/<name>',
    );
  }
  const [run, kind, name] = parts;
  if (kind !== 'weights' && kind !== 'sampler_weights')
    throw fail('enum', 'the middle part must be "weights" or "sampler_weights"');
  return {
    tinker_path: path,
    training_run_id: run,
    checkpoint_type: kind === 'weights' ? 'training' : 'sampler',
    checkpoint_id: `${kind}/${name}`,
  };
}
