import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocCommand {
  file: string;
  command: string;
}

/** The markdown files whose commands are executed: README.md and docs/*.md (not the generated API docs). */
export function docFiles(root: string): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
}

const RUNNABLE = /^(npx tinkex|npx tinker-emulator|npm start)\b/;

/**
 * Every `npx tinkex …`, `npx tinker-emulator …` and `npm start …` that the docs show: lines of ```sh
 * blocks and inline code spans. (The two commands `npm ci && npm start|test` are what CI runs.)
 */
export function docCommands(root: string): DocCommand[] {
  const found: DocCommand[] = [];
  for (const file of docFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const block of text.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g))
      for (const line of block[1].split('\n'))
        if (RUNNABLE.test(line.trim())) found.push({ file, command: line.trim() });
    const prose = text.replace(/```[\s\S]*?```/g, '');
    for (const span of prose.matchAll(/`([^`\n]+)`/g))
      if (RUNNABLE.test(span[1])) found.push({ file, command: span[1] });
  }
  return found.filter((c, i) => found.findIndex((d) => d.command === c.command) === i);
}
