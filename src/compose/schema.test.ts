import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from './schema.js';
import { COMPOSE_SCHEMA } from './schema-data.js';

const validator = new Validator(COMPOSE_SCHEMA);
const errors = (data: unknown) => validator.validate(data).map((e) => `${e.path}: ${e.message}`);

test('a valid file has no errors, extensions included', () => {
  const file = {
    name: 'demo',
    'x-common': { a: 1 },
    services: {
      web: {
        image: 'nginx',
        ports: ['8080:80', { target: 81, published: '8081', protocol: 'udp' }],
        environment: ['A=1'],
        depends_on: { db: { condition: 'service_healthy' } },
        healthcheck: { test: ['CMD', 'true'], interval: '5s' },
        deploy: { replicas: 2, resources: { limits: { memory: '50M' } } },
        'x-note': 'ok',
      },
      db: { build: '.', volumes: ['data:/var/lib/mysql'] },
    },
    volumes: { data: null },
    networks: { front: { ipam: { config: [{ subnet: '172.28.0.0/16' }] } } },
  };
  assert.deepEqual(errors(file), []);
});

test('unknown keys and wrong types are named by path', () => {
  assert.deepEqual(errors({ services: { web: { image: 'x', prots: [] } } }), ["services.web: additional properties 'prots' not allowed"]);
  assert.deepEqual(errors({ services: { web: { image: 'x', ports: [true] } } }), ['services.web.ports[0]: must be a number or a string or an object']);
  assert.deepEqual(errors({ services: { web: { image: 'x', privileged: 3 } } }), ['services.web.privileged: must be a boolean or a string']);
  assert.deepEqual(errors({ services: { web: { image: 'x', depends_on: { db: { condition: 'sometimes' } } } } }), [
    'services.web.depends_on.db.condition: must be one of "service_started", "service_healthy", "service_completed_successfully"',
  ]);
});

test('uniqueItems and required', () => {
  assert.deepEqual(errors({ services: { web: { image: 'x', dns: ['1.1.1.1', '1.1.1.1'] } } }), ['services.web.dns[1]: items at index 0 and 1 are equal']);
  assert.deepEqual(errors({ services: { web: { image: 'x', extends: { file: 'a.yaml' } } } }), ["services.web.extends: missing property 'service'"]);
});
