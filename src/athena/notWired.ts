import { NotSupportedError } from '../errors.ts';

/** Until the shared SQL template is wired in: what an Athena build says after its plan, before any AWS side effect. */
export const sqlNotWired = (): NotSupportedError =>
  new NotSupportedError(
    'building the dataset itself on Athena: the dataset SQL template (bottom-k by seeded hash, src/dataset/sql) is not ' +
      'wired into the Athena engine in this version; the plan above is what it would scan. Use --engine local',
  );
