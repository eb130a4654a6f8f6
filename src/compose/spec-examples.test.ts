/**
 * The compose-spec's own examples (the ```yaml blocks with a top-level
 * `services:` in /work/shared/reference/compose-spec/*.md) load, and are
 * printed by `config` in normalised form; the few that are deliberately
 * fragments (merge illustrations with placeholder keys, includes of files
 * that are not there, a newer-than-schema key) fail with the expected error.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { toYaml } from './output.js';
import { loadProject } from './project.js';

const SPEC = '/work/shared/reference/compose-spec';

const EXPECTED_FAILURES: Array<[string, RegExp]> = [
  ['05-services.md', /additional properties 'pre_start' not allowed/],
  ['11-extension.md', /depends on undefined service "gateway"/],
  ['13-merge.md', /additional properties '(key1|key2|DNS)' not allowed|services: must be an object/],
  ['14-include.md', /no such file or directory/],
  ['build.md', /Map keys must be unique/],
];

function examples(): Array<{ file: string; text: string }> {
  return readdirSync(SPEC).filter((f) => f.endsWith('.md')).sort().flatMap((file) =>
    [...readFileSync(join(SPEC, file), 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((y) => /^services:/m.test(y)).map((text) => ({ file, text })));
}

test('the compose-spec examples load and print normalised', { skip: existsSync(SPEC) ? undefined : 'compose-spec reference not present' }, () => {
  let loaded = 0;
  for (const { file, text } of examples()) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-spec-example-'));
    try {
      writeFileSync(join(dir, 'compose.yaml'), text);
      // Fragments: undeclared volumes, services without an image (`config --no-consistency`, as compose v2 needs for them).
      const project = loadProject({ files: [join(dir, 'compose.yaml')], cwd: dir, env: {}, consistency: false });
      const printed = parse(toYaml(project.model)) as Record<string, Record<string, Record<string, unknown>>>;
      assert.equal(printed.name, project.name);
      // Normalised: every service has its networks, ports and volumes in long syntax.
      for (const service of Object.values(printed.services ?? {})) {
        if (!service.network_mode) assert.ok(service.networks, `${file}: a service without networks in\n${text}`);
        for (const p of (service.ports ?? []) as unknown[]) assert.equal(typeof p, 'object', `${file}: port ${String(p)}`);
        for (const v of (service.volumes ?? []) as unknown[]) assert.equal(typeof v, 'object', `${file}: volume ${String(v)}`);
      }
      loaded++;
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      const expected = EXPECTED_FAILURES.find(([f, re]) => f === file && re.test((err as Error).message));
      assert.ok(expected, `${file}: unexpected failure ${(err as Error).message}\n${text}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.ok(loaded >= 70, `only ${loaded} examples loaded`);
});
