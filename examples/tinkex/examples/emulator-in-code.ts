// docs/emulator.md "In code", verbatim; test/docs/guide-snippets.test.ts runs it.
import { startEmulator } from 'tinker-emulator';

const emulator = await startEmulator({
  seed: 7,
  clientConfig: { pjwt_auth_enabled: true, proto_compress_fwdbwd: true },
  longPollMs: 1000,
});
const post = (path: string, body: unknown, key = 'tml-my-key') =>
  fetch(`${emulator.url}/api/v1/${path}`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((res) => res.json());

const flags = await post('client/config', { sdk_version: '0.25.0' });
const { jwt } = await post('auth/token', {});
const session = await post(
  'create_session',
  { tags: [], sdk_version: '0.25.0', type: 'create_session' },
  jwt,
);
console.log(flags.pjwt_auth_enabled, flags.use_pyqwest_transport, session.session_id);
console.log(emulator.requestLog().map((r) => `${r.method} ${r.path} ${r.status}`));
await emulator.close();
