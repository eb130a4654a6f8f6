import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOCKER_TABLE, DOCKER_VERSION, tabwrite } from './table.js';

test('docker list layout: minwidth 10, padding 3, last cell unpadded', () => {
  const out = tabwrite('REPOSITORY\tTAG\tIMAGE ID\nbusybox\tlatest\tcafd4149e3aa\n', DOCKER_TABLE);
  assert.equal(out, 'REPOSITORY   TAG       IMAGE ID\nbusybox      latest    cafd4149e3aa\n');
});

test('empty cells still pad to the column width', () => {
  const out = tabwrite('A\tCREATED BY\tSIZE\nx\t\t1B\n', DOCKER_TABLE);
  assert.equal(out, 'A         CREATED BY   SIZE\nx                      1B\n');
});

test('a line without tabs ends the column block', () => {
  const out = tabwrite('a\tb\nlonger-cell-here\tc\nplain\nx\ty\n', DOCKER_TABLE);
  assert.equal(out, 'a                  b\nlonger-cell-here   c\nplain\nx         y\n');
});

test('version layout: minwidth 20, padding 1', () => {
  assert.equal(tabwrite(' Version:\t1.0\n', DOCKER_VERSION), ' Version:           1.0\n');
});

test('width counts runes, not UTF-16 units', () => {
  assert.equal(tabwrite('é\tx\n', { minWidth: 0, padding: 1 }), 'é x\n');
});
