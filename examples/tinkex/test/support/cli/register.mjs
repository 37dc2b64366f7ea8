// `node --import ./register.mjs <file.ts>`: install ts-hooks.mjs for this process.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
