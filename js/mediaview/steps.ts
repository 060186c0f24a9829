// Which step each run shows under a key for the viewer's choice: its last at or before the
// chosen one (-1: the newest, each run its own last). The static picture computes the same
// in wbnb/widgets/mediaview/steps.py (TableView and Charts in Python too, wbnb/widgets/steps.py:
// their pages ask Python for the step's data); tests/cases/steps.json holds them to it.
import type { StepShown } from "./contract";

/** The step a run that logged at ``steps`` (ascending) shows for ``chosen``. */
export function stepShown(steps: readonly number[], chosen: number): StepShown {
  if (!steps.length) return { step: null, note: "nothing logged under this key" };
  const last = steps[steps.length - 1];
  if (chosen < 0) return { step: last, note: `step ${last}` };
  let i = steps.length - 1;
  while (i >= 0 && steps[i] > chosen) i--;
  if (i < 0) return { step: null, note: `nothing logged by step ${chosen}` };
  const s = steps[i];
  return { step: s, note: s === chosen ? `step ${s}` : `step ${s} (its last by step ${chosen})` };
}

/** The steps any of ``lists`` has, ascending: the stops of a key's slider. */
export function unionSteps(lists: Iterable<readonly number[]>): number[] {
  const all = new Set<number>();
  for (const steps of lists) for (const s of steps) all.add(s);
  return [...all].sort((a, b) => a - b);
}
