/** Waits for every task, then throws the first failure in the list's order (as if they had run one after the other). */
export async function allDone(tasks: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
