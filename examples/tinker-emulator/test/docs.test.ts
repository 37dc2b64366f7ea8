import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnServer } from '../../../test/support/spawn-cli.js';
import { USAGE } from '../src/index.js';
import { decodeForwardBackwardRequest } from '../src/protocol/fwdbwd-request.js';
import { float32s, fwdBwdRequest, int32s, int64s } from './support/proto.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/emulator.md', import.meta.url)), 'utf8');
const EXAMPLE = fileURLToPath(new URL('../examples/docs-quickstart.ts', import.meta.url));
const ENTRIES: Record<string, string> = {
  'npx tinker-emulator': fileURLToPath(new URL('../src/bin.ts', import.meta.url)),
  'npx tinkex emulator': fileURLToPath(new URL('../../tinkex/src/cli/main.ts', import.meta.url)),
};

/** The fenced blocks of a section, by language. */
function blocks(section: string, lang: string): string[] {
  const body = DOC.slice(
    DOC.indexOf(`## ${section}`),
    DOC.indexOf('\n## ', DOC.indexOf(`## ${section}`) + 3),
  );
  return [...body.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

/** Split a shell line into words, honouring single quotes (all the docs use). */
const words = (line: string) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);

describe('docs/emulator.md runs as written', () => {
  it('every command of "Running it" starts an emulator that honours its options', async () => {
    const commands = blocks('Running it', 'sh')[0]
      .split('\n')
      .filter((line) => line.startsWith('npx '));
    expect(commands).toHaveLength(3);
    for (const command of commands) {
      const prefix = Object.keys(ENTRIES).find((p) => command.startsWith(p))!;
      const args = words(command.slice(prefix.length));
      // Port 8000 may be taken on a test machine: the same command on a free port.
      args[args.indexOf('--port') + 1] = '0';
      const server = await spawnServer(
        ENTRIES[prefix],
        prefix === 'npx tinkex emulator' ? ['emulator', ...args] : args,
      );
      try {
        const res = await fetch(`${server.url}/api/v1/client/config`, {
          method: 'POST',
          headers: { 'x-api-key': 'tml-docs', 'content-type': 'application/json' },
          body: JSON.stringify({ sdk_version: '0.25.0' }),
        });
        if (args.includes('--legacy-json')) expect(res.status).toBe(404);
        else {
          const flags = await res.json();
          for (const i of args.flatMap((a, j) => (a === '--flag' ? [j + 1] : []))) {
            const [name, value] = args[i].split('=');
            expect(String(flags[name])).toBe(value);
          }
        }
      } finally {
        expect(await server.stop()).toBe(143);
      }
    }
  }, 180_000);

  it('the --account command gives each key its account (the sub of the JWT it issues)', async () => {
    const [command] = blocks('Running it', 'sh')[1].split('\n');
    expect(command).toMatch(/^npx tinker-emulator .*--account/);
    const args = words(command.slice('npx tinker-emulator'.length));
    args[args.indexOf('--port') + 1] = '0';
    const server = await spawnServer(ENTRIES['npx tinker-emulator'], args);
    try {
      const subOf = async (key: string) => {
        const res = await fetch(`${server.url}/api/v1/auth/token`, {
          method: 'POST',
          headers: { 'x-api-key': key },
        });
        const { jwt } = (await res.json()) as { jwt: string };
        return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')).sub;
      };
      for (const spec of args.filter((_, i) => args[i - 1] === '--account')) {
        const [key, name] = spec.split('=');
        expect(await subOf(key)).toBe(`urn:tinker:user:${name}`);
      }
      expect(await subOf('tml-docs')).toBe('urn:tinker:user:emulator-user');
    } finally {
      expect(await server.stop()).toBe(143);
    }
  }, 90_000);

  it('the options block is the --help text', () => {
    expect(USAGE).toContain(blocks('Running it', 'text')[0]);
  });

  it('the "In code" block is examples/docs-quickstart.ts, verbatim, and prints what it says', async () => {
    const file = readFileSync(EXAMPLE, 'utf8').split('\n').slice(1).join('\n');
    expect(blocks('In code', 'ts')[0]).toBe(file);
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../examples/docs-quickstart.js');
      expect(log.mock.calls[0].slice(0, 2)).toEqual([true, false]);
      expect(log.mock.calls[1][0]).toEqual([
        'POST /api/v1/client/config 200',
        'POST /api/v1/auth/token 200',
        'POST /api/v1/create_session 200',
      ]);
    } finally {
      log.mockRestore();
    }
  }, 30_000);

  it('the request-log example is what the emulator logs for that protobuf request', () => {
    const logged = decodeForwardBackwardRequest(
      fwdBwdRequest({
        model_id: 'S:train:0',
        seq_id: 3,
        data: [
          {
            model_input: [{ encoded_text: { tokens: int32s([101, 2023, 2003, 1037, 3231]) } }],
            loss_fn_inputs: {
              target_tokens: { dense: int64s([2023, 2003, 1037, 3231, 102]), dtype: 2, shape: [5] },
              weights: { dense: float32s([0, 1, 1, 1, 1]), dtype: 1, shape: [5] },
            },
          },
        ],
        loss_fn: 'cross_entropy',
        forward_only: true,
      }),
    ).logged();
    expect(logged).toEqual(JSON.parse(blocks('The request log', 'json')[0]));
  });
});
