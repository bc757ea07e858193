import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { apiError } from '../common/api-error';
import type { ApiRequest } from '../common/http-types';
import { PUBLIC_ROUTE, PUBLIC_WHEN } from './public.decorator';
import { bearerToken, TokenMatcher } from './token-matcher';

/** Paths that authenticate themselves (the SendGrid webhook uses Basic auth in its URL). */
const SELF_AUTHENTICATED_PATHS = ['/v1/email/inbound'];

/** Global guard: a configured bearer token on every route that is not public. 401 missing, 403 wrong. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly matcher: TokenMatcher;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    this.matcher = new TokenMatcher(config.authTokens);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const when = this.reflector.getAllAndOverride<keyof ApiConfig | undefined>(PUBLIC_WHEN, targets);
    if (when && this.config[when] === true) return true;

    const req = context.switchToHttp().getRequest<ApiRequest>();
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    if (SELF_AUTHENTICATED_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) return true;
    if (this.config.authDisabled) {
      req.principal = 'anonymous';
      return true;
    }

    const token = bearerToken(req.headers.authorization);
    if (!token) throw apiError(401, 'Missing bearer token: send "Authorization: Bearer <token>"');
    const name = this.matcher.match(token);
    if (!name) throw apiError(403, 'Invalid bearer token');
    req.principal = name;
    return true;
  }
}
