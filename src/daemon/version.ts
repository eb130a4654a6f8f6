import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** berth's version, from package.json; the commit is stamped at build time into dist/version.json. */
function readVersion(): { version: string; commit: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', '..', '..'), join(here, '..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { version: string };
      let commit = '';
      try {
        commit = (JSON.parse(readFileSync(join(candidate, 'dist', 'version.json'), 'utf8')) as { commit: string }).commit;
      } catch {
        // Not stamped (a development build): leave empty rather than invent one.
      }
      return { version: pkg.version, commit };
    } catch {
      continue;
    }
  }
  return { version: '0.0.0-dev', commit: '' };
}

const found = readVersion();
export const BERTH_VERSION = found.version;
export const GIT_COMMIT = found.commit;
