import { HttpException, Logger } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
import type { AuthenticatedRequest } from '../auth/authenticated-request';
import type { TokenLookup } from '../auth/token-lookup';
import { bearerToken } from '../auth/token-matcher';
import { describeIdentity, type TokenIdentity } from '../auth/token-scope';
import { toErrorBody } from '../common/api-exception.filter';
import type { ApiResponse } from '../common/http-types';

type Next = (err?: unknown) => void;

/** Browsers show a login prompt for this challenge; the password is an admin token. */
export const QUEUE_BOARD_CHALLENGE = 'Basic realm="codefleet"';

/** The password of `Authorization: Basic base64(user:password)`; the user name is ignored. */
export function basicAuthPassword(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  return sep < 0 || sep === decoded.length - 1 ? null : decoded.slice(sep + 1);
}

/**
 * Admin-only access to the board, which is plain Express (outside Nest's guard): a bearer
 * header for scripts, or Basic auth whose password is the token for browsers, which cannot
 * send bearer headers to a page. Same token lookup (A2A_AUTH_TOKENS, then api_tokens) and error
 * shape as the rest of the API.
 */
export function queueBoardAuth(config: ApiConfig, tokens: Pick<TokenLookup, 'identify'>) {
  const logger = new Logger('QueueBoardAuth');
  const refuse = (res: ApiResponse, status: 401 | 403, message: string, details?: object): void => {
    if (status === 401) res.setHeader('WWW-Authenticate', QUEUE_BOARD_CHALLENGE);
    res.status(status).json({ statusCode: status, error: status === 401 ? 'Unauthorized' : 'Forbidden', message, ...(details ? { details } : {}) });
  };

  /** The lookup's 503 (token store down) in the API's error shape; anything else goes to Express. */
  const lookupFailed = (res: ApiResponse, next: Next, err: unknown): void => {
    if (!(err instanceof HttpException)) return next(err);
    res.status(err.getStatus()).json(toErrorBody(err).body);
  };

  return (req: AuthenticatedRequest, res: ApiResponse, next: Next): void => {
    if (config.authDisabled) {
      req.principal = 'anonymous';
      return next();
    }
    const bearer = bearerToken(req.headers.authorization);
    const basic = bearer === null ? basicAuthPassword(req.headers.authorization) : null;
    const presented = bearer ?? basic;
    if (presented === null) {
      return refuse(res, 401, 'The queue board needs an admin token: "Authorization: Bearer <token>", or Basic auth with the token as password');
    }
    tokens
      .identify(presented)
      .then(
        (identity) => admit(req, res, next, identity, basic !== null),
        (err: unknown) => lookupFailed(res, next, err),
      )
      .catch(next);
  };

  function admit(req: AuthenticatedRequest, res: ApiResponse, next: Next, identity: TokenIdentity | null, viaBasic: boolean): void {
    if (!identity) {
      // A wrong Basic password answers 401 so the browser asks again; a wrong bearer token is 403 as everywhere else.
      return viaBasic ? refuse(res, 401, 'Invalid credentials: the password must be an admin token') : refuse(res, 403, 'Invalid bearer token');
    }
    req.auth = identity;
    req.principal = describeIdentity(identity);
    if (identity.scope !== 'admin') {
      logger.warn({ msg: 'request refused by token scope', token_name: identity.name, scope: identity.scope, route: 'queue board' });
      return refuse(res, 403, `The queue board needs a token with scope admin; this token has scope ${identity.scope}`, {
        required_scopes: ['admin'],
        token_scope: identity.scope,
      });
    }
    next();
  }
}
