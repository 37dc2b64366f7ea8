import { printsAs } from './prints-as.js';
import { REDACTED, redactHeaders } from './redact.js';

interface Printable {
  headers?: { static?: Record<string, string> };
  secrets?: ReadonlyArray<unknown>;
}

/**
 * Make a plugin print (inspect, console.log, JSON) with its static credential headers and its listed
 * `secrets` masked, as the kernel's logs show them: an author printing the plugin while debugging
 * would otherwise show a key read from the environment. The kernel reads the real values.
 */
export function printedRedacted<P extends object>(plugin: P): P {
  return printsAs(plugin, () => {
    const { headers, secrets } = plugin as Printable;
    const listed = (secrets ?? []).filter((s): s is string => typeof s === 'string');
    return {
      ...plugin,
      ...(headers?.static && {
        headers: { ...headers, static: masked(redactHeaders(headers.static), listed) },
      }),
      ...(secrets && { secrets: secrets.map((s) => (typeof s === 'string' ? REDACTED : s)) }),
    };
  });
}

/** Static header values that are one of the plugin's listed secrets, masked too. */
function masked(headers: Record<string, string>, listed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = listed.includes(value) ? REDACTED : value;
  return out;
}
