#!/usr/bin/env node
// Runs the official Python SDK (tinker 0.25.0, unmodified) against the emulator: training, sampling and
// REST flows, once with the 0.25 flags off, once with JWTs, zstd bodies, one-datum chunks and
// create-via-load on, and once with every answer compressed; fails if the client fails or the emulator
// answers any request with an error.
// Needs a virtualenv holding the SDK (CI has none, and does not need one):
//   TINKER_PY_VENV=/path/to/venv node scripts/official-sdk-check.mjs   (after `npm run build`)
// Without TINKER_PY_VENV it says it skipped and exits 0. docs/emulator.md, "Checked against the
// official client"; round 29 of docs/performance-notes.md ran the wider flows this stands for.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const venv = process.env.TINKER_PY_VENV;
if (!venv) {
  console.log('official SDK check skipped: set TINKER_PY_VENV to a virtualenv with tinker 0.25.0');
  process.exit(0);
}
// Imported only now, so the skipped run needs no build.
const { startEmulator } = await import('../examples/tinker-emulator/dist/index.js');

// Written for this check against the SDK's public API (nothing of the SDK is copied here).
const FLOW = String.raw`
import sys, io, tarfile, urllib.request, tinker
from tinker import types
sc = tinker.ServiceClient(base_url=sys.argv[1], api_key="tml-official-sdk-check")
assert sc.get_server_capabilities().supported_models
tc = sc.create_lora_training_client(base_model="meta-llama/Llama-3.2-1B", rank=8)
text = list(b"the cat sat on the mat.")
data = [types.Datum(model_input=types.ModelInput.from_ints(t[:-1]),
                    loss_fn_inputs={"target_tokens": t[1:], "weights": [1.0] * (len(t) - 1)}) for t in (text, text[:9])]
for _ in range(3):
    tc.forward_backward(data, "cross_entropy").result()
    tc.optim_step(types.AdamParams(learning_rate=1e-4)).result()
assert len(tc.forward(data, "cross_entropy").result().loss_fn_outputs) == 2
path = tc.save_state("check").result().path
tc.load_state_with_optimizer(path).result()
sampler = tc.save_weights_and_get_sampling_client()
out = sampler.sample(types.ModelInput.from_ints(text[:1]), 2, types.SamplingParams(max_tokens=5, seed=1),
                     include_prompt_logprobs=True, topk_prompt_logprobs=2).result()
assert len(out.sequences) == 2 and out.prompt_logprobs == [None] and out.topk_prompt_logprobs == [None]
assert sampler.compute_logprobs(types.ModelInput.from_ints(text[:4])).result()[0] is None
rest = sc.create_rest_client()
assert rest.list_training_runs().result().training_runs and rest.list_checkpoints(tc.model_id).result().checkpoints
url = rest.get_checkpoint_archive_url_from_tinker_path(path).result().url
assert "adapter_model.safetensors" in tarfile.open(fileobj=io.BytesIO(urllib.request.urlopen(url).read())).getnames()
sc.create_training_client_from_state_with_optimizer(path).forward_backward(data, "cross_entropy").result()
print("ok", tinker.__version__)
`;

const MODES = {
  'default flags': { clientConfig: {} },
  'JWT, zstd, chunks, create-via-load': {
    clientConfig: {
      pjwt_auth_enabled: true,
      proto_compress_fwdbwd: true,
      fwdbwd_max_chunk_len: 1,
      create_model_via_load_weights: true,
    },
  },
  // As behind a CDN that compresses: zstd where this Node can write it (22.15+), else gzip. httpx
  // decodes both; the archive, fetched by urllib with `identity`, stays the .tar.gz it is.
  'compressed answers': { clientConfig: {}, compressResponses: true },
};

let failed = false;
for (const [mode, options] of Object.entries(MODES)) {
  const emulator = await startEmulator(options);
  try {
    const python = spawn(join(venv, 'bin', 'python'), ['-', emulator.url], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    python.stdin.end(FLOW);
    let stdout = '';
    python.stdout.on('data', (chunk) => (stdout += chunk));
    const code = await new Promise((resolve) => python.on('close', resolve));
    const errors = emulator.requestLog().filter((r) => r.status >= 400 || r.status === 0);
    const ok = code === 0 && stdout.startsWith('ok ') && errors.length === 0;
    failed ||= !ok;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} official SDK ${stdout.trim().split(' ')[1] ?? '?'} vs emulator (${mode}): ` +
        `exit ${code}, ${emulator.requestLog().length} requests, ` +
        `${errors.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ') || 'none answered with an error'}`,
    );
  } finally {
    await emulator.close();
  }
}
process.exit(failed ? 1 : 0);
