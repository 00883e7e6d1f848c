import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeployedEndpointsRepo, idleSince, type NewEndpoint } from '../../../src/features/deploy/endpointsRepo.ts';
import { loadDeploySettings } from '../../../src/features/deploy/settings.ts';
import { DeployRequestsRepo } from '../../../src/features/deploy/deployRequestsRepo.ts';
import { ConfigError } from '../../../src/errors.ts';
import { openDatabase, type Db } from '../../../src/db/db.ts';
import { MIGRATIONS } from '../../../src/app/migrations.ts';
import { tempDir } from '../../slack/support.ts';
import { sampleQuote } from './sample.ts';

let dir: ReturnType<typeof tempDir>;
let db: Db;
let requests: DeployRequestsRepo;
let endpoints: DeployedEndpointsRepo;
const t0 = new Date('2024-06-01T12:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function insertRequest(id = 'dep-1', jobName = 'logtune-ft-tr-1') {
  return requests.insert(
    {
      id,
      jobName,
      quote: { ...sampleQuote, trainingJobName: jobName },
      requestedBy: 'U0ALICE',
      channel: 'C0CHAN',
      expiresAt: at(60),
    },
    t0,
  );
}

function insertEndpoint(name = 'logtune-dep-1', requestId = 'dep-1', createdAt = t0): NewEndpoint {
  const endpoint: NewEndpoint = {
    name,
    requestId,
    datasetId: `ds-of-${name}`,
    jobName: 'logtune-ft-tr-1',
    instanceType: 'ml.g5.2xlarge',
    instanceCount: 1,
    usdPerHour: 1.515,
    deployedBy: 'U0ALICE',
  };
  endpoints.insert(endpoint, createdAt);
  return endpoint;
}

beforeEach(() => {
  dir = tempDir();
  db = openDatabase(join(dir.path, 'bot.db'), MIGRATIONS);
  requests = new DeployRequestsRepo(db);
  endpoints = new DeployedEndpointsRepo(db);
});
afterEach(() => {
  db.close();
  dir.remove();
});

describe('DeployRequestsRepo', () => {
  it('stores a request with its frozen quote and reads it back parsed', () => {
    const record = insertRequest();
    expect(record).toMatchObject({
      id: 'dep-1',
      jobName: 'logtune-ft-tr-1',
      state: 'pending_approval',
      requestedBy: 'U0ALICE',
      expiresAt: at(60).toISOString(),
    });
    expect(record.quote).toEqual(sampleQuote);
    expect(requests.waitingForJob('logtune-ft-tr-1', at(59))?.id).toBe('dep-1');
    expect(requests.waitingForJob('logtune-ft-tr-1', at(60))).toBeUndefined(); // past its time to live, even before the sweep closes it
    expect(requests.waitingForJob('logtune-ft-other', at(1))).toBeUndefined();
  });

  it('approves once: the second approval, a cancel after it, or markCreated twice change nothing', () => {
    insertRequest();
    expect(requests.approve('dep-1', 'U0CAROL', 'logtune-dep-1', at(1))).toBe(true);
    expect(requests.approve('dep-1', 'U0DAVE', 'logtune-dep-1', at(1))).toBe(false);
    expect(requests.close('dep-1', 'cancelled', ['pending_approval'], { userId: 'U0ALICE' }, at(2))).toBe(false);
    expect(requests.get('dep-1')).toMatchObject({
      state: 'approved',
      decidedBy: 'U0CAROL',
      decidedAt: at(1).toISOString(),
      endpointName: 'logtune-dep-1',
    });
    expect(requests.markCreated('dep-1', at(3))).toBe(true);
    expect(requests.markCreated('dep-1', at(4))).toBe(false);
    expect(requests.waitingForJob('logtune-ft-tr-1', at(100))).toBeUndefined();
  });

  it('closes only from the states given, keeping who decided unless someone did', () => {
    insertRequest();
    expect(requests.close('dep-1', 'expired', ['pending_approval'], {}, at(61))).toBe(true);
    expect(requests.get('dep-1')).toMatchObject({ state: 'expired', decidedBy: undefined, decidedAt: undefined });
    insertRequest('dep-2');
    expect(requests.close('dep-2', 'cancelled', ['pending_approval'], { userId: 'U0ALICE' }, at(5))).toBe(true);
    expect(requests.get('dep-2')).toMatchObject({
      state: 'cancelled',
      decidedBy: 'U0ALICE',
      decidedAt: at(5).toISOString(),
    });
    expect(requests.inStates(['cancelled', 'expired']).map((r) => r.id)).toEqual(['dep-1', 'dep-2']);
  });

  it('logs every decision, allowed or refused, in order', () => {
    insertRequest();
    requests.recordDecision(
      'dep-1',
      { userId: 'U0MALLORY', action: 'approve', outcome: 'refused', reason: 'not an approver' },
      at(1),
    );
    requests.recordDecision(
      'dep-1',
      { userId: 'U0CAROL', action: 'approve', outcome: 'allowed', reason: undefined },
      at(2),
    );
    requests.recordDecision(
      'dep-1',
      { userId: 'U0ALICE', action: 'keep', outcome: 'allowed', reason: undefined },
      at(3),
    );
    expect(requests.decisions('dep-1')).toEqual([
      {
        userId: 'U0MALLORY',
        action: 'approve',
        outcome: 'refused',
        reason: 'not an approver',
        at: at(1).toISOString(),
      },
      { userId: 'U0CAROL', action: 'approve', outcome: 'allowed', reason: undefined, at: at(2).toISOString() },
      { userId: 'U0ALICE', action: 'keep', outcome: 'allowed', reason: undefined, at: at(3).toISOString() },
    ]);
  });

  it('leaves alone a row whose quote does not parse', () => {
    insertRequest();
    db.prepare(`UPDATE deploy_requests SET quote_json = '{"usdPerHour": -1}' WHERE id = 'dep-1'`).run();
    expect(requests.get('dep-1')).toBeUndefined();
    expect(requests.inStates(['pending_approval'])).toEqual([]);
    expect(requests.listRecent(10)).toEqual([]);
  });
});

describe('DeployedEndpointsRepo', () => {
  beforeEach(() => {
    insertRequest('dep-1');
    insertRequest('dep-2', 'logtune-ft-tr-2');
  });

  it('records an endpoint once and moves it creating → in service once; triage sees the newest in service', () => {
    insertEndpoint();
    insertEndpoint(); // a resumed create: no-op
    expect(endpoints.inStates(['creating']).map((e) => e.name)).toEqual(['logtune-dep-1']);
    expect(endpoints.liveForJob('logtune-ft-tr-1')?.name).toBe('logtune-dep-1');
    expect(endpoints.current()).toBeUndefined();
    expect(endpoints.markInService('logtune-dep-1', at(10))).toBe(true);
    expect(endpoints.markInService('logtune-dep-1', at(11))).toBe(false);
    insertEndpoint('logtune-dep-2', 'dep-2');
    endpoints.markInService('logtune-dep-2', at(20));
    expect(endpoints.current()).toEqual({ endpointName: 'logtune-dep-2', datasetId: 'ds-of-logtune-dep-2' });
    expect(endpoints.datasetOf('logtune-dep-1')).toBe('ds-of-logtune-dep-1');
    expect(endpoints.datasetOf('someone-elses')).toBeUndefined();
  });

  it('takes SageMaker creation time only when it is earlier, and a failure ends billing', () => {
    insertEndpoint('logtune-dep-1', 'dep-1', at(5));
    endpoints.noteCreatedAt('logtune-dep-1', at(7), at(8));
    expect(endpoints.get('logtune-dep-1')?.createdAt).toBe(at(5).toISOString());
    endpoints.noteCreatedAt('logtune-dep-1', at(3), at(8));
    expect(endpoints.get('logtune-dep-1')?.createdAt).toBe(at(3).toISOString());
    expect(endpoints.markFailed('logtune-dep-1', 'ping health check', at(12))).toBe(true);
    expect(endpoints.get('logtune-dep-1')).toMatchObject({
      state: 'failed',
      failureReason: 'ping health check',
      endedAt: at(12).toISOString(),
    });
    expect(endpoints.markInService('logtune-dep-1', at(13))).toBe(false);
    expect(endpoints.liveForJob('logtune-ft-tr-1')).toBeUndefined();
  });

  it('runs the idle clock from the latest of InService, last use and Keep; uses only move it forward', () => {
    insertEndpoint();
    endpoints.markInService('logtune-dep-1', at(10));
    expect(idleSince(endpoints.get('logtune-dep-1')!)).toBe(at(10).toISOString());
    endpoints.used('logtune-dep-1', at(30));
    endpoints.used('logtune-dep-1', at(20)); // a late report of an older use
    expect(idleSince(endpoints.get('logtune-dep-1')!)).toBe(at(30).toISOString());
    endpoints.keep('logtune-dep-1', 'U0ALICE', at(40));
    expect(endpoints.get('logtune-dep-1')).toMatchObject({ keptBy: 'U0ALICE', lastUsedAt: at(30).toISOString() });
    expect(idleSince(endpoints.get('logtune-dep-1')!)).toBe(at(40).toISOString());
    endpoints.used('unknown-endpoint', at(50)); // not ours: nothing to record
  });

  it('warns once; a Keep or a use after the warning stops the idle removal, which otherwise goes through once', () => {
    insertEndpoint();
    endpoints.markInService('logtune-dep-1', at(10));
    const warned = at(100).toISOString();
    expect(endpoints.warnIdle('logtune-dep-1', at(100))).toBe(true);
    expect(endpoints.warnIdle('logtune-dep-1', at(101))).toBe(false);

    endpoints.used('logtune-dep-1', at(110));
    expect(endpoints.startIdleRemoval('logtune-dep-1', warned, at(230))).toBe(false);
    expect(endpoints.clearWarning('logtune-dep-1', warned, at(231))).toBe(true);
    expect(endpoints.get('logtune-dep-1')?.idleWarnedAt).toBeUndefined();

    const again = at(300).toISOString();
    endpoints.warnIdle('logtune-dep-1', at(300));
    expect(endpoints.keep('logtune-dep-1', 'U0CAROL', at(301))).toBe(true);
    expect(endpoints.get('logtune-dep-1')?.idleWarnedAt).toBeUndefined();
    expect(endpoints.startIdleRemoval('logtune-dep-1', again, at(500))).toBe(false);

    const third = at(600).toISOString();
    endpoints.warnIdle('logtune-dep-1', at(600));
    expect(endpoints.startIdleRemoval('logtune-dep-1', third, at(720))).toBe(true);
    expect(endpoints.startIdleRemoval('logtune-dep-1', third, at(721))).toBe(false);
    expect(endpoints.keep('logtune-dep-1', 'U0ALICE', at(722))).toBe(false);
    expect(endpoints.get('logtune-dep-1')).toMatchObject({ state: 'deleting', removedBy: undefined });
  });

  it('removes on request from any live or failed state once, and records when billing ended', () => {
    insertEndpoint();
    expect(endpoints.markDeleted('logtune-dep-1', at(1))).toBe(false);
    expect(endpoints.startRemoval('logtune-dep-1', 'U0ALICE', at(2))).toBe(true);
    expect(endpoints.startRemoval('logtune-dep-1', 'U0CAROL', at(3))).toBe(false);
    expect(endpoints.markDeleted('logtune-dep-1', at(4))).toBe(true);
    expect(endpoints.get('logtune-dep-1')).toMatchObject({
      state: 'deleted',
      removedBy: 'U0ALICE',
      endedAt: at(4).toISOString(),
    });
    expect(endpoints.startRemoval('logtune-dep-1', 'U0ALICE', at(5))).toBe(false);

    insertEndpoint('logtune-dep-2', 'dep-2');
    endpoints.markFailed('logtune-dep-2', 'boom', at(6));
    endpoints.startRemoval('logtune-dep-2', 'U0ALICE', at(7));
    endpoints.markDeleted('logtune-dep-2', at(8));
    expect(endpoints.get('logtune-dep-2')?.endedAt).toBe(at(6).toISOString()); // billing ended when it failed
    expect(endpoints.listForStatus(10).map((e) => e.state)).toEqual(['deleted', 'deleted']);
  });

  it('lets the after-InService hook be claimed once', () => {
    insertEndpoint();
    expect(endpoints.claimEvaluation('logtune-dep-1', at(1))).toBe(true);
    expect(endpoints.claimEvaluation('logtune-dep-1', at(2))).toBe(false);
  });
});

describe('loadDeploySettings', () => {
  it('defaults to 24 h idle and 2 h grace, accepts fractions, and names a bad variable', () => {
    expect(loadDeploySettings({})).toEqual({ idleHours: 24, graceHours: 2 });
    expect(
      loadDeploySettings({ LOGTUNE_ENDPOINT_IDLE_HOURS: '0.5', LOGTUNE_ENDPOINT_GRACE_HOURS: '1.5' }),
    ).toMatchObject({ idleHours: 0.5, graceHours: 1.5 });
    expect(() => loadDeploySettings({ LOGTUNE_ENDPOINT_IDLE_HOURS: '0' })).toThrow(ConfigError);
    expect(() => loadDeploySettings({ LOGTUNE_ENDPOINT_GRACE_HOURS: 'soon' })).toThrow(/LOGTUNE_ENDPOINT_GRACE_HOURS/);
  });
});
