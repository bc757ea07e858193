import type { ApiRequest } from '../common/http-types';
import type { TokenIdentity } from './token-scope';

/**
 * A request the bearer guard let through. `principal` (ApiRequest) is the short form the request
 * log prints (`ci@client`, `box1@worker/box1`); `auth` is the same identity as data.
 */
export interface AuthenticatedRequest extends ApiRequest {
  auth?: TokenIdentity;
}

