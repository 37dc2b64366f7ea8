/**
 * TLS failures that no retry can mend: the same certificate, or the same plain-HTTP port behind an
 * https:// URL, fails every attempt the same way until someone changes a configuration. Both transports
 * report them with the code of Node's `tls` error (got copies it onto its RequestError; a plain-HTTP
 * answer to a ClientHello is `EPROTO` with OpenSSL's "wrong version number" there).
 */

/** The server's certificate chains to no CA this process trusts: a private CA fixes it. */
const UNTRUSTED: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
]);

/** The certificate itself is refused (expired, for another host, revoked, malformed). */
const REFUSED: ReadonlySet<string> = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
]);

/**
 * What went wrong, in words, with the way out, for a TLS failure that cannot succeed on a retry;
 * undefined for any other failure. `code` and `message` are the library error's.
 */
export function permanentTlsProblem(code: string | undefined, message: string): string | undefined {
  if (code === undefined) return undefined;
  // OpenSSL's own text ("self-signed certificate"): no secret, and more telling than the code alone.
  const detail = `${code}: ${message}`;
  if (UNTRUSTED.has(code)) {
    return (
      `the server's certificate is not trusted (${detail}); if it is signed by a private CA, ` +
      'point NODE_EXTRA_CA_CERTS at that CA certificate (PEM)'
    );
  }
  if (REFUSED.has(code)) return `the server's certificate was refused (${detail})`;
  if (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    (code === 'EPROTO' && /wrong version number/i.test(message))
  ) {
    return 'the server did not answer in TLS (ERR_SSL_WRONG_VERSION_NUMBER); is it an http:// URL?';
  }
  return undefined;
}
