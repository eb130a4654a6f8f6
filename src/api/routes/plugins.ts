import { invalid, notFound, notImplemented } from '../../lib/errors.js';
import type { Router } from '../router.js';
import { filtersParam } from '../request.js';
import { sendJson } from '../respond.js';

/** dockerd's plugin list filters, and the values `enabled` takes. */
const FILTERS = new Set(['capability', 'enabled']);

const unsupported = () => notImplemented('plugins are not supported by berthd: it has no plugin manager');

/**
 * /plugins: berthd has no managed plugins (its volume and network drivers are
 * built in), so the list is empty and no plugin can be found. Clients list
 * plugins before anything else (the Go client, dockerd's test harness), so
 * these answer as a dockerd with no plugins installed does; whatever would
 * install or change a plugin says plainly that berthd does not do plugins.
 */
export function pluginRoutes(router: Router): void {
  router.add('GET', '/plugins', async (req, res) => {
    for (const [name, values] of filtersParam(req.query)) {
      if (!FILTERS.has(name)) throw invalid(`Invalid filter '${name}'`);
      const bad = name === 'enabled' ? values.find((v) => v !== 'true' && v !== 'false') : undefined;
      if (bad !== undefined) throw invalid(`Invalid filter 'enabled=[${bad}]'`);
    }
    sendJson(res, 200, []);
  });

  router.add('GET', '/plugins/privileges', async () => {
    throw unsupported();
  });
  router.add('GET', '/plugins/{name}/json', async (req) => {
    throw notFound(`plugin ${JSON.stringify(req.params.name)} not found`);
  });
  for (const path of ['/plugins/pull', '/plugins/create', ...['enable', 'disable', 'push', 'upgrade', 'set'].map((a) => `/plugins/{name}/${a}`)]) {
    router.add('POST', path, async () => {
      throw unsupported();
    });
  }
  router.add('DELETE', '/plugins/{name}', async () => {
    throw unsupported();
  });
}
