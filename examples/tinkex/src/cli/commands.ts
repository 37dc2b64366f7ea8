import { main as quickstart } from '../demo/main.js';
import { ServiceClient, VERSION } from '../index.js';
import { downloadCommand } from './download-command.js';
import { loadEmulator } from './load-emulator.js';

const HELP = `tinkex ${VERSION}

Usage:
  tinkex emulator [--port 0] [--seed N] [--chaos SPEC] [--flag NAME=VALUE] [--legacy-json] … (--help)
  tinkex quickstart [--steps N] [--json]
  tinkex run list [--limit N] [--offset N]
  tinkex run info <training_run_id>
  tinkex checkpoint list [<training_run_id>]
  tinkex checkpoint info <tinker_path>
  tinkex checkpoint download <tinker_path> [--output <dir>] [--force]
      (extracts into <dir, default .>/<run_id>_<weights|sampler_weights>_<name>;
       --force replaces only that folder)
  tinkex checkpoint delete|publish|unpublish <tinker_path>
  tinkex checkpoint ttl <tinker_path> <seconds|none>
  tinkex version

Environment: TINKER_API_KEY, TINKER_BASE_URL (see docs/configuration.md).
`;

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function runCli(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [command, sub, arg, arg2] = argv;
  const print = (value: unknown) =>
    out.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
  switch (command) {
    case 'emulator':
      // Delegates to the tinker-emulator package (same flags as its own `tinker-emulator` bin).
      return (await loadEmulator()).runEmulatorCli(argv.slice(1), out);
    case 'quickstart':
      return quickstart(argv.slice(1));
    case 'version':
    case '--version':
      print(VERSION);
      return 0;
    case 'run':
    case 'checkpoint': {
      const service = new ServiceClient();
      const rest = service.createRestClient();
      try {
        if (command === 'run' && sub === 'list')
          print(
            await rest.listTrainingRuns({
              limit: Number(flag(argv, 'limit') ?? 20),
              offset: Number(flag(argv, 'offset') ?? 0),
            }),
          );
        else if (command === 'run' && sub === 'info' && arg) print(await rest.getTrainingRun(arg));
        else if (sub === 'list')
          print(arg ? await rest.listCheckpoints(arg) : await rest.listUserCheckpoints());
        else if (sub === 'info' && arg) print(await rest.getWeightsInfoByTinkerPath(arg));
        else if (sub === 'delete' && arg) await rest.deleteCheckpointFromTinkerPath(arg);
        else if (sub === 'publish' && arg) await rest.publishCheckpointFromTinkerPath(arg);
        else if (sub === 'unpublish' && arg) await rest.unpublishCheckpointFromTinkerPath(arg);
        else if (sub === 'ttl' && arg && arg2)
          await rest.setCheckpointTtlFromTinkerPath(arg, arg2 === 'none' ? null : Number(arg2));
        else if (sub === 'download' && arg) return await downloadCommand(rest, arg, argv, print);
        else {
          process.stderr.write(HELP);
          return 2;
        }
        return 0;
      } finally {
        await service.close();
      }
    }
    default:
      out.write(HELP);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}
