import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessClaim, bearerChallenge, missingAccess, parseScopes, requiredAccess } from './scope.js';

describe('token scopes', () => {
  it('parses scopes, space-separated ones, and names with a port', () => {
    assert.deepEqual(parseScopes(['repository:library/busybox:pull,push', 'registry:catalog:* repository:host:5000/x:pull', 'junk', 'a:b']), [
      { type: 'repository', name: 'library/busybox', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
      { type: 'repository', name: 'host:5000/x', actions: ['pull'] },
    ]);
  });

  it('needs what distribution needs per method', () => {
    assert.deepEqual(requiredAccess('GET', ''), []);
    assert.deepEqual(requiredAccess('HEAD', 'a/b'), [{ type: 'repository', name: 'a/b', actions: ['pull'] }]);
    assert.deepEqual(requiredAccess('PATCH', 'a/b'), [{ type: 'repository', name: 'a/b', actions: ['pull', 'push'] }]);
    assert.deepEqual(requiredAccess('DELETE', 'a/b'), [{ type: 'repository', name: 'a/b', actions: ['delete'] }]);
    assert.deepEqual(requiredAccess('GET', '', { catalog: true }), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  });

  it('finds what a grant lacks, "*" covering every action', () => {
    const need = requiredAccess('PUT', 'a/b');
    assert.deepEqual(missingAccess(need, [{ type: 'repository', name: 'a/b', actions: ['pull'] }]), [{ type: 'repository', name: 'a/b', actions: ['push'] }]);
    assert.deepEqual(missingAccess(need, [{ type: 'repository', name: 'a/b', actions: ['pull'] }, { type: 'repository', name: 'a/b', actions: ['push'] }]), []);
    assert.deepEqual(missingAccess(need, [{ type: 'repository', name: 'a/b', actions: ['*'] }]), []);
    assert.deepEqual(missingAccess(need, [{ type: 'repository', name: 'a/c', actions: ['*'] }]).length, 1);
  });

  it('writes the challenge as distribution does', () => {
    assert.equal(
      bearerChallenge('https://r/service/token', 'svc', requiredAccess('POST', 'a/b'), 'insufficient_scope'),
      'Bearer realm="https://r/service/token",service="svc",scope="repository:a/b:pull,push",error="insufficient_scope"',
    );
  });

  it('keeps only well-formed access claims', () => {
    assert.deepEqual(accessClaim([{ type: 'repository', name: 'a', actions: ['pull'] }, { type: 'repository', name: 'b', actions: [1] }, null]), [{ type: 'repository', name: 'a', actions: ['pull'] }]);
    assert.deepEqual(accessClaim('everything'), []);
  });
});
