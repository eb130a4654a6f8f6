/**
 * The registry's HTTP API driven by raw requests: every endpoint of the OCI
 * distribution spec, its error codes, and hostile input (wrong digests,
 * truncated and out-of-order uploads, huge manifests, path tricks in names).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { digestOf, TestRegistry } from './registry-harness.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

function errorCode(res: { json(): any }): string {
  return res.json().errors[0].code;
}

describe('registry API (raw HTTP)', () => {
  let reg: TestRegistry;

  before(async () => {
    reg = await TestRegistry.start(['--delete-enabled']);
  });
  after(async () => {
    await reg?.stop();
  });

  it('answers /v2/ with the API version header, and /debug/health', async () => {
    const res = await reg.request('GET', '/v2/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.equal((await reg.request('GET', '/debug/health')).status, 200);
  });

  it('takes a monolithic POST, serves it by GET and HEAD, with ranges', async () => {
    const data = Buffer.from('0123456789abcdef');
    const digest = await reg.pushBlob('mono/app', data);
    const get = await reg.request('GET', `/v2/mono/app/blobs/${digest}`);
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, data);
    assert.equal(get.headers['docker-content-digest'], digest);
    const head = await reg.request('HEAD', `/v2/mono/app/blobs/${digest}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(data.length));
    assert.equal(head.body.length, 0);
    const range = await reg.request('GET', `/v2/mono/app/blobs/${digest}`, { headers: { Range: 'bytes=4-7' } });
    assert.equal(range.status, 206);
    assert.equal(range.body.toString(), '4567');
    assert.equal(range.headers['content-range'], `bytes 4-7/${data.length}`);
    const tail = await reg.request('GET', `/v2/mono/app/blobs/${digest}`, { headers: { Range: 'bytes=-3' } });
    assert.equal(tail.body.toString(), 'def');
    const beyond = await reg.request('GET', `/v2/mono/app/blobs/${digest}`, { headers: { Range: 'bytes=99-' } });
    assert.equal(beyond.status, 416);
  });

  it('keeps blobs per repository: another repository does not see them until mounted', async () => {
    const digest = await reg.pushBlob('mount/src', 'shared layer');
    const missing = await reg.request('GET', `/v2/mount/dst/blobs/${digest}`);
    assert.equal(missing.status, 404);
    assert.equal(errorCode(missing), 'BLOB_UNKNOWN');
    const mounted = await reg.request('POST', `/v2/mount/dst/blobs/uploads/?mount=${digest}&from=mount/src`);
    assert.equal(mounted.status, 201);
    assert.equal(mounted.headers.location, `/v2/mount/dst/blobs/${digest}`);
    assert.equal((await reg.request('HEAD', `/v2/mount/dst/blobs/${digest}`)).status, 200);
    // Mounting what the source does not have starts an ordinary upload instead.
    const fallback = await reg.request('POST', `/v2/mount/dst/blobs/uploads/?mount=${digestOf('nope')}&from=mount/src`);
    assert.equal(fallback.status, 202);
    assert.match(String(fallback.headers.location), /^\/v2\/mount\/dst\/blobs\/uploads\/[0-9a-f-]{36}$/);
  });

  it('refuses a blob whose digest does not match and leaves nothing behind', async () => {
    const wrong = digestOf('something else');
    const uploadsBefore = await readdir(join(reg.root, 'uploads'));
    const res = await reg.request('POST', `/v2/bad/digest/blobs/uploads/?digest=${wrong}`, { body: 'the real bytes' });
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'DIGEST_INVALID');
    assert.equal((await reg.request('HEAD', `/v2/bad/digest/blobs/${wrong}`)).status, 404);
    assert.equal((await reg.request('HEAD', `/v2/bad/digest/blobs/${digestOf('the real bytes')}`)).status, 404);
    assert.deepEqual(await readdir(join(reg.root, 'uploads')), uploadsBefore);
    const malformed = await reg.request('POST', '/v2/bad/digest/blobs/uploads/?digest=sha256:xyz', { body: 'x' });
    assert.equal(errorCode(malformed), 'DIGEST_INVALID');
    const algorithm = await reg.request('POST', `/v2/bad/digest/blobs/uploads/?digest=md5:${'0'.repeat(32)}`, { body: 'x' });
    assert.equal(algorithm.status, 400);
    assert.equal(errorCode(algorithm), 'DIGEST_INVALID');
  });

  it('does POST then PUT, and chunked PATCHes with Content-Range, status and 416 for out-of-order chunks', async () => {
    const start = await reg.request('POST', '/v2/chunks/app/blobs/uploads/', { headers: { 'Content-Length': '0' } });
    assert.equal(start.status, 202);
    let location = String(start.headers.location);
    const first = await reg.request('PATCH', location, { headers: { 'Content-Range': '0-4', 'Content-Length': '5', 'Content-Type': 'application/octet-stream' }, body: 'hello' });
    assert.equal(first.status, 202);
    assert.equal(first.headers.range, '0-4');
    location = String(first.headers.location);
    const outOfOrder = await reg.request('PATCH', location, { headers: { 'Content-Range': '7-9', 'Content-Length': '3' }, body: 'xyz' });
    assert.equal(outOfOrder.status, 416);
    const status = await reg.request('GET', location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.range, '0-4');
    const second = await reg.request('PATCH', location, { headers: { 'Content-Range': '5-10', 'Content-Length': '6' }, body: ' world' });
    assert.equal(second.headers.range, '0-10');
    const digest = digestOf('hello world!');
    const done = await reg.request('PUT', `${location}?digest=${digest}`, { headers: { 'Content-Range': '11-11', 'Content-Length': '1' }, body: '!' });
    assert.equal(done.status, 201, done.body.toString());
    assert.equal(done.headers['docker-content-digest'], digest);
    assert.equal((await reg.request('GET', `/v2/chunks/app/blobs/${digest}`)).body.toString(), 'hello world!');
    // The session is closed now.
    const after = await reg.request('GET', location);
    assert.equal(after.status, 404);
    assert.equal(errorCode(after), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('cancels an upload with DELETE', async () => {
    const start = await reg.request('POST', '/v2/cancel/app/blobs/uploads/');
    const location = String(start.headers.location);
    await reg.request('PATCH', location, { body: 'partial' });
    assert.equal((await reg.request('DELETE', location)).status, 204);
    const gone = await reg.request('PATCH', location, { body: 'more' });
    assert.equal(gone.status, 404);
    assert.equal(errorCode(gone), 'BLOB_UPLOAD_UNKNOWN');
    // An upload belongs to its repository.
    const other = await reg.request('POST', '/v2/cancel/app/blobs/uploads/');
    const id = String(other.headers.location).split('/').pop();
    assert.equal((await reg.request('GET', `/v2/cancel/other/blobs/uploads/${id}`)).status, 404);
    assert.equal((await reg.request('GET', '/v2/cancel/app/blobs/uploads/not-a-uuid')).status, 404);
  });

  it('cuts off a truncated chunk: the upload stays at its last good offset and can continue', async () => {
    const start = await reg.request('POST', '/v2/trunc/app/blobs/uploads/');
    const location = String(start.headers.location);
    await reg.request('PATCH', location, { headers: { 'Content-Range': '0-3', 'Content-Length': '4' }, body: 'good' });
    // Promise 1000 bytes, send 10, hang up.
    await new Promise<void>((resolve) => {
      const url = new URL(reg.url);
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'PATCH', path: location, headers: { 'Content-Range': '4-1003', 'Content-Length': '1000' } });
      req.on('error', () => resolve());
      req.write('0123456789', () => setTimeout(() => { req.destroy(); resolve(); }, 100));
    });
    let range = '';
    for (let i = 0; i < 50 && range !== '0-3'; i++) {
      range = String((await reg.request('GET', location)).headers.range);
      if (range !== '0-3') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(range, '0-3');
    const digest = digestOf('good bytes');
    const done = await reg.request('PUT', `${location}?digest=${digest}`, { headers: { 'Content-Range': '4-9', 'Content-Length': '6' }, body: ' bytes' });
    assert.equal(done.status, 201, done.body.toString());
  });

  it('a closing PUT with the wrong digest discards the upload', async () => {
    const start = await reg.request('POST', '/v2/wrongput/app/blobs/uploads/');
    const location = String(start.headers.location);
    const res = await reg.request('PUT', `${location}?digest=${digestOf('other')}`, { body: 'content' });
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'DIGEST_INVALID');
    assert.equal((await reg.request('GET', location)).status, 404);
    const noDigest = await reg.request('PUT', String((await reg.request('POST', '/v2/wrongput/app/blobs/uploads/')).headers.location), { body: 'x' });
    assert.equal(errorCode(noDigest), 'DIGEST_INVALID');
  });

  it('stores manifests by tag and digest, for OCI and Docker types, with content negotiation', async () => {
    const oci = await reg.pushImage('man/oci', 'v1');
    const byTag = await reg.request('GET', '/v2/man/oci/manifests/v1', { headers: { Accept: OCI_MANIFEST } });
    assert.equal(byTag.status, 200);
    assert.deepEqual(byTag.body, oci.manifest);
    assert.equal(byTag.headers['content-type'], OCI_MANIFEST);
    assert.equal(byTag.headers['docker-content-digest'], oci.digest);
    const byDigest = await reg.request('GET', `/v2/man/oci/manifests/${oci.digest}`);
    assert.deepEqual(byDigest.body, oci.manifest);
    const head = await reg.request('HEAD', '/v2/man/oci/manifests/v1');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(oci.manifest.length));
    assert.equal(head.headers['docker-content-digest'], oci.digest);

    const docker = await reg.pushImage('man/docker', 'latest', { mediaType: DOCKER_MANIFEST });
    const got = await reg.request('GET', '/v2/man/docker/manifests/latest', { headers: { Accept: `${DOCKER_MANIFEST}, ${DOCKER_LIST}` } });
    assert.equal(got.headers['content-type'], DOCKER_MANIFEST);
    assert.equal(got.headers['docker-content-digest'], docker.digest);
    const refused = await reg.request('GET', '/v2/man/docker/manifests/latest', { headers: { Accept: OCI_MANIFEST } });
    assert.equal(refused.status, 404);
    assert.equal(errorCode(refused), 'MANIFEST_UNKNOWN');

    const unknown = await reg.request('GET', '/v2/man/oci/manifests/nope');
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown), 'MANIFEST_UNKNOWN');
  });

  it('stores an index whose manifests exist, and serves the amd64 image to clients that do not accept indexes', async () => {
    const image = await reg.pushImage('idx/app', 'amd64');
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: image.digest, size: image.manifest.length, platform: { os: 'linux', architecture: 'amd64' } }],
    }));
    const put = await reg.request('PUT', '/v2/idx/app/manifests/multi', { headers: { 'Content-Type': OCI_INDEX }, body: index });
    assert.equal(put.status, 201, put.body.toString());
    assert.equal((await reg.request('GET', '/v2/idx/app/manifests/multi', { headers: { Accept: OCI_INDEX } })).headers['content-type'], OCI_INDEX);
    const downgraded = await reg.request('GET', '/v2/idx/app/manifests/multi', { headers: { Accept: OCI_MANIFEST } });
    assert.equal(downgraded.headers['docker-content-digest'], image.digest);

    const dangling = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: digestOf('none'), size: 4 }] }));
    const res = await reg.request('PUT', '/v2/idx/app/manifests/dangling', { headers: { 'Content-Type': OCI_INDEX }, body: dangling });
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), 'MANIFEST_BLOB_UNKNOWN');
  });

  it('refuses manifests that are invalid, reference unknown blobs, mismatch their digest, or are too large', async () => {
    const config = await reg.pushBlob('bad/man', '{}');
    const manifest = (layers: unknown[]) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 }, layers }));
    const put = (ref: string, body: Buffer | string, type = OCI_MANIFEST) => reg.request('PUT', `/v2/bad/man/manifests/${ref}`, { headers: { 'Content-Type': type }, body });

    const missing = await put('t', manifest([{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf('absent'), size: 6 }]));
    assert.equal(missing.status, 400);
    assert.equal(errorCode(missing), 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(missing.json().errors[0].detail.digest, digestOf('absent'));

    assert.equal(errorCode(await put('t', 'not json')), 'MANIFEST_INVALID');
    assert.equal(errorCode(await put('t', manifest([]), DOCKER_MANIFEST)), 'MANIFEST_INVALID', 'mediaType must match Content-Type');
    assert.equal(errorCode(await put('t', JSON.stringify({ schemaVersion: 1 }))), 'MANIFEST_INVALID');
    assert.equal(errorCode(await put('t', JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'a/b', digest: 'x', size: 1 } }))), 'DIGEST_INVALID');

    const good = manifest([]);
    const wrongDigest = await put(digestOf('other'), good);
    assert.equal(wrongDigest.status, 400);
    assert.equal(errorCode(wrongDigest), 'DIGEST_INVALID');
    const byDigest = await put(digestOf(good), good);
    assert.equal(byDigest.status, 201);

    const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    const tooLarge = await put('huge', huge);
    assert.equal(tooLarge.status, 413);
    assert.equal(errorCode(tooLarge), 'MANIFEST_INVALID');
    const chunked = await reg.request('PUT', '/v2/bad/man/manifests/huge', { headers: { 'Content-Type': OCI_MANIFEST, 'Transfer-Encoding': 'chunked' }, body: huge });
    assert.equal(chunked.status, 413);
    // A declared length over the limit is refused before any of the body is read.
    const declared = await new Promise<number>((resolve, reject) => {
      const url = new URL(reg.url);
      const req = httpRequest({ host: url.hostname, port: url.port, method: 'PUT', path: '/v2/bad/man/manifests/huge', headers: { 'Content-Type': OCI_MANIFEST, 'Content-Length': String(64 << 20) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(declared, 413);
    assert.equal((await reg.request('GET', '/v2/bad/man/manifests/t')).status, 404, 'nothing was tagged by the refused pushes');
  });

  it('pushes extra tags by digest with ?tag= (OCI-Tag)', async () => {
    const image = await reg.pushImage('multi/tag', 'base');
    const res = await reg.request('PUT', `/v2/multi/tag/manifests/${image.digest}?tag=1.0&tag=1&tag=latest`, { headers: { 'Content-Type': OCI_MANIFEST }, body: image.manifest });
    assert.equal(res.status, 201);
    assert.equal(res.headers['oci-tag'], '1.0, 1, latest');
    assert.deepEqual((await reg.request('GET', '/v2/multi/tag/tags/list')).json().tags, ['1', '1.0', 'base', 'latest']);
  });

  it('lists tags and the catalog with n/last pagination and Link headers', async () => {
    for (const tag of ['b', 'a', 'c', 'B']) await reg.pushImage('page/app', tag);
    const all = await reg.request('GET', '/v2/page/app/tags/list');
    assert.deepEqual(all.json(), { name: 'page/app', tags: ['B', 'a', 'b', 'c'] });
    const first = await reg.request('GET', '/v2/page/app/tags/list?n=2');
    assert.deepEqual(first.json().tags, ['B', 'a']);
    assert.equal(first.headers.link, '</v2/page/app/tags/list?n=2&last=a>; rel="next"');
    const second = await reg.request('GET', '/v2/page/app/tags/list?n=2&last=a');
    assert.deepEqual(second.json().tags, ['b', 'c']);
    assert.equal(second.headers.link, undefined);
    const zero = await reg.request('GET', '/v2/page/app/tags/list?n=0');
    assert.deepEqual(zero.json().tags, []);
    assert.equal(zero.headers.link, undefined);
    assert.equal(errorCode(await reg.request('GET', '/v2/page/app/tags/list?n=-1')), 'PAGINATION_NUMBER_INVALID');
    const unknown = await reg.request('GET', '/v2/no/such/tags/list');
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown), 'NAME_UNKNOWN');

    const catalog = (await reg.request('GET', '/v2/_catalog')).json().repositories as string[];
    assert.ok(catalog.includes('page/app') && catalog.includes('man/oci'), catalog.join(','));
    assert.deepEqual(catalog, [...catalog].sort());
    const page1 = await reg.request('GET', '/v2/_catalog?n=1');
    assert.deepEqual(page1.json().repositories, [catalog[0]]);
    assert.equal(page1.headers.link, `</v2/_catalog?n=1&last=${encodeURIComponent(catalog[0]!)}>; rel="next"`);
    const page2 = await reg.request('GET', `/v2/_catalog?n=1&last=${encodeURIComponent(catalog[0]!)}`);
    assert.deepEqual(page2.json().repositories, [catalog[1]]);
  });

  it('lists referrers of a manifest (OCI 1.1), with artifactType filtering', async () => {
    const subject = await reg.pushImage('refs/app', 'v1');
    const empty = await reg.pushBlob('refs/app', '{}');
    const sbom = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sbom.v1',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
      layers: [],
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.manifest.length },
      annotations: { 'org.example.kind': 'sbom' },
    }));
    const put = await reg.request('PUT', `/v2/refs/app/manifests/${digestOf(sbom)}`, { headers: { 'Content-Type': OCI_MANIFEST }, body: sbom });
    assert.equal(put.status, 201, put.body.toString());
    assert.equal(put.headers['oci-subject'], subject.digest);
    const list = await reg.request('GET', `/v2/refs/app/referrers/${subject.digest}`);
    assert.equal(list.status, 200);
    assert.equal(list.headers['content-type'], OCI_INDEX);
    assert.deepEqual(list.json().manifests, [{ mediaType: OCI_MANIFEST, digest: digestOf(sbom), size: sbom.length, artifactType: 'application/vnd.example.sbom.v1', annotations: { 'org.example.kind': 'sbom' } }]);
    const filtered = await reg.request('GET', `/v2/refs/app/referrers/${subject.digest}?artifactType=application/other`);
    assert.deepEqual(filtered.json().manifests, []);
    assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
    const none = await reg.request('GET', `/v2/refs/app/referrers/${digestOf('nothing')}`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.json().manifests, []);
    assert.equal((await reg.request('GET', '/v2/refs/app/referrers/sha256:bad')).status, 400);
  });

  it('deletes tags, manifests and blobs when enabled', async () => {
    const image = await reg.pushImage('del/app', 'one');
    await reg.request('PUT', `/v2/del/app/manifests/two`, { headers: { 'Content-Type': OCI_MANIFEST }, body: image.manifest });
    assert.equal((await reg.request('DELETE', '/v2/del/app/manifests/one')).status, 202);
    assert.equal((await reg.request('GET', '/v2/del/app/manifests/one')).status, 404);
    assert.equal((await reg.request('GET', '/v2/del/app/manifests/two')).status, 200);
    assert.equal((await reg.request('DELETE', `/v2/del/app/manifests/${image.digest}`)).status, 202);
    assert.equal((await reg.request('GET', '/v2/del/app/manifests/two')).status, 404, 'deleting by digest removes its tags');
    assert.equal((await reg.request('GET', `/v2/del/app/manifests/${image.digest}`)).status, 404);
    assert.equal((await reg.request('DELETE', `/v2/del/app/blobs/${image.layerDigest}`)).status, 202);
    const gone = await reg.request('GET', `/v2/del/app/blobs/${image.layerDigest}`);
    assert.equal(errorCode(gone), 'BLOB_UNKNOWN');
    assert.equal((await reg.request('DELETE', `/v2/del/app/blobs/${image.layerDigest}`)).status, 404);
  });

  it('refuses names and references that break the grammar, and never leaves the root', async () => {
    const cases = ['/v2/../../etc/manifests/latest', '/v2/a/..%2f..%2fetc/manifests/latest', '/v2/UPPER/manifests/latest', '/v2/a//b/manifests/latest', '/v2/-a/tags/list', '/v2/a/_layers/tags/list'];
    for (const path of cases) {
      const res = await reg.request('GET', path);
      assert.equal(res.status, 400, path);
      assert.equal(errorCode(res), 'NAME_INVALID', path);
    }
    const longName = `/v2/${'a'.repeat(256)}/tags/list`;
    assert.equal(errorCode(await reg.request('GET', longName)), 'NAME_INVALID');
    // A name that cannot be a tag names no manifest: 404, as the OCI conformance suite expects; a push to it is malformed.
    for (const ref of ['..', '.INVALID_MANIFEST_NAME', 't'.repeat(129)]) {
      const res = await reg.request('GET', `/v2/ok/manifests/${ref}`);
      assert.equal(res.status, 404, ref);
      assert.equal(errorCode(res), 'MANIFEST_UNKNOWN', ref);
      assert.equal((await reg.request('HEAD', `/v2/ok/manifests/${ref}`)).status, 404, ref);
    }
    assert.equal(errorCode(await reg.request('PUT', '/v2/ok/manifests/..', { body: '{}' })), 'TAG_INVALID');
    assert.equal(errorCode(await reg.request('GET', '/v2/ok/blobs/..%2f..%2fetc%2fpasswd')), 'DIGEST_INVALID');
    assert.equal((await reg.request('GET', '/v2/ok/blobs/uploads/..%2f..%2fetc')).status, 404);
    assert.equal((await reg.request('PATCH', '/v2/_catalog')).status, 405);
    assert.equal((await reg.request('GET', '/v3/')).status, 404);
    assert.deepEqual((await readdir(reg.dir)).sort(), ['registry.log', 'root']);
  });

  it('takes the same blob pushed concurrently to many repositories, and racing tag updates', async () => {
    const data = Buffer.alloc(1 << 20, 0x5a);
    const uploadsBefore = await readdir(join(reg.root, 'uploads'));
    const digests = await Promise.all(Array.from({ length: 16 }, (_, i) => reg.pushBlob(`par/r${i}`, data)));
    assert.ok(digests.every((d) => d === digestOf(data)));
    for (let i = 0; i < 16; i++) {
      const res = await reg.request('GET', `/v2/par/r${i}/blobs/${digestOf(data)}`);
      assert.equal(res.status, 200);
      assert.ok(res.body.equals(data), `r${i}`);
    }
    assert.deepEqual(await readdir(join(reg.root, 'uploads')), uploadsBefore, 'no upload left behind');

    const images = await Promise.all(Array.from({ length: 8 }, (_, i) => reg.pushImage('par/tags', `v${i}`)));
    await Promise.all(images.map((image) => reg.request('PUT', '/v2/par/tags/manifests/race', { headers: { 'Content-Type': OCI_MANIFEST }, body: image.manifest })));
    const race = await reg.request('GET', '/v2/par/tags/manifests/race');
    assert.equal(race.status, 200);
    assert.ok(images.some((image) => image.digest === race.headers['docker-content-digest']));
    assert.equal(digestOf(race.body), race.headers['docker-content-digest'], 'the tag names a whole manifest');
  });

  it('answers the old /v1/search that docker search uses', async () => {
    const res = await reg.request('GET', '/v1/search?q=oci&n=25');
    assert.equal(res.status, 200);
    const body = res.json();
    assert.equal(body.query, 'oci');
    assert.deepEqual(body.results.map((r: { name: string }) => r.name), ['man/oci']);
    assert.deepEqual(Object.keys(body.results[0]).sort(), ['description', 'is_automated', 'is_official', 'name', 'star_count']);
  });

  it('logs each request', async () => {
    assert.match(await reg.waitForLog(/"GET \/v2\/ HTTP\/1.1" 200 2 /), /"GET \/v2\/ HTTP\/1.1" 200 2 /);
  });

  it('stops cleanly on SIGTERM', async () => {
    assert.equal(await reg.terminate(), 0);
  });
});

describe('registry API with deletes disabled (the default)', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await TestRegistry.start();
  });
  after(async () => {
    await reg?.stop();
  });

  it('answers 405 UNSUPPORTED to every delete and keeps the content', async () => {
    const image = await reg.pushImage('keep/app', 'v1');
    for (const path of ['/v2/keep/app/manifests/v1', `/v2/keep/app/manifests/${image.digest}`, `/v2/keep/app/blobs/${image.layerDigest}`]) {
      const res = await reg.request('DELETE', path);
      assert.equal(res.status, 405, path);
      assert.equal(errorCode(res), 'UNSUPPORTED');
    }
    assert.equal((await reg.request('GET', '/v2/keep/app/manifests/v1')).status, 200);
  });
});
