import { ForwardBackwardRequestSchema as ForwardBackwardRequestProto } from '../proto/gen/tinker_public_pb.js';
import type { EndpointSpec } from 'pristine-kernel';
import { WeightsInfoResponseSchema } from '../types/checkpoints.js';
import { UntypedAPIFutureSchema } from '../types/futures.js';
import {
  CreateModelRequestSchema,
  ForwardBackwardRequestSchema,
  ForwardRequestSchema,
  GetInfoRequestSchema,
  LoadWeightsRequestSchema,
  OptimStepRequestSchema,
  SaveWeightsForSamplerRequestSchema,
  SaveWeightsRequestSchema,
  UnloadModelRequestSchema,
  WeightsInfoRequestSchema,
} from '../types/requests.js';
import { GetInfoResponseSchema } from '../types/responses.js';

/** Models, training and weights (the TRAIN pool; one request at a time per model). */
export const trainingEndpoints = [
  // Models
  {
    id: 'create_model',
    method: 'POST',
    path: '/api/v1/create_model',
    resource: 'training',
    future: 'tinker',
    input: CreateModelRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  {
    id: 'get_info',
    method: 'POST',
    path: '/api/v1/get_info',
    resource: 'training',
    input: GetInfoRequestSchema,
    response: GetInfoResponseSchema,
  },
  {
    id: 'unload_model',
    method: 'POST',
    path: '/api/v1/unload_model',
    resource: 'training',
    future: 'tinker',
    input: UnloadModelRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  // Training
  {
    id: 'forward',
    method: 'POST',
    path: '/api/v1/forward',
    resource: 'training',
    future: 'tinker',
    input: ForwardRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  {
    id: 'forward_backward',
    method: 'POST',
    path: '/api/v1/forward_backward',
    resource: 'training',
    future: 'tinker',
    input: ForwardBackwardRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  // 0.25.0: forward and forward_backward are one protobuf endpoint (`forward_only` tells them apart);
  // two ids so polls name the request type. Input is the ForwardBackwardRequest message, built from
  // data validated by the client; `fwdbwdBytes` charges the dispatch byte budget from /client/config.
  {
    id: 'forward_backward_proto',
    callName: 'forward_backward',
    method: 'POST',
    path: '/api/v1/forward_backward',
    resource: 'fwdbwd',
    future: 'tinker',
    weight: 'fwdbwdBytes',
    requestBody: { contentType: 'application/x-protobuf', schema: ForwardBackwardRequestProto },
    response: UntypedAPIFutureSchema,
  },
  {
    id: 'forward_proto',
    callName: 'forward',
    method: 'POST',
    path: '/api/v1/forward_backward',
    resource: 'fwdbwd',
    future: 'tinker',
    weight: 'fwdbwdBytes',
    requestBody: { contentType: 'application/x-protobuf', schema: ForwardBackwardRequestProto },
    response: UntypedAPIFutureSchema,
  },
  {
    id: 'optim_step',
    method: 'POST',
    path: '/api/v1/optim_step',
    resource: 'training',
    future: 'tinker',
    input: OptimStepRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  // Weights
  {
    id: 'save_weights',
    method: 'POST',
    path: '/api/v1/save_weights',
    resource: 'training',
    future: 'tinker',
    input: SaveWeightsRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  {
    id: 'load_weights',
    method: 'POST',
    path: '/api/v1/load_weights',
    resource: 'training',
    future: 'tinker',
    input: LoadWeightsRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  {
    id: 'save_weights_for_sampler',
    method: 'POST',
    path: '/api/v1/save_weights_for_sampler',
    resource: 'training',
    future: 'tinker',
    input: SaveWeightsForSamplerRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  {
    id: 'weights_info',
    method: 'POST',
    path: '/api/v1/weights_info',
    resource: 'training',
    input: WeightsInfoRequestSchema,
    response: WeightsInfoResponseSchema,
  },
] as const satisfies readonly EndpointSpec[];
