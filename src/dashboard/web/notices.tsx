/** Results of actions, announced to screen readers through one live region. */
import { createContext } from 'preact';
import { useCallback, useContext, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

interface Notice {
  id: number;
  text: string;
  error: boolean;
}

const NoticeContext = createContext<(text: string, error?: boolean) => void>(() => undefined);

export const useNotify = () => useContext(NoticeContext);

let nextId = 1;

export function Notices({ children }: { children: ComponentChildren }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const notify = useCallback((text: string, error = false) => {
    const notice = { id: nextId++, text, error };
    setNotices((n) => [...n.slice(-4), notice]);
    window.setTimeout(() => setNotices((n) => n.filter((x) => x.id !== notice.id)), error ? 10_000 : 4000);
  }, []);
  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <div class="notices" role="status" aria-live="polite">
        {notices.map((n) => (
          <p key={n.id} class={n.error ? 'notice error' : 'notice'}>{n.text}</p>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}
