/**
 * Who may do what: one answer to "may user U do A on R", asked by every button and command that acts on someone's
 * request. Approvers are named in LOGTUNE_APPROVERS (Slack user ids); the requester is whoever asked for the
 * resource. A refusal carries a reason that is shown to the person, privately.
 */
export type PolicyAction =
  | 'dataset.cancel'
  | 'training.approve'
  | 'training.cancel'
  | 'deploy.approve'
  | 'deploy.cancel'
  | 'endpoint.undeploy'
  | 'endpoint.keep'
  | 'scan.approve'
  | 'scan.cancel';

export interface PolicyResource {
  /** Who asked for it (a dataset build, a training request, a deploy). */
  readonly requestedBy: string;
}

export type PolicyDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface PolicyOptions {
  readonly approvers: readonly string[];
  /** Lets an approver approve their own request (LOGTUNE_ALLOW_SELF_APPROVAL). */
  readonly allowSelfApproval: boolean;
}

type Rule = 'approver-not-requester' | 'requester-or-approver';

const RULES: Readonly<Record<PolicyAction, Rule>> = {
  'dataset.cancel': 'requester-or-approver',
  'training.approve': 'approver-not-requester',
  'training.cancel': 'requester-or-approver',
  'deploy.approve': 'approver-not-requester',
  'deploy.cancel': 'requester-or-approver',
  'endpoint.undeploy': 'requester-or-approver',
  'endpoint.keep': 'requester-or-approver',
  'scan.approve': 'approver-not-requester',
  'scan.cancel': 'requester-or-approver',
};

const ALLOWED: PolicyDecision = { allowed: true };

export class Policy {
  private readonly approvers: ReadonlySet<string>;

  constructor(private readonly options: PolicyOptions) {
    this.approvers = new Set(options.approvers);
  }

  isApprover(userId: string): boolean {
    return this.approvers.has(userId);
  }

  get hasApprovers(): boolean {
    return this.approvers.size > 0;
  }

  may(userId: string, action: PolicyAction, resource: PolicyResource): PolicyDecision {
    const approver = this.isApprover(userId);
    const requester = userId === resource.requestedBy;
    switch (RULES[action]) {
      case 'approver-not-requester':
        if (!approver) return this.notApprover();
        if (requester && !this.options.allowSelfApproval) {
          return {
            allowed: false,
            reason:
              'you asked for this yourself; another approver has to approve it (LOGTUNE_ALLOW_SELF_APPROVAL is off)',
          };
        }
        return ALLOWED;
      case 'requester-or-approver':
        return approver || requester
          ? ALLOWED
          : { allowed: false, reason: 'only the person who asked for it or an approver may do this' };
    }
  }

  private notApprover(): PolicyDecision {
    return this.hasApprovers
      ? { allowed: false, reason: 'only the approvers named in LOGTUNE_APPROVERS may approve spending' }
      : {
          allowed: false,
          reason: 'no approvers are configured (LOGTUNE_APPROVERS is empty), so nobody can approve spending',
        };
  }
}
