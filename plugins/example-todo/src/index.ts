export { TodoClient } from './todo-client.js';
export { todoPlugin } from './todo-plugin.js';
export { todoManifest, Todo } from './manifest.js';
