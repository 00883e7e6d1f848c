import { describe, expect, it } from 'vitest';
import * as deployThread from '../../src/features/deploy/blocks/thread.ts';
import { preflightRefusal } from '../../src/features/doctor/messages.ts';
import { resultMessage } from '../../src/features/training/blocks/thread.ts';
import { noModelReply } from '../../src/features/triage/blocks/reply.ts';
import type { MessageContent } from '../../src/slack/blocks/types.ts';
import { blockText } from './support.ts';

const all = (m: MessageContent) => `${m.text}\n${blockText(m)}`;

/** Builders that tell people what to type name the command they are given (LOGTUNE_COMMAND), not `/logtune`. */
describe('message builders with a configured command', () => {
  it('name /logtune-dev', () => {
    const completed = resultMessage(
      {
        jobName: 'logtune-ft-tr-1',
        elapsedSeconds: 3600,
        billableSeconds: 3500,
        instanceCount: 1,
        usdSoFar: 7,
        result: { kind: 'completed', artifactUri: 's3://b/m.tar.gz', metrics: {} },
      },
      undefined,
      '/logtune-dev',
    );
    expect(all(completed)).toContain('`/logtune-dev deploy logtune-ft-tr-1`');
    expect(all(noModelReply('/logtune-dev'))).toContain('`/logtune-dev train`, then `/logtune-dev deploy &lt;job&gt;`');
    expect(all(preflightRefusal('train', [], '/logtune-dev'))).toContain('`/logtune-dev doctor` shows every check');
    expect(all(deployThread.inServiceMessage('logtune-dep-1', 1.5, 24, 2, '/logtune-dev'))).toContain(
      '`/logtune-dev undeploy logtune-dep-1`',
    );
    expect(all(deployThread.afterInServiceFailedMessage('logtune-dep-1', 'x', '/logtune-dev'))).toContain(
      '`/logtune-dev evaluate logtune-dep-1`',
    );
    for (const m of [completed, noModelReply('/logtune-dev'), preflightRefusal('deploy', [], '/logtune-dev')])
      expect(all(m)).not.toMatch(/\/logtune(?!-dev)/);
  });
});
