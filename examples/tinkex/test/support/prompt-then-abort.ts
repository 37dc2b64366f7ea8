import { spawnSync } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import { shellCommandRunner } from '../../src/protocol/credential.js';

/**
 * Run in a terminal by credential-terminal.test.ts: a credential command turns echo off and waits for a
 * password; once it is waiting (it creates the file `ready`), the client is closed (abort). Prints how
 * the command ended and whether the terminal echoes, as this process sees it before exiting (Node puts
 * the terminal's settings back when it exits, which would hide the difference).
 */
const [ready] = process.argv.slice(2);
const controller = new AbortController();
const watcher = watch(dirname(ready), () => existsSync(ready) && controller.abort());
const outcome = await shellCommandRunner()(`stty -echo; echo > '${ready}'; read pw`, controller.signal).then(
  () => 'resolved',
  (error: Error) => error.message,
);
watcher.close();
const settings = spawnSync('stty', ['-a'], { stdio: ['inherit', 'pipe', 'ignore'] }).stdout.toString();
console.log(`${outcome}; ${/(^|[\s;])-echo[\s;]/m.test(settings) ? 'ECHO-OFF' : 'ECHO-ON'}`);
