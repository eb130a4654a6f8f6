import assert from 'node:assert/strict';
import { test } from 'node:test';
import { warmHttp } from './warm-http.js';

test('the HTTP warm-up makes its requests and leaves nothing open', async () => {
  const open = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap').length;
  const before = open();
  await warmHttp();
  // The client's end of the connection closes once it reads the server's close: a few turns of the loop.
  for (let turns = 0; turns < 1000 && open() > before; turns++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(open(), before);
});
