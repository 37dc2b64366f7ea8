import { register } from 'node:module';
import { ValidationError } from 'pristine-kernel';

/** The slice of @tensorflow/tfjs-core the custom loss uses (typed loosely: tfjs is an optional peer). */
export type Tf = any;

const CORE = '@tensorflow/tfjs-core';
const CPU = '@tensorflow/tfjs-backend-cpu';

/**
 * Node cannot import tfjs-core's gradient registrations (`dist/register_all_gradients.js` is ESM with
 * extensionless relative imports), and the CommonJS bundle registers no gradients at all. This resolve
 * hook retries such specifiers inside tfjs-core with `.js` (or `/index.js`), nothing else.
 */
const HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const inTf = context.parentURL && context.parentURL.includes('/@tensorflow/tfjs-core/dist/');
    if (!inTf || !/^\\.{1,2}\\//.test(specifier)) throw error;
    if (error.code !== 'ERR_MODULE_NOT_FOUND' && error.code !== 'ERR_UNSUPPORTED_DIR_IMPORT') throw error;
    // './gradients' may name both gradients.js and a gradients/ directory: the file wins, as in bundlers.
    try {
      return await next(specifier + '.js', context);
    } catch {
      return next(specifier + '/index.js', context);
    }
  }
}`;

let loading: Promise<Tf> | undefined;
let hooked = false;

/**
 * Load @tensorflow/tfjs-core with its CPU backend and gradients, once. Both packages are optional peer
 * dependencies: when missing, the error says how to install them (or to return gradients yourself).
 */
export function loadTf(): Promise<Tf> {
  loading ??= (async () => {
    try {
      // Computed specifiers: nothing resolves tfjs unless a custom loss asks for autodiff.
      const tf = await import(CORE);
      await importGradients();
      await import(CPU);
      await tf.setBackend('cpu');
      // The CPU backend prints "install tfjs-node to speed things up" on its first tensor, to the
      // user's terminal. The custom loss's tensors are a few thousand logprobs: that advice is noise,
      // and tfjs-node is a native build. Mark the backend as used instead of silencing all of tfjs.
      const backend = tf.backend() as { firstUse?: boolean };
      if (backend.firstUse === true) backend.firstUse = false;
      return tf;
    } catch (error) {
      loading = undefined;
      throw new ValidationError('custom loss', [
        {
          pointer: '/autodiff',
          rule: 'dependency',
          message:
            `automatic differentiation needs the optional peers ${CORE} and ${CPU}: ` +
            `npm install ${CORE} ${CPU} (or make the loss return { loss, grads }). Cause: ${(error as Error).message}`,
        },
      ]);
    }
  })();
  return loading;
}

/**
 * The hook must be in place before the first attempt: Node caches a failed module load. It only
 * rewrites specifiers that already failed inside tfjs-core, so it is inert elsewhere.
 */
async function importGradients(): Promise<void> {
  if (!hooked) {
    hooked = true;
    try {
      register(`data:text/javascript,${encodeURIComponent(HOOK)}`, import.meta.url);
    } catch {
      // Jest forbids loader hooks; its own resolver already handles extensionless imports.
    }
  }
  await import(`${CORE}/dist/register_all_gradients.js`);
}
