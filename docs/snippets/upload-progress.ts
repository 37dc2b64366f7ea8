// docs/snippets/upload-progress.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TodoClient } from './client.js';

const client = new TodoClient({
  baseUrl: process.env.TODO_BASE_URL ?? 'http://127.0.0.1:8080',
  token: process.env.TODO_TOKEN ?? 'dev-token',
});
const dir = mkdtempSync(join(tmpdir(), 'todo-upload-'));
const path = join(dir, 'scan.txt');
writeFileSync(path, 'x'.repeat(1024 * 1024)); // 1 MiB, read from disk as it is sent
try {
  const todo = await client.create('file the scan');
  const attachment = await client.attach(
    todo.id,
    { path, filename: 'scan.txt' },
    {
      // A retry starts again at 0 with attempt 2: redraw the bar from the start.
      onUploadProgress: ({ loaded, total, attempt }) => {
        const percent = total === undefined ? '?' : Math.floor((100 * loaded) / total);
        console.log(`attempt ${attempt}: ${percent}%`);
      },
    },
  );
  console.log('attached', attachment.bytes, 'bytes');
} finally {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
}
