import { describe, expect, it } from 'vitest';
import { triageReply } from '../../../src/features/triage/blocks/reply.ts';
import { verdictCsv, type LineResult } from '../../../src/features/triage/blocks/verdicts.ts';
import { expectWithinLimits } from '../../helpers/blockLimits.ts';
import { blockText } from '../../slack/support.ts';

const source = { kind: 'endpoint', endpointName: 'ep', datasetId: 'ds-1' } as const;
const fields = { date: '2024-05-01', time: '12:00:00', 'c-ip': '203.0.113.9', 'cs-method': 'GET', 'cs-uri-stem': '/x' };
const view = (results: LineResult[]) => ({
  source,
  results,
  notClassified: 0,
  maxLines: 2000,
  alertLabels: ['malicious'],
  verdictFile: 'v.csv',
  command: '/logtune',
});

describe('triage reply', () => {
  it('stays within Slack limits for 2,000 verdicts and for lines the model could not read, counting them all', () => {
    const labels = ['benign', 'benign', 'benign', 'suspicious', 'malicious'];
    const many: LineResult[] = Array.from({ length: 2000 }, (_, i) => ({ line: i + 1, fields, label: labels[i % 5]! }));
    const reply = triageReply(view(many));
    expectWithinLimits(reply);
    const text = blockText(reply);
    expect(text).toContain('*400 malicious*');
    expect(text).toContain('400 suspicious');
    expect(text).toContain('1,200 benign');
    expect(text).toMatch(/^:rotating_light: line 5: \*malicious\*/m);
    expect(reply.listed).toBeLessThan(2000);
    expect(text).toContain(`Listed ${reply.listed} of 2,000 verdicts, alerts first; every verdict is in \`v.csv\``);

    const said = 'x'.repeat(300);
    const unrecognised: LineResult[] = Array.from({ length: 50 }, (_, i) => ({
      line: i + 1,
      fields,
      problem: { kind: 'unrecognised', said },
    }));
    const unreadable: LineResult[] = Array.from({ length: 1000 }, (_, i) => ({
      line: 51 + i,
      problem: { kind: 'unreadable', detail: 'not a log line' },
    }));
    const mixed = triageReply(view([...unrecognised, ...unreadable]));
    expectWithinLimits(mixed);
    expect(blockText(mixed)).toContain('50 unrecognised');
    expect(blockText(mixed)).toContain('1,000 lines are not log lines (counted, not classified)');
    expect(blockText(mixed)).not.toContain('line 51:');
  });

  it('writes every line to the CSV, quoted, with pasted formulas defused', () => {
    const csv = verdictCsv([
      { line: 2, problem: { kind: 'unreadable', detail: 'not a log line' } },
      { line: 1, fields: { ...fields, 'cs-uri-stem': '/a,"b"' }, label: 'benign' },
      { line: 3, fields, problem: { kind: 'unrecognised', said: '=HYPERLINK("x")' } },
    ]);
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('line,verdict,detail,date,time,c-ip,cs-method,cs-uri-stem,sc-status');
    expect(rows[1]).toBe('1,benign,,2024-05-01,12:00:00,203.0.113.9,GET,"/a,""b""",');
    expect(rows[2]).toBe('2,unreadable,not a log line,,,,,,');
    expect(rows[3]).toContain(`'=HYPERLINK`);
  });
});
