/**
 * Whether a call's own base URL points at another origin than the plugin's (a signed download URL, a
 * CDN). Such a host must not receive the plugin's credentials or default headers. Only a per-call base
 * URL can differ, so the common call compares two strings at most; a plugin without a base URL of its
 * own has no origin to protect.
 */
export function leavesOrigin(home: string | undefined, callBaseUrl: string | undefined): boolean {
  if (callBaseUrl === undefined || home === undefined || callBaseUrl === home) return false;
  return originOf(callBaseUrl) !== originOf(home);
}

/** The origin of a URL, or the text itself when it does not parse (never equal to a real origin). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
