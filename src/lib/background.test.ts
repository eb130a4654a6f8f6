import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackgroundTasks } from './background.js';

test('settled waits for every task, those added meanwhile too, and swallows failures', async () => {
  const tasks = new BackgroundTasks();
  const order: string[] = [];
  let finishFirst!: () => void;
  tasks.add(new Promise<void>((resolve) => (finishFirst = resolve)).then(() => {
    order.push('first');
    // Added while settled() waits for the first one.
    tasks.add(new Promise<void>((resolve) => setImmediate(resolve)).then(() => void order.push('second')));
  }));
  tasks.add(Promise.reject(new Error('the task says what a failure means')));
  const settled = tasks.settled().then(() => void order.push('settled'));
  assert.equal(tasks.size, 2);
  finishFirst();
  await settled;
  assert.deepEqual(order, ['first', 'second', 'settled']);
  assert.equal(tasks.size, 0);
});

test('settled with nothing running resolves at once', async () => {
  await new BackgroundTasks().settled();
});
