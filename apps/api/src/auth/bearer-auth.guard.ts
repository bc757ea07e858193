import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { apiError } from '../common/api-error';
import type { AuthenticatedRequest } from './authenticated-request';
import { PUBLIC_ROUTE, PUBLIC_WHEN } from './public.decorator';
import { ROUTE_POLICY, scopesFor } from './route-policy';
import { routeKey } from './route-key';
import { TokenLookup } from './token-lookup';
import { bearerToken } from './token-matcher';
import { describeIdentity, type TokenIdentity } from './token-scope';
import { WorkerBindingCheck } from './worker-binding';

/** Paths that authenticate themselves (the SendGrid webhook uses Basic auth in its URL). */
const SELF_AUTHENTICATED_PATHS = ['/v1/email/inbound'];

/**
 * Global guard: a known bearer token (A2A_AUTH_TOKENS, then api_tokens: see TokenLookup) on every
 * route that is not public (401 missing, 403 unknown), then the token's scope against the route
 * policy (403 naming the scope needed).
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly logger = new Logger(BearerAuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly workerBinding: WorkerBindingCheck,
    private readonly tokens: TokenLookup,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const when = this.reflector.getAllAndOverride<keyof ApiConfig | undefined>(PUBLIC_WHEN, targets);
    if (when && this.config[when] === true) return true;

    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    if (SELF_AUTHENTICATED_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) return true;
    if (this.config.authDisabled) {
      req.principal = 'anonymous';
      return true;
    }

    const token = bearerToken(req.headers.authorization);
    if (!token) throw apiError(401, 'Missing bearer token: send "Authorization: Bearer <token>"');
    // Unknown, revoked and expired tokens get the same answer.
    const identity = await this.tokens.identify(token);
    if (!identity) throw apiError(403, 'Invalid bearer token');
    req.auth = identity;
    req.principal = describeIdentity(identity);
    if (identity.scope === 'admin') return true;

    await this.authorize(identity, routeKey(context.getClass(), context.getHandler()), req);
    return true;
  }

  /** Throws 403 unless the route's policy lets this client or worker token through. */
  private async authorize(identity: TokenIdentity, route: string | null, req: AuthenticatedRequest): Promise<void> {
    const rule = route ? ROUTE_POLICY[route] : undefined;
    const where = route ?? `${req.method} ${(req.originalUrl ?? '').split('?')[0]}`;
    if (identity.scope === 'client' && rule?.client) return;
    if (identity.scope === 'worker' && rule?.worker && identity.workerId) {
      const why = await this.workerBinding.refusal(rule.worker, req, identity.workerId);
      if (why === null) return;
      throw this.refuse(identity, where, `This token is bound to worker "${identity.workerId}": ${why}`, scopesFor(rule));
    }
    const needed = scopesFor(rule);
    throw this.refuse(identity, where, `${where} needs a token with scope ${needed.join(' or ')}; this token has scope ${identity.scope}`, needed);
  }

  private refuse(identity: TokenIdentity, route: string, message: string, needed: string[]) {
    // The token's name, never the token.
    this.logger.warn({ msg: 'request refused by token scope', token_name: identity.name, scope: identity.scope, worker_id: identity.workerId, route, reason: message });
    return apiError(403, message, { required_scopes: needed, token_scope: identity.scope, ...(identity.workerId ? { token_worker_id: identity.workerId } : {}) });
  }
}
