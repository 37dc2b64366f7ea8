import { expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeRedis } from '../support/redis-server.js';

const script = fileURLToPath(new URL('../../scripts/ensure-redis.sh', import.meta.url));

describeRedis('scripts/ensure-redis.sh (the README command)', () => {
  it('does nothing and succeeds when redis-server is already installed', () => {
    // Silent: it neither updates apt nor installs anything.
    const run = spawnSync('sh', [script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
  });
});
