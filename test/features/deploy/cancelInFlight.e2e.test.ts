import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployNames } from '../../../src/deploy/requests.ts';
import { APPROVE_ACTION_ID, CANCEL_ACTION_ID } from '../../../src/features/deploy/blocks/request.ts';
import type { StoredMessage } from '../../helpers/fakeSlack.ts';
import { deferred } from '../../helpers/deferred.ts';
import { waitFor } from '../../slack/support.ts';
import { DeployBot } from './deployBot.ts';

/**
 * Cancel pressed after Approve, while CreateModel / CreateEndpointConfig / CreateEndpoint are in flight (SageMaker
 * hosting in memory, FakeDeployAws, holding CreateEndpoint's answer as long as the test says).
 */
let d: DeployBot;
const replies = (root: StoredMessage) => d.replies(root);

beforeAll(async () => {
  d = await DeployBot.start();
}, 30_000);

afterAll(async () => {
  await d?.h.close();
});

describe('Cancel while a deploy is being created', () => {
  it('is recorded before CreateEndpoint answers; the endpoint made is deleted at once with its config and model', async () => {
    const { id, message } = await d.requestDeploy(d.completedJob());
    const hold = deferred();
    d.hosting.holdCreateEndpoint = hold.promise;
    await d.h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 300);
    await waitFor(() => JSON.stringify(message.blocks).includes('Cancel creation'), { what: 'the Cancel button' });
    expect(await d.h.click(message, CANCEL_ACTION_ID, 'U0ALICE', 300)).toBeUndefined();
    expect(d.feature().requests.get(id)!.state).toBe('cancelled');
    expect(replies(message).at(-1)).toContain('while the endpoint was being created');
    const name = deployNames(id).endpoint;
    expect(d.deletes(name)).toEqual([0, 0, 0]);

    d.hosting.holdCreateEndpoint = undefined;
    hold.resolve();
    await waitFor(() => replies(message).some((t) => t.includes('Removed')), { what: 'the removal' });
    expect(replies(message).some((t) => t.includes('is deleting it at once'))).toBe(true);
    expect(d.creates()).toEqual([1, 1, 1]);
    expect(d.hosting.exists('endpoint', name)).toBe(false);
    expect(d.hosting.exists('model', name)).toBe(false);
    expect(d.feature().requests.get(id)!.state).toBe('cancelled');
  }, 30_000);

  it('after a restart: an endpoint whose CreateEndpoint answer was lost before the cancel is found and deleted', async () => {
    const { id, message } = await d.requestDeploy(d.completedJob());
    d.hosting.loseCreateEndpointAnswer = true;
    await d.h.click(message, APPROVE_ACTION_ID, 'U0CAROL', 300);
    await waitFor(
      () => d.h.logEntries().some((e) => e.msg === 'endpoint creation failed; retrying' && e.requestId === id),
      { what: 'the lost answer' },
    );
    const name = deployNames(id).endpoint;
    expect(d.hosting.exists('endpoint', name)).toBe(true);
    await d.h.click(message, CANCEL_ACTION_ID, 'U0ALICE', 300);
    expect(d.feature().requests.get(id)!.state).toBe('cancelled');
    await d.restart();
    await waitFor(() => replies(message).some((t) => t.includes('Removed')), { what: 'the removal after the restart' });
    expect(d.hosting.exists('endpoint', name)).toBe(false);
    expect(d.hosting.count('CreateEndpoint', name)).toBe(1);
  }, 30_000);
});
