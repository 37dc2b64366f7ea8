import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { tinkerPath } from '../options.js';
import { numSamplesFlag, samplingFlag } from '../sample-flags.js';
import type { Action } from '../action.js';

interface SampleOptions {
  baseModel?: string;
  modelPath?: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  numSamples: number;
  stop?: string[];
  seed?: number;
  tokenizer?: string;
}

/** Sample from a base model or a saved sampler checkpoint and print the decoded text (as Tinkex's `run`). */
/** What to sample from: exactly one of the two options (checked before anything is sent). */
type SampleFrom = { model_path: string } | { base_model: string };

async function sample(ctx: CliContext, opts: SampleOptions, from: SampleFrom) {
  const { loadTokenizer } = await import('../../tokenizer/tokenizer.js');
  // A --tokenizer this machine does not have is a bad argument: refused before a session is created.
  const given = opts.tokenizer ? localTokenizer(loadTokenizer, opts.tokenizer, ctx.io.env) : undefined;
  const service = await ctx.client();
  // A sample's whole-request retries are unlimited in the library (as in the Python SDK); a command
  // gives up after --max-retries like every other request, so a dead server ends it.
  const retry_config = { max_retries: service.config.max_retries };
  const sampler = await service.createSamplingClient({ ...from, retry_config });
  const tokenizer = given
    ? given
    : await sampler.getTokenizer().catch(async (error: unknown) => {
        if (ctx.signal.aborted) throw error;
        const { describeError } = await import('../describe-error.js');
        const why = describeError(error, ctx.apiSetup());
        throw new CliError(
          `Could not load the model's tokenizer: ${why.message}`,
          `Pass --tokenizer <id> (the emulator's is tinkex/byte-level), or make the tokenizer ` +
            `reachable (see docs/tinkex.md, "Tokenizers").${why.details ? `\n${why.details}` : ''}`,
        );
      });
  const response = await sampler.sample({
    prompt: tokenizer.encode(opts.prompt, { add_special_tokens: false }),
    num_samples: opts.numSamples,
    sampling_params: {
      max_tokens: opts.maxTokens,
      temperature: opts.temperature,
      top_k: opts.topK,
      top_p: opts.topP,
      ...(opts.stop ? { stop: opts.stop } : {}),
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    },
  });
  const samples = response.sequences.map((s, i) => ({
    index: i,
    text: tokenizer.decode(s.tokens),
    stop_reason: s.stop_reason,
    tokens: s.tokens,
    logprobs: s.logprobs ?? null,
  }));
  ctx.print({
    json: { prompt: opts.prompt, samples },
    title: `${samples.length} sample(s) for ${JSON.stringify(opts.prompt)}`,
    columns: ['#', 'Stop Reason', 'Tokens', 'Text'],
    rows: samples.map((s) => [String(s.index + 1), s.stop_reason, String(s.tokens.length), s.text]),
  });
}

/** The tokenizer --tokenizer names, from local files; one that is not there is a usage error naming it. */
function localTokenizer(
  load: typeof import('../../tokenizer/tokenizer.js').loadTokenizer,
  id: string,
  env: NodeJS.ProcessEnv,
) {
  try {
    return load(id, { env });
  } catch (error) {
    const issue = (error as { issues?: { message: string }[] }).issues?.[0];
    if (!issue) throw error;
    const named = `tokenizer "${id}"`;
    throw new UsageError(
      issue.message.startsWith(named)
        ? `--tokenizer ${id}${issue.message.slice(named.length)}`
        : `--tokenizer ${id}: ${issue.message}`,
    );
  }
}

/** `tinkex sample (--base-model M | --model-path P) --prompt TEXT [decoding options]`. */
export function registerSample(program: Command, action: Action): void {
  program
    .command('sample')
    .description('Sample text from a base model or a sampler checkpoint')
    .addOption(
      new Option('--base-model <name>', 'a base model, e.g. meta-llama/Llama-3.2-1B').conflicts('modelPath'),
    )
    .addOption(
      new Option('--model-path <tinker_path>', 'a sampler checkpoint (tinker://…)').argParser(tinkerPath),
    )
    .requiredOption(
      '--prompt <text>',
      'the prompt text (tokenized with the model tokenizer)',
      (v: string) => {
        // Nothing to condition on: refused here (exit 2), not by the SDK after connecting.
        if (v === '') throw new InvalidArgumentError('expected some text.');
        return v;
      },
    )
    // The bounds are the SDK's schema's (sample-flags.ts).
    .option('--max-tokens <n>', 'tokens to generate', samplingFlag('max_tokens'), 32)
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', samplingFlag('temperature'), 1)
    .option('--top-k <k>', 'top-k (-1 = off)', samplingFlag('top_k'), -1)
    .option('--top-p <p>', 'nucleus sampling probability (0 to 1)', samplingFlag('top_p'), 1)
    .option('--num-samples <n>', 'how many samples', numSamplesFlag, 1)
    .option('--stop <text>', 'stop at this text (repeatable)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option('--seed <n>', 'random seed', samplingFlag('seed'))
    .option(
      '--tokenizer <id>',
      "tokenizer to use (default: the model's; the emulator's is tinkex/byte-level)",
    )
    .action(
      action(async (ctx, opts: SampleOptions) => {
        const from: SampleFrom | undefined = opts.modelPath
          ? { model_path: opts.modelPath }
          : opts.baseModel
            ? { base_model: opts.baseModel }
            : undefined;
        if (!from) throw new UsageError('give --base-model or --model-path');
        await sample(ctx, opts, from);
      }),
    );
}
