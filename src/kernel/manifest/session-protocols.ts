import type { SessionProtocol } from '../../ports/sessions.js';
import type { EndpointId, InputOf, ManifestSpec, OutputOf } from './types.js';

// How `definePlugin` types the session protocols written in its `sessionProtocols`, as it types poll
// protocols: `sessionId` and `onCreated` take the create endpoint's response type, `heartbeatInput`
// returns the heartbeat endpoint's input type, and `kernel.sessions.open` takes the create endpoint's
// input. A protocol declared on its own (`const main: SessionProtocol = …`) keeps `unknown`.

/**
 * The session protocol opened with endpoint `Create` and kept alive with endpoint `Beat` (untyped when
 * either is not one of the manifest's literal ids).
 */
export type SessionProtocolFor<
  M extends ManifestSpec,
  Create extends string,
  Beat extends string,
> = string extends EndpointId<M> | Create | Beat
  ? SessionProtocol<any>
  : [Create, Beat] extends [EndpointId<M>, EndpointId<M>]
    ? SessionProtocol<InputOf<M, Create>, OutputOf<M, Create>, InputOf<M, Beat>> & {
        createEndpoint: Create;
        heartbeatEndpoint: Beat;
      }
    : SessionProtocol<any>; // not this manifest's endpoints: nothing is known of their bodies

/**
 * A plugin's session protocols by name, `Creates` and `Beats` naming each one's create and heartbeat
 * endpoints (inferred by `definePlugin` from the protocols themselves).
 */
export type SessionProtocols<
  M extends ManifestSpec,
  Creates extends Record<string, string>,
  Beats extends Record<string, string>,
> = {
  [Name in keyof Creates]: SessionProtocolFor<M, Creates[Name], Beats[Name & keyof Beats] & string> & {
    createEndpoint: Creates[Name];
  };
} & { [Name in keyof Beats]: { heartbeatEndpoint: Beats[Name] } };
