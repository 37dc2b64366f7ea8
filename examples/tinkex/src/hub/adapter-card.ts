import type { ParsedTinkerPath } from '../types/tinker-path.js';

/** What `weights_info` tells about the adapter (all optional: the card says what is known). */
export interface AdapterInfo {
  base_model: string;
  lora_rank?: number | null;
  train_mlp?: boolean | null;
  train_attn?: boolean | null;
  train_unembed?: boolean | null;
}

/** `tinker checkpoint push-hf`'s repo-name rule: `[A-Za-z0-9_.-]` kept, others `-`, runs of `-` collapsed, ends trimmed. */
export function sanitizeRepoName(value: string): string {
  return value
    .replace(/[^\p{L}\p{N}_.-]/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_ .]+|[-_ .]+$/g, '');
}

/**
 * Where to push when the caller does not say (as `tinker checkpoint push-hf`): repo
 * `tinker-<base model's last segment, or "adapter">-<run id>` and, then, the checkpoint id as the revision.
 * A given repo without a revision goes to `main`.
 */
export function destination(
  parsed: ParsedTinkerPath,
  baseModel: string,
  repo?: string,
  revision?: string,
): { repo: string; revision: string } {
  if (repo !== undefined) return { repo, revision: revision ?? 'main' };
  const short = baseModel !== 'unknown' ? (baseModel.split('/').at(-1) ?? baseModel) : 'adapter';
  return {
    repo: sanitizeRepoName(`tinker-${short}-${parsed.training_run_id}`),
    revision: revision ?? sanitizeRepoName(parsed.checkpoint_id.replaceAll('/', '-')),
  };
}

/**
 * `adapter_config.json` with `base_model_name_or_path` set when it is not a string yet, written as
 * Python's `json.dumps(indent=2, sort_keys=True)` + newline; undefined when nothing changes (or not JSON).
 */
export function patchAdapterConfig(text: string, baseModel: string): string | undefined {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof config.base_model_name_or_path === 'string') return undefined;
  config.base_model_name_or_path = baseModel;
  return `${JSON.stringify(sortKeys(config), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** The README.md model card `tinker checkpoint push-hf` writes, line for line. */
export function modelCard(tinkerPath: string, repo: string, info: AdapterInfo): string {
  const base = info.base_model;
  const tags = ['tinker', 'peft', 'lora', ...(base !== 'unknown' ? [`base_model:adapter:${base}`] : [])];
  const lines = [
    '---',
    `base_model: ${base}`,
    'library_name: peft',
    'tags:',
    ...tags.map((t) => `- ${t}`),
    `tinker_path: ${tinkerPath}`,
    '---',
    '',
    '# Tinker LoRA Adapter',
    '',
    'This repository contains a LoRA adapter exported from Tinker.',
    '',
    '## Usage',
    '',
    '```python',
    'from transformers import AutoModelForCausalLM',
    '',
    `adapter_id = "${repo}"`,
    `base_model = "${base}"`,
    '',
    'model = AutoModelForCausalLM.from_pretrained(adapter_id, device_map="auto")',
    '```',
    '',
    '## Source',
    '',
    '```',
    tinkerPath,
    '```',
    '',
    '## Details',
    '',
    `- Base model: ${base}`,
  ];
  const py = (v: boolean | null | undefined) => (v === true ? 'True' : v === false ? 'False' : 'None');
  if (info.lora_rank != null) lines.push(`- LoRA rank: ${info.lora_rank}`);
  if (info.train_mlp != null || info.train_attn != null || info.train_unembed != null)
    lines.push(
      `- Trained modules: attn=${py(info.train_attn)}, mlp=${py(info.train_mlp)}, unembed=${py(info.train_unembed)}`,
    );
  lines.push('');
  return lines.join('\n');
}

/** The first `tinker://…` path in a README (how the CLI recognises which checkpoint a repo holds). */
export function readmeTinkerPath(readme: string): string | undefined {
  return /tinker:\/\/[^\s`]+/.exec(readme)?.[0];
}
