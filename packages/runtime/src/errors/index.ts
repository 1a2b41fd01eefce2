export { RecaError, type RecaErrorOptions } from './reca-error.js';
export { InvalidArgumentError } from './invalid-argument-error.js';
export { ShapeMismatchError } from './shape-mismatch-error.js';
export { BackendUnavailableError } from './backend-unavailable-error.js';
