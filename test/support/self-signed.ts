/**
 * A self-signed certificate for 127.0.0.1 (valid until 2126) and its key, for tests of what a client
 * does with a server it cannot trust. Made with:
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
 * -subj /CN=pristine-test -addext subjectAltName=IP:127.0.0.1`. Test material only: no secret.
 */
export const SELF_SIGNED_CERT = `-----BEGIN CERTIFICATE-----
MIIBmDCCAT6gAwIBAgIUZrHc79JbkqxyT9KmgMmtlDyCOXAwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcHJpc3RpbmUtdGVzdDAgFw0yNjEyMDYwMzU2NDVaGA8yMTI2
MTExMjAzNTY0NVowGDEWMBQGA1UEAwwNcHJpc3RpbmUtdGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABHLBqU1JqZCJoX/KawLrTsErEKPE6qpNgaa0UTXgxfyg
2xUjpN4/tH4PJ1XoST46cGxa4NLlCmPnKeHVeFyk0dujZDBiMB0GA1UdDgQWBBSR
ivwjhtg2KD5sfewapYoRM2ZGgzAfBgNVHSMEGDAWgBSRivwjhtg2KD5sfewapYoR
M2ZGgzAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwCgYIKoZIzj0E
AwIDSAAwRQIhALzMXZWRfAtR+V7WjDktfvoByaqDAkTNCifcCboKl2/rAiAZKVMr
Aa4H7vfgcp1QZAffwHH9puNrPrxCLK7+/O/bYQ==
-----END CERTIFICATE-----
`;

export const SELF_SIGNED_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7/ctBXw34mynIOh1
lvoP+uRQO/LiF/0liEkftmaakkehRANCAARywalNSamQiaF/ymsC607BKxCjxOqq
TYGmtFE14MX8oNsVI6TeP7R+DydV6Ek+OnBsWuDS5Qpj5ynh1XhcpNHb
-----END PRIVATE KEY-----
`;
