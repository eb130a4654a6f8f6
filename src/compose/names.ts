/** Project names (04-version-and-name.md): lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
import { invalid } from '../lib/errors.js';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** A directory name made into a project name, as compose v2 does: lowercased, other characters dropped. */
export function normaliseProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

export function checkProjectName(name: string): string {
  if (name === '') throw invalid('project name must not be empty');
  if (!VALID.test(name)) {
    throw invalid(`invalid project name ${JSON.stringify(name)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`);
  }
  return name;
}
