import { invalid } from '../../lib/errors.js';
import type { Dockerfile, Stage } from './dockerfile/types.js';

/**
 * Which stages a build runs: the target (the last stage by default) and the
 * stages it uses through FROM <stage> or COPY --from=<stage|index>, in file
 * order. Others are skipped, unlike Docker 20.10's classic builder, which
 * ran every stage before the target.
 */

/** `expand` expands a word with the meta args (stage references may use them). */
export function stagesToBuild(dockerfile: Dockerfile, target: string | undefined, expand: (word: string) => string): number[] {
  const { stages } = dockerfile;
  const name = target?.toLowerCase();
  const targetIndex = name ? stages.findIndex((s) => s.name === name) : stages.length - 1;
  if (targetIndex < 0) throw invalid(`failed to reach build target ${target} in Dockerfile`);
  const needed = new Set<number>();
  const visit = (index: number) => {
    if (needed.has(index)) return;
    needed.add(index);
    for (const dep of stageDependencies(dockerfile, stages[index]!, index, expand)) visit(dep);
  };
  visit(targetIndex);
  return [...needed].sort((a, b) => a - b);
}

function stageDependencies(dockerfile: Dockerfile, stage: Stage, index: number, expand: (word: string) => string): number[] {
  const refs = [expand(stage.from.image)];
  for (const ins of stage.instructions) if ((ins.kind === 'COPY' || ins.kind === 'ADD') && ins.from) refs.push(expand(ins.from));
  return refs.map((ref) => stageIndex(dockerfile, ref, index)).filter((i): i is number => i !== undefined);
}

/** The stage named or numbered `ref` before stage `before`, if any. */
export function stageIndex(dockerfile: Dockerfile, ref: string, before: number): number | undefined {
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    return n < before ? n : undefined;
  }
  const found = dockerfile.stages.findIndex((s, i) => i < before && s.name === ref.toLowerCase());
  return found >= 0 ? found : undefined;
}
