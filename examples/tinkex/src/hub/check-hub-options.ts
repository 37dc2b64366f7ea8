import { OptionChecks, Secret, optionNames } from 'pristine-kernel';
import type { HubOptions } from './hub-settings.js';

const HUB_OPTION_NAMES = optionNames<HubOptions>({
  hubUrl: true,
  token: true,
  tokenPath: true,
  cacheDir: true,
  offline: true,
  timeoutMs: true,
  signal: true,
  env: true,
  transport: true,
  clock: true,
  proxy: true,
  logger: true,
});

/**
 * A client's `getTokenizer(options)` options, checked before its `get_info` request: a misspelt key
 * (`offine: true`) would be dropped and the Hub asked anyway, a NaN `timeoutMs` would bound nothing, and
 * `null` was a TypeError. The token is never echoed.
 */
export function checkHubOptions(options: HubOptions | undefined, where: string): HubOptions {
  const o = OptionChecks.optionsObject(where, options, { names: HUB_OPTION_NAMES, what: 'a Hub option' });
  hubOptionChecks(where, o).throwIfAny();
  return o;
}

/** The Hub options and `extra`, for `OptionChecks.optionsObject` of a function that takes both. */
export function withHubOptions(extra: ReadonlySet<string>, what: string) {
  return { names: new Set([...HUB_OPTION_NAMES, ...extra]), what };
}

/**
 * The rules of each Hub option, collected (not thrown) so that a function taking more options than the
 * Hub's adds its own rules and reports every problem in one ValidationError.
 */
export function hubOptionChecks(where: string, o: HubOptions): OptionChecks {
  const checks = new OptionChecks(where)
    .url('hubUrl', o.hubUrl)
    .string('tokenPath', o.tokenPath)
    .string('cacheDir', o.cacheDir)
    .boolean('offline', o.offline)
    .duration('timeoutMs', o.timeoutMs)
    .signal('signal', o.signal)
    .string('proxy', o.proxy);
  if (o.token !== undefined && typeof o.token !== 'string' && !(o.token instanceof Secret))
    checks.fail('token', 'type', 'must be a string or a Secret');
  for (const key of ['env', 'transport', 'clock', 'logger'] as const) checks.object(key, o[key]);
  return checks;
}
