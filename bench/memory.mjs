import { runScript } from './lib.mjs';

/** One memory scenario of bench/memory-child.mjs, in a fresh process started with --expose-gc. */
const scenario = (mode) => runScript('./memory-child.mjs', [mode], ['--expose-gc']);

/** Peak RSS growth while downloading a 512 MiB checkpoint and uploading a 200 MiB multipart file. */
export async function memory() {
  return {
    checkpoint_download_512MiB_tinkex: await scenario('download'),
    multipart_upload_200MiB_got: await scenario('upload-got'),
    multipart_upload_200MiB_undici: await scenario('upload-undici'),
  };
}
