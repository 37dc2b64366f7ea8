import type { Stage } from 'pristine-kernel';
import { shapeV025Body } from '../protocol/body-rules.js';
import { HANDSHAKE_ENDPOINTS, type TinkerProtocol } from '../protocol/tinker-protocol.js';

/**
 * Placed after `validate`: a call waits for the protocol negotiation (bad input has failed by then, so
 * it never triggers a handshake), and in 0.25 mode its JSON body gets that version's shape (`type`
 * tags, defaults, no nulls). The handshake's own calls pass straight through.
 */
export function negotiateStage(protocol: TinkerProtocol): Stage {
  return {
    name: 'tinker-negotiate',
    async run(context, next) {
      // Plugin stages join the kernel-wide pipeline: other plugins' calls on the same kernel pass by.
      if (context.plugin.spec.name !== 'tinker') return next();
      const id = context.endpoint.id;
      if (HANDSHAKE_ENDPOINTS.has(id)) return next();
      if (context.endpoint.spec.auth !== false) await protocol.ensure();
      if (protocol.mode === 'v025' && !context.endpoint.spec.requestBody)
        context.input = shapeV025Body(id, context.input);
      return next();
    },
  };
}
