import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayablePorts } from './ps-rows.js';

const p = (URL: string, TargetPort: number, PublishedPort: number, Protocol = 'tcp') => ({ URL, TargetPort, PublishedPort, Protocol });

test('ports print as compose 2.26 prints them: by port then IP, ranges grouped, mappings last', () => {
  assert.equal(displayablePorts([]), '');
  assert.equal(displayablePorts([p('', 7001, 0), p('', 7000, 0), p('', 7003, 0), p('', 53, 0, 'udp')]), '7000-7001/tcp, 53/udp, 7003/tcp'); // a broken range is written out first, as Go's does
  assert.equal(
    displayablePorts([p('::', 81, 4000), p('0.0.0.0', 81, 4000), p('127.0.0.1', 80, 8080), p('0.0.0.0', 90, 90), p('0.0.0.0', 91, 91)]),
    '0.0.0.0:90-91->90-91/tcp, 127.0.0.1:8080->80/tcp, 0.0.0.0:4000->81/tcp, :::4000->81/tcp',
  );
});
