import type { RouteOptions, onRequestHookHandler } from 'fastify';

const PLATFORM = Symbol('platform onRequest hooks');

/**
 * Adds an onRequest hook to one route (from an `onRoute` hook), after the hooks that earlier
 * platform plugins attached and before the route's own. Per-route hooks let a plugin skip
 * the routes it does not apply to at start instead of on every request.
 */
export function prependOnRequest(route: RouteOptions, hook: onRequestHookHandler) {
  const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
  const platform = (route as { [PLATFORM]?: number })[PLATFORM] ?? 0;
  route.onRequest = [...own.slice(0, platform), hook, ...own.slice(platform)];
  (route as { [PLATFORM]?: number })[PLATFORM] = platform + 1;
}
