export * from './pristine-error.js';
export * from './api-errors.js';
export * from './validation-error.js';
export * from './shared-state-unavailable.js';
export * from './plugin-errors.js';
export * from './body-source-error.js';
export * from './serialization-error.js';
