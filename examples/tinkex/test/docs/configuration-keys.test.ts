import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, ValidationError } from 'pristine-kernel';
import { DEFAULT_SAMPLING_RETRY } from '../../src/client/sampling-retry-config.js';
import { OPTION_NAMES } from '../../src/config-checks.js';
import { DEFAULT_BASE_URL, resolveConfig } from '../../src/config.js';
import { ServiceClient } from '../../src/index.js';
import { DEFAULT_HUB_URL, hubSettings } from '../../src/hub/hub-settings.js';
import { cellValue, docText, markdownTable } from './doc-tables.js';

const DOC = docText('docs/configuration.md');
const table = (heading: string) => markdownTable(DOC, heading);
const valueOf = cellValue;

/**
 * Found on review: `shared` (fleet-wide limits through Redis) was missing from docs/configuration.md, so
 * a reader of the configuration page could not find it. Every ServiceClient option is named there, and
 * each key of `shared` has a row (type, default, meaning) that matches what the code does.
 */
describe('docs/configuration.md names every ServiceClient option', () => {
  it.each([...OPTION_NAMES])('`%s`', (name) => {
    expect(DOC).toContain(`\`${name}\``);
  });

  it('documents each key of `shared` with its type and default, as the code checks them', () => {
    const rows = table('### Fleet-wide limits (`shared`)');
    expect([...rows.keys()]).toEqual(['`shared.redis`', '`shared.on_unavailable`', '`shared.cluster`']);
    expect(rows.get('`shared.cluster`')!.slice(0, 2)).toEqual(['boolean', '`false`']);
    expect(rows.get('`shared.redis`')!.slice(0, 2)).toEqual([
      'string (`redis://` or `rediss://` URL), or with `shared.cluster` a list of them',
      '— (required)',
    ]);
    // The list form, as the row says: seeds of a cluster, refused without `cluster`.
    const seeds = ['redis://a:7000', 'redis://b:7000'];
    expect(
      resolveConfig({ api_key: 'tml-docs', env: {}, shared: { redis: seeds, cluster: true } }),
    ).toMatchObject({
      shared_cluster: true,
    });
    // The seeds' rules are the kernel's, checked as the client is made (round 31: not copied in Tinkex).
    const client = (shared: object) =>
      new ServiceClient({ api_key: 'tml-docs', base_url: 'http://127.0.0.1:9', shared } as never);
    expect(() => client({ redis: seeds })).toThrow(/\/shared\/redis: .*\(cluster\)/);
    expect(rows.get('`shared.on_unavailable`')!.slice(0, 2)).toEqual([
      "`'local'` or `'reject'`",
      "`'local'`",
    ]);
    const base = { api_key: 'tml-docs', env: {} };
    // What the rows say is what the code does: the default, the accepted values and the refusals.
    expect(resolveConfig({ ...base, shared: { redis: 'rediss://h:6380' } })).toMatchObject({
      shared_on_unavailable: undefined, // the kernel's default: 'local'
      shared_cluster: false,
    });
    expect(resolveConfig({ ...base, shared: { redis: 'redis://h', cluster: true } })).toMatchObject({
      shared_cluster: true,
    });
    expect(() =>
      resolveConfig({ ...base, shared: { redis: 'redis://h', cluster: 'yes' as unknown as boolean } }),
    ).toThrow(/shared\/cluster/);
    expect(() => client({ redis: 'http://h' })).toThrow(ValidationError);
    expect(() => client({ redis: 'http://h' })).toThrow(/\/shared\/redis: .*\(format\)/);
    expect(() =>
      resolveConfig({ ...base, shared: { redis: 'redis://h', on_unavailable: 'open' as 'local' } }),
    ).toThrow(/shared\/on_unavailable/);
  });

  it('refuses a key of `shared` that does not exist instead of ignoring it', () => {
    const options = { api_key: 'tml-docs', env: {}, shared: { redis: 'redis://h', onUnavailable: 'reject' } };
    expect(() => resolveConfig(options as never)).toThrow(
      /shared\/onUnavailable.*is not a shared option \(did you mean "on_unavailable"\?\)/,
    );
  });
});

/** Every `env.NAME` a package's sources read. */
function envVarsReadBy(dir: string): Set<string> {
  const names = new Set<string>();
  const src = fileURLToPath(new URL(`../../../../${dir}/src`, import.meta.url));
  for (const file of readdirSync(src, { recursive: true }) as string[]) {
    if (!file.endsWith('.ts')) continue;
    // `env.NAME`, and `envValue(env, 'NAME', …)` (the reads that warn about a value they cannot use).
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(/env\??\.([A-Z][A-Z0-9_]+)|envValue\(\s*env,\s*'([A-Z][A-Z0-9_]+)'/g))
      names.add(m[1] ?? m[2]);
    // `env[WAIT_VAR]` with `const WAIT_VAR = 'NAME'` (found in round 38: the CLI's
    // TINKEX_TRACE_EXPORT_WAIT_MS was read so, and missing from the table).
    for (const [, constant] of text.matchAll(/env\[([A-Z][A-Z0-9_]+)\]/g)) {
      const value = new RegExp(`const ${constant} = '([A-Z][A-Z0-9_]+)'`).exec(text)?.[1];
      if (value) names.add(value);
    }
  }
  return names;
}

/**
 * Found on review (round 25): the defaults in docs/configuration.md were prose, checked by nobody, and
 * its stuck-detection message had drifted from the code's. Each table of defaults is now compared with
 * the values the code resolves when nothing is given.
 */
describe('docs/configuration.md states the defaults the code applies', () => {
  const base = { api_key: 'tml-docs', env: {} };

  it('"Other constructor options": every row is an option, and its default is the resolved one', () => {
    const rows = table('Other constructor options');
    const resolved = resolveConfig(base);
    const code: Record<string, unknown> = {
      timeout_ms: resolved.timeout_ms,
      max_retries: resolved.max_retries,
      user_metadata: resolved.user_metadata,
      default_headers: resolved.default_headers,
      heartbeat_interval_ms: resolved.heartbeat_interval_ms,
      sample_dispatch_concurrency: resolved.sample_dispatch_concurrency,
      poll_backoff: resolved.poll_backoff === undefined ? 'none' : resolved.poll_backoff,
      circuit_breaker: resolved.circuit_breaker,
      sample_throttle: resolved.sample_throttle,
    };
    for (const [cell, [defaultCell]] of rows) {
      const name = cell.replaceAll('`', '');
      expect(OPTION_NAMES.has(name)).toBe(true);
      if (name in code) expect([name, valueOf(defaultCell)]).toEqual([name, code[name]]);
    }
    expect([...rows.keys()].map((c) => c.replaceAll('`', ''))).toEqual(
      expect.arrayContaining(Object.keys(code)),
    );
    // `circuit_breaker: true` means the values the row names.
    expect(rows.get('`circuit_breaker`')![1]).toContain(
      '`{ failure_threshold: 5, reset_timeout_ms: 30_000 }`',
    );
    expect(resolveConfig({ ...base, circuit_breaker: true }).circuit_breaker).toEqual({
      consecutiveFailures: 5,
      halfOpenAfterMs: 30_000,
    });
  });

  it("`retry_config`: one row per key of the sampler's RetryConfig, with its default", () => {
    const rows = table("`createSamplingClient`'s `retry_config` takes");
    const documented = Object.fromEntries(
      [...rows].map(([cell, [defaultCell]]) => [cell.replaceAll('`', ''), valueOf(defaultCell)]),
    );
    expect(documented).toEqual({ ...DEFAULT_SAMPLING_RETRY });
  });

  it("the kernel options table gives createKernel's defaults", async () => {
    const rows = table('## Kernel options');
    const kernel = createKernel();
    try {
      for (const [name, value] of Object.entries(kernel.settings)) {
        const row = rows.get(`\`${name}\``);
        expect([name, row && valueOf(row[0].replace(/^`(strict|x-request-id)`$/, "`'$1'`"))]).toEqual([
          name,
          value,
        ]);
      }
    } finally {
      await kernel.close();
    }
  });

  it('the environment variable table lists every variable Tinkex and the emulator read, and no other', () => {
    const rows = table('## Tinkex environment variables');
    const listed = [...rows.keys()].flatMap((cell) => cell.split(', ').map((v) => v.replaceAll('`', '')));
    const read = new Set([...envVarsReadBy('examples/tinkex'), ...envVarsReadBy('examples/tinker-emulator')]);
    // Read, and documented in a row of another variable (legacy names, the base of a default), or standard.
    const inOtherRows = ['HUGGING_FACE_HUB_TOKEN', 'HUGGINGFACE_HUB_CACHE', 'XDG_CACHE_HOME'];
    for (const name of inOtherRows) expect(DOC).toContain(name);
    const notListed = [...read].filter(
      (v) => !listed.includes(v) && !inOtherRows.includes(v) && v !== 'TERM',
    );
    expect(notListed).toEqual([]);
    const neverRead = listed.filter(
      (v) => !read.has(v) && !['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'].includes(v),
    );
    expect(neverRead).toEqual([]);
  });

  it('the environment variable table gives the defaults the code applies', () => {
    const rows = table('## Tinkex environment variables');
    const resolved = resolveConfig(base);
    const hub = hubSettings({ env: {} });
    const defaults: Record<string, string> = {
      TINKER_PROTOCOL: `\`${resolved.protocol}\``,
      TINKER_BASE_URL: `\`${DEFAULT_BASE_URL}\``,
      TINKER_TAGS: `\`${JSON.stringify(resolved.tags)}\``,
      TINKER_TELEMETRY: resolved.telemetry ? 'on' : 'off',
      TINKER_LOG: `\`${resolved.log_level}\``,
      TINKEX_DEFAULT_QUERY: `\`${JSON.stringify(resolved.default_query)}\``,
      TINKEX_POLL_BACKOFF: resolved.poll_backoff === undefined ? '`none`' : 'on',
      HF_ENDPOINT: `\`${DEFAULT_HUB_URL}\``,
      HF_HUB_OFFLINE: hub.offline ? 'on' : 'off',
      HF_HUB_DOWNLOAD_TIMEOUT: `${hub.timeoutMs / 1000} (s)`,
    };
    for (const [name, value] of Object.entries(defaults)) {
      expect([name, rows.get(`\`${name}\``)?.[1]]).toEqual([name, value]);
    }
  });
});
