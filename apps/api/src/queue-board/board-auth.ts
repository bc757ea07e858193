import { Logger } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
import type { AuthenticatedRequest } from '../auth/authenticated-request';
import { bearerToken, TokenMatcher } from '../auth/token-matcher';
import { describeIdentity } from '../auth/token-scope';
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
 * send bearer headers to a page. Same matcher and error shape as the rest of the API.
 */
export function queueBoardAuth(config: ApiConfig) {
  const logger = new Logger('QueueBoardAuth');
  const matcher = new TokenMatcher(config.authTokens);
  const refuse = (res: ApiResponse, status: 401 | 403, message: string, details?: object): void => {
    if (status === 401) res.setHeader('WWW-Authenticate', QUEUE_BOARD_CHALLENGE);
    res.status(status).json({ statusCode: status, error: status === 401 ? 'Unauthorized' : 'Forbidden', message, ...(details ? { details } : {}) });
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
    const identity = matcher.match(presented);
    if (!identity) {
      // A wrong Basic password answers 401 so the browser asks again; a wrong bearer token is 403 as everywhere else.
      return basic !== null ? refuse(res, 401, 'Invalid credentials: the password must be an admin token') : refuse(res, 403, 'Invalid bearer token');
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
  };
}
