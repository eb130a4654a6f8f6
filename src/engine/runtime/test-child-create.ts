/**
 * Test helper run as a separate Node process by runtime.test.ts: creates and
 * starts one container, then exits at once, so the test can check that the
 * container (and its conmon) outlive the process that made them.
 *   usage: node test-child-create.js <exec root>   (RuntimeSpec + CreateIO as JSON on stdin)
 */
import { ConmonRuncRuntime } from './runtime.js';
import type { CreateIO, RuntimeSpec } from './types.js';

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const { spec, io } = JSON.parse(input) as { spec: RuntimeSpec; io: CreateIO };
  const runtime = new ConmonRuncRuntime({ root: process.argv[2]! });
  const created = await runtime.create(spec, io);
  await runtime.start(spec.id);
  process.stdout.write(JSON.stringify(created) + '\n');
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
