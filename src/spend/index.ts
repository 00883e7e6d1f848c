/**
 * The spend lifecycle: everything logtune does that costs money goes through it, whatever the money buys (a training
 * job, an endpoint, an Athena scan). It knows nothing of Slack; each kind of spend is a feature that plugs into it.
 *
 *   request ──quote──▶ pending ──Approve──▶ approved ──create──▶ created ──tracker──▶ ended
 *                        │  └─Cancel/expire──▶ cancelled | expired        └─(failed)──▶ failed
 *
 * The pieces, and what a kind provides to each:
 *
 * - approval.ts — `decideApproval(store, id, check, subjectOf, resourceName)`: the rules (approvers, self-approval,
 *   expiry, the monthly budget on committed caps) checked and the decision logged in one synchronous transaction.
 *   The kind provides an `ApprovableStore` (get / approve (compare-and-set, naming what will be created) / close /
 *   recordDecision (the decision log: every click, allowed or refused) / transaction) and `subjectOf(record)` (its
 *   state as pending/approved/…, who asked, when it expires, the cap it commits or undefined).
 * - creation.ts — `SpendCreation(kind, { clock, log, tasks })`: exactly-once creation after approval. The kind provides
 *   a `CreationKind`: `approved(id)` (the record while it waits to be created), `create(record, signal)` (under a
 *   name or idempotency token derived from the request id, never from the clock, answering "already exists" as
 *   success), `settle(record, signal)` (Describe on the derived name, after the last transient failure), `created`
 *   (record and track BEFORE saying anything) and `failed` (close, clean up what may exist, say why). Retries (p-retry)
 *   wait on the injected clock; stop() aborts them and the next start resumes approved requests.
 * - transient.ts — `isTransient(error)`: throttling, 5xx, no answer at all (the request timeout every AWS client has,
 *   aws/clients.ts). The one definition; no feature keeps its own.
 * - adopted.ts — `reconcile(source, repo, now)`: on start, what the cloud runs under logtune's tags and the database
 *   does not know (it was lost or replaced) is adopted, shown and stoppable, never re-created. The kind provides an
 *   `AdoptionSource` (`list` its tagged resources, `known(name)`) and its status line / stop command.
 * - The tracker of what was created is trackers/service.ts: `created` calls `trackers.track(kind, name, context)`
 *   with a `TrackedKind` the feature registered (observe / report / refresh).
 *
 * The third kind, an Athena scan (scanRequests.ts): its quote is bytes-to-scan × price, approved with a cap like
 * training through decideApproval; once approved, the build runs within it, every query started with a
 * ClientRequestToken derived from the build and written to the query ledger first (src/athena/ledger.ts), which is
 * what re-attaches after a restart. Not yet: an AdoptionSource for queries the ledger lost.
 */
export { checkApproval, decideApproval, monthStart } from './approval.ts';
export type { ApprovableStore, ApprovalCheck, ApprovalOutcome, ApprovalSubject, ApprovalVerdict } from './approval.ts';
export { SpendCreation } from './creation.ts';
export type { CreationKind, CreationOptions } from './creation.ts';
export { isTransient } from './transient.ts';
export { AdoptedRepo, reconcile } from './adopted.ts';
export type { AdoptedKind, AdoptedResource, AdoptionSource } from './adopted.ts';
export { SCAN_MIGRATIONS, ScanRequestsRepo, scanSubject } from './scanRequests.ts';
export type { ScanQuote, ScanRecord, ScanState } from './scanRequests.ts';
