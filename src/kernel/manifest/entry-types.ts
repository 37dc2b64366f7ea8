// The types of the kernel's typed entry points beyond a call's input (`InputArgs`): what `execute`
// resolves with, what a call with its own `responseBodies` takes, and what `validateInput` takes.
import type { TransportResponse } from '../../ports/transport.js';
import type { CallOptions, CallResult } from '../plugin-contract.js';
import type { EndpointId, EndpointKinds, EndpointOf, InputOf, ManifestSpec, OutputOf } from './types.js';

/**
 * What `kernel.execute` resolves with for a stream endpoint: no body, the live response (its body not
 * yet read) and the attempt's timeout, which the classify stage always sets for streams.
 */
export interface StreamedCallResult extends CallResult<undefined> {
  response: TransportResponse;
  timeoutMs: number;
}

/** What `kernel.execute` resolves with for endpoint `Id`: the streamed result, or the decoded body's. */
export type ExecuteResultOf<M extends ManifestSpec, Id extends string> = [EndpointOf<M, Id>] extends [
  EndpointKinds['stream'],
]
  ? [EndpointOf<M, Id>] extends [never]
    ? CallResult
    : StreamedCallResult
  : CallResult<OutputOf<M, Id>>;

/**
 * The ids `kernel.validateInput` takes: one of the kernel's endpoint ids, or a computed `string`; any id
 * when the kernel's own are not literal (a plain `Kernel`), so a typo in a literal id is a compile error.
 */
export type CheckedId<M extends ManifestSpec, Id extends string> = string extends Id | EndpointId<M>
  ? Id
  : [EndpointId<M>] extends [never]
    ? Id
    : Id extends EndpointId<M>
      ? Id
      : EndpointId<M>;

/**
 * What `kernel.validateInput` takes for endpoint `Id`: a literal id's input type, or anything when the id
 * is computed or the kernel's ids are not literal.
 */
export type CheckedInput<M extends ManifestSpec, Id extends string> = string extends Id | EndpointId<M>
  ? unknown
  : [EndpointId<M>] extends [never]
    ? unknown
    : InputOf<M, Id>;

/** A call's options naming its own `responseBodies`: a codec may decode the body, which is then `unknown`. */
export type DecodingCallOptions = CallOptions & {
  responseBodies: Readonly<Record<string, unknown>> | undefined;
};

/**
 * The arguments of `call` and `execute` with a call's own `responseBodies` (the body is `unknown`, not the
 * response schema's type): the input, which may be `undefined` when nothing in it is required, then them.
 */
export type DecodingArgs<M extends ManifestSpec, Id extends string> =
  Record<string, never> extends InputOf<M, Id>
    ? [input: InputOf<M, Id> | undefined, options: DecodingCallOptions]
    : [input: InputOf<M, Id>, options: DecodingCallOptions];
