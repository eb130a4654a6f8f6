/** The repository and tag pattern inputs that retention and immutability rules share. */
import type { Selector } from './policy-api.js';

export function SelectorFields({ value, onChange }: { value: Selector; onChange: (next: Selector) => void }) {
  return (
    <>
      <label>
        Repositories
        <input name="repositories" required value={value.repositories} onInput={(e) => onChange({ ...value, repositories: e.currentTarget.value })} />
      </label>
      <label>
        Tags
        <input name="tags" required value={value.tags} onInput={(e) => onChange({ ...value, tags: e.currentTarget.value })} />
      </label>
    </>
  );
}

export const ANY: Selector = { repositories: '**', tags: '**' };
