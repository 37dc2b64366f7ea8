/**
 * The environment variables a proxy may come from, the explicit one first (TINKEX_PROXY wins over the
 * rest). Their credentials are secrets. No imports: the CLI names them in a proxy failure's hint
 * without loading the SDK.
 */
export const PROXY_VARS = ['TINKEX_PROXY', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;
