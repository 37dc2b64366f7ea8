import { closestName } from '../options/closest-name.js';
import { PristineError } from './pristine-error.js';

/** An id no plugin declares, with the declared one it most likely meant (`tiks` → `ticks`). */
export function unknownEndpoint(endpointId: string, declared: Iterable<string>): PristineError {
  const hint = closestName(String(endpointId), declared);
  return new PristineError(`Unknown endpoint "${endpointId}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
}
