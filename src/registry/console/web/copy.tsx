/** A command in a read-only field with a button that copies it (falling back to selecting it where the clipboard API is not allowed). */
import { useRef } from 'preact/hooks';
import { useNotify } from '../../../dashboard/web/notices.js';

export function CopyField({ value, label }: { value: string; label: string }) {
  const input = useRef<HTMLInputElement>(null);
  const notify = useNotify();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      notify('Copied');
    } catch {
      input.current?.select();
      notify('Selected: press Ctrl+C to copy');
    }
  };
  return (
    <span class="copy">
      <input ref={input} readOnly value={value} aria-label={label} size={Math.min(value.length, 48)} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" onClick={copy} aria-label={`Copy: ${label}`}>Copy</button>
    </span>
  );
}
