/**
 * The web pages announce results in notices that go away after a few
 * seconds. On a loaded machine a test may look after one has gone, so the
 * tests record every notice the page shows and wait on the record instead.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** Makes every page of the context keep the notices it shows in window.__berthNotices. */
export async function recordNotices(context: BrowserContext): Promise<void> {
  // A string, not a function: the tests compile without the DOM's types.
  await context.addInitScript({
    content: `(() => {
      const seen = [];
      window.__berthNotices = seen;
      new MutationObserver((records) => {
        for (const record of records) {
          for (const node of record.addedNodes) {
            if (node.nodeType === 1 && node.classList.contains('notice')) {
              seen.push({ text: node.textContent || '', error: node.classList.contains('error') });
            }
          }
        }
      }).observe(document, { childList: true, subtree: true });
    })();`,
  });
}

interface Seen {
  text: string;
  error: boolean;
}

/** What waitForNotice looks for, as the page function receives it. */
interface Want {
  text?: string;
  source?: string;
  flags?: string;
  error?: boolean;
}

/**
 * Waits until the page has shown a notice containing `pattern` (a string or a
 * regular expression) and returns its text. `error` narrows to error notices
 * (true) or to the others (false). On a timeout the error lists what was shown.
 */
export async function waitForNotice(page: Page, pattern: string | RegExp, error?: boolean): Promise<string> {
  const want: Want = typeof pattern === 'string' ? { text: pattern, error } : { source: pattern.source, flags: pattern.flags, error };
  try {
    // A function, not a string: the pages' Content-Security-Policy forbids eval.
    const found = await page.waitForFunction((w: Want) => {
      const seen = (globalThis as unknown as { __berthNotices?: Seen[] }).__berthNotices ?? [];
      return seen.find((n) => (w.error === undefined || n.error === w.error) &&
        (w.text !== undefined ? n.text.includes(w.text) : new RegExp(w.source!, w.flags).test(n.text))) ?? false;
    }, want);
    return ((await found.jsonValue()) as Seen).text;
  } catch (err) {
    const seen = await page.evaluate(() => (globalThis as unknown as { __berthNotices?: Seen[] }).__berthNotices ?? []).catch(() => [] as Seen[]);
    const shown = seen.map((n) => `${n.error ? 'error' : 'notice'}: ${n.text}`).join('\n') || '(none)';
    throw new Error(`no notice matching ${String(pattern)}: ${(err as Error).message}\nnotices shown:\n${shown}`);
  }
}
