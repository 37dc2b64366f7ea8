import { execFile } from 'node:child_process';

/** Run one memory scenario of bench/memory-child.mjs in a fresh process with --expose-gc. */
function scenario(mode) {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--expose-gc', new URL('./memory-child.mjs', import.meta.url).pathname, mode],
      { maxBuffer: 1 << 20 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout.trim().split('\n').pop()))),
    ),
  );
}

/** Peak RSS growth while downloading a 512 MiB checkpoint and uploading a 200 MiB multipart file. */
export async function memory() {
  return {
    checkpoint_download_512MiB_tinkex: await scenario('download'),
    multipart_upload_200MiB_got: await scenario('upload-got'),
    multipart_upload_200MiB_undici: await scenario('upload-undici'),
  };
}
