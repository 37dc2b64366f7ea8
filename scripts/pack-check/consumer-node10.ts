// The commonest CommonJS setup, `"module": "commonjs"` (TypeScript's node10 resolution: no `exports`, no
// esModuleInterop), compiled by pack-install-check.mjs against the packed declarations with the strictest
// settings: Node 20.19+ `require`s the packages, so their types must resolve there too, subpaths included
// (through `typesVersions`; Tinkex's own declarations import `pristine-kernel/protobuf`).
import { ServiceClient } from 'tinkex';
import { l2 } from 'tinkex/regularizers';
import { createKernel } from 'pristine-kernel';
import { create } from 'pristine-kernel/protobuf';

export const used = [new ServiceClient({ api_key: 'tml-pack-check' }), l2, createKernel, create] as const;
