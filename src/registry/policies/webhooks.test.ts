import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWebhook, type Delivery, type WebhookPayload } from './webhook-types.js';
import { DeliveryLog } from './delivery-log.js';
import { WebhookSender } from './webhooks.js';

const payload: WebhookPayload = {
  type: 'PUSH_ARTIFACT',
  occur_at: 1,
  operator: 'dana',
  event_data: {
    resources: [{ digest: 'sha256:00', tag: 'v1', resource_url: 'h/p/r:v1' }],
    repository: { date_created: 0, name: 'r', namespace: 'p', repo_full_name: 'p/r', repo_type: 'private' },
  },
};

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('webhook deliveries', () => {
  it('retries a failed delivery and records each attempt, with the auth header sent', async () => {
    const seen: { auth?: string; body: unknown }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(seen.length === 1 ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const hook = { id: 'h1', created: '', ...parseWebhook({ name: 'ci', url, auth_header: 'Bearer s3cret' }) };
      const sender = new WebhookSender([5]);
      const delivery = sender.send(hook, payload);
      assert.equal(delivery.status, 'pending');
      await until(() => delivery.status !== 'pending');
      assert.equal(delivery.status, 'succeeded');
      assert.deepEqual(delivery.attempts.map((a) => a.status_code), [503, 200]);
      assert.deepEqual(seen.map((s) => s.auth), ['Bearer s3cret', 'Bearer s3cret']);
      assert.deepEqual(seen[1]!.body, payload);
      assert.equal(sender.deliveries('h1')[0], delivery);
    } finally {
      server.close();
    }
  });

  it('gives up after the last retry when nobody answers', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const sender = new WebhookSender([1, 1]);
    const delivery = sender.send({ id: 'h2', created: '', ...parseWebhook({ name: 'gone', url: `http://127.0.0.1:${port}/` }) }, payload);
    await until(() => delivery.status !== 'pending');
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.attempts.length, 3);
    assert.match(delivery.attempts[0]!.error!, /ECONNREFUSED/);
  });

  it('carries on with a delivery a previous run left pending, from the attempt it had reached; fails one whose webhook is gone', async () => {
    const seen: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const hook = { id: 'h3', created: '', ...parseWebhook({ name: 'ci', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }) };
      const log = DeliveryLog.inMemory();
      const cut: Delivery = { id: 'd1', event_type: 'PUSH_ARTIFACT', repository: 'p/r', tag: 'v1', status: 'pending', attempts: [{ time: 'then', status_code: 502 }] };
      const orphan: Delivery = { ...cut, id: 'd2', attempts: [] };
      log.add('h3', cut, JSON.stringify(payload));
      log.add('gone', orphan, JSON.stringify(payload));
      const sender = new WebhookSender([5, 5], log);
      assert.equal(sender.resume((id) => (id === 'h3' ? hook : undefined)), 2);
      await until(() => cut.status !== 'pending');
      assert.equal(cut.status, 'succeeded');
      assert.deepEqual(cut.attempts.map((a) => a.status_code), [502, 200]);
      assert.deepEqual(seen, [payload]);
      assert.equal(orphan.status, 'failed');
      assert.match(orphan.attempts[0]!.error!, /webhook was removed/);
    } finally {
      server.close();
    }
  });

  it('accepts only plain http(s) URLs and known events', () => {
    assert.throws(() => parseWebhook({ name: 'x', url: 'file:///etc/passwd' }), /url/);
    assert.throws(() => parseWebhook({ name: 'x', url: 'http://u:p@h/' }), /url/);
    assert.throws(() => parseWebhook({ name: 'x', url: 'http://h/', events: ['NOPE'] }), /events/);
    assert.throws(() => parseWebhook({ name: 'x', url: 'http://h/', auth_header: 'a\r\nb' }), /auth_header/);
    assert.deepEqual(parseWebhook({ name: 'x', url: 'http://h/' }).events, ['PUSH_ARTIFACT', 'DELETE_ARTIFACT']);
  });
});
