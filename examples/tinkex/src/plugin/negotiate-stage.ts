import { abortErrorFor, type CallContext, enteringStage, type Stage, untilAborted } from 'pristine-kernel';
import { shapeV025Body } from '../protocol/body-rules.js';
import type { TinkerHolders } from '../protocol/holders.js';
import { HANDSHAKE_ENDPOINTS, type TinkerProtocol } from '../protocol/tinker-protocol.js';
import { TinkerAuth } from './tinker-auth.js';

/**
 * Placed after `validate`: a call waits for its holder's protocol negotiation (bad input has failed by
 * then, so it never triggers a handshake), and in 0.25 mode its JSON body gets that version's shape (`type`
 * tags, defaults, no nulls). The handshake's own calls pass straight through.
 */
export function negotiateStage(holders: TinkerHolders): Stage {
  // `enter`, not `run`: once negotiated it has nothing left to do after the next stage, so the kernel's
  // stages around it keep settling their hooks (and the kernel's own last step) in one `then` per call.
  return enteringStage({
    name: 'tinker-negotiate',
    enter(context, next) {
      // Plugin stages join the kernel-wide pipeline: other plugins' calls on the same kernel pass by.
      if (context.plugin.spec.name !== 'tinker') return false;
      const id = context.endpoint.id;
      if (HANDSHAKE_ENDPOINTS.has(id)) return false;
      // The holder of this call (sessionful or session-less) negotiates on its own first call; the
      // caller's signal ends its wait, not the handshake other calls share.
      // A call that names a holder's scheme (per-call `auth`) belongs to that holder.
      const protocol = context.auth instanceof TinkerAuth ? context.auth.holderFor(id) : holders.of(id);
      // Once negotiated (every call but the first few): no async frame, no promise, no closure per call.
      if (protocol.mode !== undefined || context.endpoint.spec.auth === false) {
        shape(context, protocol);
        return false;
      }
      const signal = context.options.signal;
      // An already-aborted call starts no handshake.
      if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
      return untilAborted(protocol.ensure(), signal).then(() => {
        shape(context, protocol);
        return next();
      });
    },
  });
}

/** In 0.25 mode a JSON body gets that version's shape. */
function shape(context: CallContext, protocol: TinkerProtocol): void {
  if (protocol.mode === 'v025' && !context.endpoint.spec.requestBody)
    context.input = shapeV025Body(context.endpoint.id, context.input);
}
