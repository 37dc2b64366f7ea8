import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { buildCli, runCli } from '../support/cli/run-cli.js';
import { VERSION } from '../../src/version.js';

/** No API key and no server: help and usage errors must never need either. */
const cli = (...args: string[]) => runCli(args, { cwd: tmpdir(), env: {} });

describe('tinkex usage (spawned CLI, no API key)', () => {
  beforeAll(buildCli, 300_000);

  it('prints help for the program and for every command, exit 0, without asking for a key', async () => {
    const commands = [
      [],
      ['run'],
      ['run', 'list'],
      ['run', 'info'],
      ['checkpoint', 'list'],
      ['checkpoint', 'info'],
      ['checkpoint', 'publish'],
      ['checkpoint', 'unpublish'],
      ['checkpoint', 'set-ttl'],
      ['checkpoint', 'delete'],
      ['checkpoint', 'download'],
      ['session', 'export-trace'],
      ['billing', 'usage'],
      ['sample'],
      ['quickstart'],
      ['version'],
    ];
    const results = await Promise.all(commands.map((c) => cli(...c, '--help')));
    results.forEach((r, i) => {
      expect({ command: commands[i], code: r.code, stderr: r.stderr }).toEqual({
        command: commands[i],
        code: 0,
        stderr: '',
      });
      expect(r.stdout).toContain(`Usage: tinkex ${commands[i].join(' ')}`.trim());
      expect(r.stdout).not.toMatch(/api_key|TINKER_API_KEY is required/);
    });
    expect(results[0].stdout).toMatch(
      /run[\s\S]*checkpoint[\s\S]*session[\s\S]*billing[\s\S]*sample[\s\S]*emulator/,
    );
    expect(results[9].stdout).toMatch(/--run-id[\s\S]*--type[\s\S]*--before[\s\S]*--after[\s\S]*-y, --yes/);
    expect(results[10].stdout).toMatch(/-o, --output <dir>[\s\S]*--force/);
    // Global options are listed once, in `tinkex --help` (as tinker's Click CLI does); a command's help
    // lists its own options and points there.
    expect(results[0].stdout).toContain('-f, --format <format>');
    expect(results[0].stdout).toMatch(/--max-retries <n>\s+retries per request/);
    expect(results[0].stdout).not.toContain('Global options: see');
    results.slice(1).forEach((r, i) => {
      expect({ command: commands[i + 1], stdout: r.stdout }).toEqual({
        command: commands[i + 1],
        // Right after the command's own options (or its commands), before any examples.
        stdout: expect.stringMatching(
          / {2}-h, --help .*\n(\nCommands:\n[\s\S]*)?\nGlobal options: see tinkex --help\n/,
        ),
      });
      expect(r.stdout).not.toMatch(/Global Options:|--format <format>|--max-retries|--api-key|--version/);
    });
    expect(results[2].stdout).toMatch(/--limit <n>[\s\S]*-c, --columns <names>[\s\S]*-h, --help/);
  }, 60_000);

  it('-h works like --help, for every group too, and `emulator --help` needs no emulator running', async () => {
    const groups = [['checkpoint'], ['session'], ['billing'], ['run', 'list'], ['checkpoint', 'delete']];
    const [emulator, ...results] = await Promise.all([
      cli('emulator', '--help'),
      ...groups.map((g) => cli(...g, '-h')),
    ]);
    results.forEach((r, i) => {
      expect({ group: groups[i], code: r.code, stderr: r.stderr }).toEqual({
        group: groups[i],
        code: 0,
        stderr: '',
      });
      expect(r.stdout).toContain(`Usage: tinkex ${groups[i].join(' ')}`);
    });
    expect(results[0].stdout).toMatch(
      /list[\s\S]*info[\s\S]*publish[\s\S]*unpublish[\s\S]*set-ttl[\s\S]*delete[\s\S]*download/,
    );
    expect(results[1].stdout).toContain('export-trace');
    expect(results[2].stdout).toContain('usage');
    expect(emulator).toMatchObject({ code: 0, stderr: '' });
    expect(emulator.stdout).toMatch(/tinkex emulator \[options\][\s\S]*--port N[\s\S]*--chaos SPEC/);
  }, 60_000);

  it('rejects unknown flags, bad values, missing and extra arguments with the usage and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['run', 'list', '--bogus'], /unknown option '--bogus'/],
      [['run', 'list', '--limit=-1'], /'--limit <n>' argument '-1' is invalid/],
      [['run', 'list', '--limit', 'ten'], /argument 'ten' is invalid/],
      [['run', 'list', '--columns=id,nope'], /unknown column\(s\) nope;/],
      [['run', 'list', '-c', ' , '], /expected at least one column name/],
      [['-f', 'xml', 'run', 'list'], /argument 'xml' is invalid. Allowed choices are table, json/],
      [['run', 'info'], /missing required argument 'run_id'/],
      [['run', 'list', 'extra'], /too many arguments/],
      [['checkpoint', 'info', 'run-1/weights/a'], /expected a checkpoint path like tinker:\/\//],
      [['checkpoint', 'delete', 'tinker://r/weights/a', 'oops'], /expected a checkpoint path/],
      [['checkpoint', 'delete'], /give checkpoint paths or --run-id/],
      [['checkpoint', 'delete', 'tinker://r/weights/a', '--run-id', 'r'], /not both/],
      [['checkpoint', 'delete', '--type', 'weights'], /need --run-id/],
      [['checkpoint', 'delete', '--run-id', 'r', '--type', 'adapter'], /expected weights or sampler_weights/],
      [['checkpoint', 'delete', '--run-id', 'r', '--before', 'yesterday'], /expected an ISO 8601 date/],
      // Date parsing rolls Feb 30 over to Mar 2: a filter of a delete must not widen that way.
      [['checkpoint', 'delete', '--run-id', 'r', '--before', '2026-02-30'], /expected an ISO 8601 date/],
      [
        ['checkpoint', 'delete', '--run-id', 'r', '--after', '2026-04-31T08:00:00Z'],
        /expected an ISO 8601 date/,
      ],
      // A window no checkpoint can be in: refused before the run is even listed.
      [
        ['checkpoint', 'delete', '--run-id', 'r', '--after', '2026-01-03', '--before', '2026-01-02', '-y'],
        /--after \(2026-01-03T00:00:00.000Z\) must be earlier than --before \(2026-01-02T00:00:00.000Z\)/,
      ],
      // An empty run id (an unset variable interpolated) listed every run's checkpoints instead of one's,
      // and `run info ''` failed after loading the SDK (exit 1) instead of as a usage error.
      [
        ['checkpoint', 'list', '--run-id', ''],
        /'--run-id <id>' argument '' is invalid. expected a training run id/,
      ],
      [
        ['checkpoint', 'delete', '--run-id', '', '-y'],
        /'--run-id <id>' argument '' is invalid. expected a training/,
      ],
      [['run', 'info', ''], /value '' is invalid for argument 'run_id'. expected a training run id/],
      // A run id holds no "/": a checkpoint's tinker:// path given as a run id failed after loading the SDK
      // with the request schema's pattern (exit 1: `ValidationError: … must match pattern "^[^/]+$"`).
      [
        ['run', 'info', 'tinker://run-1:train:0/weights/a'],
        /argument 'run_id'. expected a training run id \(no "\/"\): this is a tinker:\/\/ path; its run id is run-1:train:0/,
      ],
      [
        ['run', 'info', 'run-1/x'],
        /argument 'run_id'. expected a training run id \(no "\/"\), as `tinkex run list`/,
      ],
      [['checkpoint', 'list', '--run-id', 'tinker://run-1'], /its run id is run-1$/m],
      [['checkpoint', 'delete', '--run-id', 'a/b', '-y'], /expected a training run id \(no "\/"\)/],
      [['checkpoint', 'set-ttl', 'tinker://r/weights/a'], /either --ttl <seconds> or --remove/],
      [['checkpoint', 'set-ttl', 'tinker://r/weights/a', '--ttl=0'], /whole number of seconds ≥ 1/],
      [['checkpoint', 'set-ttl', 'tinker://r/weights/a', '--ttl=5', '--remove'], /cannot be used with/],
      [['billing', 'usage', '2026-07-13T00:30:00Z', '2026-07-14T00:00:00Z'], /UTC hour boundary/],
      [['billing', 'usage', '13/07/2026', '2026-07-14T00:00:00Z'], /RFC 3339 timestamp or a date/],
      [['billing', 'usage', '2026-02-30', '2026-03-01'], /RFC 3339 timestamp or a date/],
      [['billing', 'usage', '2026-07-01T00:00:00Z', '2026-07-20T00:00:00Z'], /at most 14 days/],
      // The id names the default output file (./<id>.pftrace): one with a path in it would write elsewhere.
      [['session', 'export-trace', '../sess-1'], /expected a session id/],
      [['session', 'export-trace', 'a\\b'], /expected a session id/],
      [['sample', '--prompt', 'hi'], /--base-model or --model-path/],
      [['sample', '--base-model', 'm'], /required option '--prompt <text>'/],
      // An empty prompt gives the model nothing to condition on; the SDK would refuse it after connecting.
      [
        ['sample', '--base-model', 'm', '--prompt', ''],
        /'--prompt <text>' argument '' is invalid. expected some text/,
      ],
      // The SDK's schema's bounds, worded by it (round 26).
      [['sample', '--base-model', 'm', '--prompt', 'hi', '--top-k', '-2'], /top_k must be >= -1 \(minimum\)/],
      [['sample', '--base-model', 'm', '--prompt', 'hi', '--top-p', '7'], /top_p must be <= 1 \(maximum\)/],
      [['sample', '--base-model', 'm', '--prompt', 'hi', '--temperature=-1'], /temperature must be >= 0/],
      [
        ['sample', '--base-model', 'm', '--prompt', 'hi', '--seed', 'x'],
        /'--seed <n>' argument 'x' .*a number/,
      ],
      [['quickstart', '--steps=0'], /'--steps <n>' argument '0' is invalid/],
      [['--max-retries', '-1', 'run', 'list'], /'--max-retries <n>' argument '-1' is invalid/],
      [['run', 'list', '--max-retries=two'], /'--max-retries <n>' argument 'two' is invalid/],
      [
        ['--base-url', 'notaurl', 'run', 'list'],
        /--base-url must be an absolute http:\/\/ or https:\/\/ URL/,
      ],
      [['quickstart', '--base-url', 'notaurl'], /--base-url must be an absolute http:\/\/ or https:\/\/ URL/],
      [
        ['run', 'list', '--base-url=ftp://host/api'],
        /--base-url must start with http:\/\/ or https:\/\/ \(it starts with "ftp:"\)/,
      ],
      // Each endpoint's path is appended to the address: a query would take it in (round 32). The rule
      // is the kernel's (OptionChecks.baseUrl), said without its advice for programs (`query`).
      [
        ['run', 'list', '--base-url=https://tinker.example/?token=t0p-s3cret'],
        /--base-url must not have a query: the endpoint path goes after it$/m,
      ],
      [
        ['run', 'list', '--base-url=https://tinker.example/#frag'],
        /--base-url must not have a fragment: the endpoint path goes after it$/m,
      ],
      [['nope'], /unknown command 'nope'/],
      [['help', 'nope'], /unknown command 'nope'/],
      [['emulator', '--colour', 'red'], /Unknown option '--colour'/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    results.forEach((r, i) => {
      const [args, message] = cases[i];
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      // tinker's (Click's) short form: the usage, where to get help, then the error; never the whole help.
      expect({ args, stderr: r.stderr }).toEqual({
        args,
        stderr: expect.stringMatching(/^Usage: tinkex[^\n]*\nTry 'tinkex[^'\n]* -h' for help\.\n\nError: \S/),
      });
      expect(r.stderr.split('\n\nError: ')[1]).toMatch(message);
      expect(r.stderr).not.toMatch(/Options:|Commands:|error: /);
    });
  }, 60_000);

  it("reports usage errors in tinker's short form: usage, `Try … -h`, the error (stderr, exit 2)", async () => {
    const cases: [string[], string][] = [
      [
        ['session', 'list'],
        "Usage: tinkex session [options] [command]\nTry 'tinkex session -h' for help.\n\n" +
          "Error: unknown command 'list'\n",
      ],
      [
        ['nope'],
        "Usage: tinkex [options] [command]\nTry 'tinkex -h' for help.\n\nError: unknown command 'nope'\n",
      ],
      [
        ['checkpoint', 'lst'],
        "Usage: tinkex checkpoint [options] [command]\nTry 'tinkex checkpoint -h' for help.\n\n" +
          "Error: unknown command 'lst'\n(Did you mean list?)\n",
      ],
      [
        ['run', 'list', '--limt', '3'],
        "Usage: tinkex run list [options]\nTry 'tinkex run list -h' for help.\n\n" +
          "Error: unknown option '--limt'\n(Did you mean --limit?)\n",
      ],
      [
        ['run', '--bogus'],
        "Usage: tinkex run [options] [command]\nTry 'tinkex run -h' for help.\n\n" +
          "Error: unknown option '--bogus'\n",
      ],
      [
        ['run', 'info'],
        "Usage: tinkex run info [options] <run_id>\nTry 'tinkex run info -h' for help.\n\n" +
          "Error: missing required argument 'run_id'\n",
      ],
      [
        ['checkpoint', 'publish', 'tinker://r/weights/a', 'extra'],
        'Usage: tinkex checkpoint publish [options] <tinker_path>\n' +
          "Try 'tinkex checkpoint publish -h' for help.\n\n" +
          "Error: too many arguments for 'publish'. Expected 1 argument but got 2.\n",
      ],
      [
        ['-f', 'xml', 'version'],
        "Usage: tinkex [options] [command]\nTry 'tinkex -h' for help.\n\n" +
          "Error: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are table, json.\n",
      ],
      [
        ['billing', 'usage', '2026-07-13T00:30:00Z', '2026-07-14T00:00:00Z'],
        'Usage: tinkex billing usage [options] <starting_on> <ending_before>\n' +
          "Try 'tinkex billing usage -h' for help.\n\n",
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    results.forEach((r, i) => {
      const [args, text] = cases[i];
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      if (text.endsWith('\n\n'))
        expect({ args, stderr: r.stderr.slice(0, text.length) }).toEqual({ args, stderr: text });
      else expect({ args, stderr: r.stderr }).toEqual({ args, stderr: text });
    });
  }, 60_000);

  // `tinker` 0.25 as pip installs it today (`click>=8.0.0` resolves to Click 8.2 or later): a group given
  // no command prints its help on stderr and exits 2, a usage error (Click 8.1 printed it on stdout, exit 0).
  it('a group without a command prints its help on stderr and exits 2, as tinker (Click 8.2+) does', async () => {
    const groups = [['run'], ['checkpoint'], ['session'], ['billing'], []];
    const results = await Promise.all(groups.map((g) => cli(...g)));
    results.forEach((r, i) => {
      expect({ group: groups[i], code: r.code, stdout: r.stdout }).toEqual({
        group: groups[i],
        code: 2,
        stdout: '',
      });
      expect(r.stderr).toContain(`Usage: tinkex ${groups[i].join(' ')}`.replace(/ $/, ''));
      expect(r.stderr).toContain('Commands:');
    });
    // Asked for, the help is still the answer: stdout, exit 0.
    const asked = await cli('checkpoint', '--help');
    expect({ code: asked.code, stderr: asked.stderr }).toEqual({ code: 0, stderr: '' });
    expect(asked.stdout).toContain('Usage: tinkex checkpoint');
  }, 60_000);

  it('prints the version as text or JSON', async () => {
    const [text, json, flag, flagAfter] = await Promise.all([
      cli('version'),
      cli('version', '--format=json'),
      cli('--version'),
      cli('-f', 'json', 'version'),
    ]);
    expect(text).toMatchObject({ code: 0, stdout: `tinkex ${VERSION}\n` });
    expect(JSON.parse(json.stdout)).toEqual({ version: VERSION });
    expect(flag.stdout).toBe(`${VERSION}\n`);
    expect(JSON.parse(flagAfter.stdout)).toEqual({ version: VERSION });
    // Indented, as every other command's -f json (round 36: it alone printed compact JSON).
    expect(json.stdout).toBe(`${JSON.stringify({ version: VERSION }, null, 2)}\n`);
  }, 30_000);

  it('says which key is missing when a command needs one (exit 1, not a stack trace)', async () => {
    const result = await cli('run', 'list');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: No API key\n.*--api-key, TINKER_API_KEY or TINKER_CREDENTIAL_CMD/s,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  // Round 29 saw `session export-trace` print "Exporting trace… (this may take a while)" and then fail for
  // want of a key: nothing may be said about work that cannot start.
  it('says only that the key is missing, for every command that needs one, before saying anything else', async () => {
    const path = 'tinker://run-1:train:0/weights/ckpt';
    const commands = [
      ['run', 'list'],
      ['run', 'info', 'run-1'],
      ['checkpoint', 'list'],
      ['checkpoint', 'info', path],
      ['checkpoint', 'publish', path],
      ['checkpoint', 'unpublish', path],
      ['checkpoint', 'set-ttl', path, '--ttl', '60'],
      ['checkpoint', 'delete', path, '-y'],
      ['checkpoint', 'download', path, '-o', 'never-made'],
      ['session', 'export-trace', 'session-1', '-o', 'never-made.pftrace'],
      ['billing', 'usage', '2026-12-01', '2026-12-02'],
      ['sample', '--prompt', 'hi', '--model-path', 'tinker://run-1:train:0/sampler_weights/s'],
    ];
    const results = await Promise.all(commands.map((c) => cli(...c)));
    results.forEach((r, i) => {
      expect({
        command: commands[i],
        code: r.code,
        stdout: r.stdout,
        first: r.stderr.split('\n')[0],
      }).toEqual({
        command: commands[i],
        code: 1,
        stdout: '',
        first: 'Error: No API key',
      });
    });
  }, 60_000);

  // Found with the packed tarball (round 27): the help pointed at `docs/configuration.md`, a path of the
  // repository; an installed package ships the guide in `dist/docs/`, so a new user found nothing there.
  it('names the configuration guide by a path that exists, wherever the CLI runs from', async () => {
    const { stdout } = await cli('--help');
    const guide = /\(see (\S+configuration\.md)\)/.exec(stdout)?.[1];
    expect(guide).toBeDefined();
    // Relative to the directory the CLI ran in (a temporary one), as a user reads it.
    expect(existsSync(resolve(tmpdir(), guide!))).toBe(true);
  }, 30_000);
});
