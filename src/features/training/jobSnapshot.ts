import { z } from 'zod';

/** A training job as last seen by the tracker: what the request's message shows (its own module: the tracked kind
 * and the message both read it, and neither imports the other for it). */
export const jobSnapshotSchema = z.object({
  status: z.string(),
  secondaryStatus: z.string(),
  elapsedSeconds: z.number(),
  usdSoFar: z.number(),
  terminal: z.boolean(),
});
