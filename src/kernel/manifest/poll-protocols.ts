import type { PollContext, PollProtocol } from '../../ports/futures.js';
import type { EndpointId, EndpointOf, InputOf, ManifestSpec, ResponseBodyOf } from './types.js';

// How `definePlugin` types the poll protocols written in its `pollProtocols`: each protocol's `read`
// takes the poll endpoint's response type and its `requestId` the response type of the endpoints that
// name it (`future: 'name'`), so an author reads the fields without a cast. A protocol declared on its
// own (`const jobs: PollProtocol = …`, `pollEndpoint: string`) keeps `unknown` and is taken as before.

/** The response body of the submit endpoints polled with the protocol `Name` (`unknown` if none). */
export type SubmitBodyOf<M extends ManifestSpec, Name extends string> = [
  Extract<M['endpoints'][number], { future: Name }>,
] extends [never]
  ? unknown
  : ResponseBodyOf<Extract<M['endpoints'][number], { future: Name }>>;

/** What a protocol polling endpoint `Id` sends: that endpoint's input. */
export interface Polling<M extends ManifestSpec, Id extends string> {
  pollEndpoint: Id;
  pollInput(context: PollContext): InputOf<M, Id>;
}

/**
 * The protocol `Name` polling endpoint `Id`. With `resultBodies` some answers are decoded by a codec
 * rather than checked against the response schema, so `read` then declares `body: unknown` itself.
 */
export type PollProtocolFor<M extends ManifestSpec, Name extends string, Id extends string> = string extends
  EndpointId<M> | Id
  ? PollProtocol<any>
  : Id extends EndpointId<M>
    ? | (PollProtocol<any, ResponseBodyOf<EndpointOf<M, Id>>, SubmitBodyOf<M, Name>> &
          Polling<M, Id> & { resultBodies?: undefined })
      | (PollProtocol<any, unknown, SubmitBodyOf<M, Name>> &
          Polling<M, Id> & {
            resultBodies(context: PollContext): Readonly<Record<string, unknown>> | undefined;
          })
    : PollProtocol<any>; // not this manifest's endpoint: nothing is known of its body

/**
 * A plugin's poll protocols by name, `Polls` naming each one's poll endpoint (inferred by
 * `definePlugin` from the protocols themselves).
 */
export type PollProtocols<M extends ManifestSpec, Polls extends Record<string, string>> = {
  [Name in keyof Polls]: PollProtocolFor<M, Name & string, Polls[Name]> & { pollEndpoint: Polls[Name] };
};
