import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { API_PREFIX, LEGACY_API_PREFIX } from '#contracts';

const firstPath = (value: unknown): string => (Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' ? value : '');

/**
 * `PUT /v1/agent/tasks/:id/status`: the route as its controller declares it (Nest's reflected
 * metadata, not the raw URL), with the legacy prefix folded onto the canonical one. Null for a
 * handler that is not a route.
 */
export function routeKey(controller: object, handler: object): string | null {
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  if (method === undefined) return null;
  const joined = `/${firstPath(Reflect.getMetadata(PATH_METADATA, controller))}/${firstPath(Reflect.getMetadata(PATH_METADATA, handler))}`;
  let path = joined.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  if (path === LEGACY_API_PREFIX || path.startsWith(`${LEGACY_API_PREFIX}/`)) path = API_PREFIX + path.slice(LEGACY_API_PREFIX.length);
  return `${RequestMethod[method]} ${path}`;
}
