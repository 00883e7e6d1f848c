import { describe, expect, it } from 'vitest';
import { contextGroupKey, groupKey, groupKeyPlan, recordGroupKey } from '../../src/dataset/sampling/groupKey.ts';
import { toContext } from '../../src/dataset/examples/example.ts';
import { GroupSplit } from '../../src/dataset/sampling/split.ts';

const columns = ['date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'x-edge-request-id', 'label'];
const options = { labelField: 'label', dropFields: [] };

describe('groupKey', () => {
  const plan = groupKeyPlan(columns, options);
  const attack = ['2024-04-01', '10:00:00', '1.2.3.4', 'GET', '/login', "id=1'--", 'abc', 'sqli'];

  it('is the same for one request at another time, from another client, by another method, with another label', () => {
    const copy = ['2024-04-09', '23:59:59', '9.9.9.9', 'POST', '/login', "id=1'--", 'xyz', 'norm'];
    expect(groupKey(copy, plan)).toBe(groupKey(attack, plan));
  });

  it('differs when the request differs, including where one field ends and the next starts', () => {
    expect(groupKey([...attack.slice(0, 5), "id=2'--", ...attack.slice(6)], plan)).not.toBe(groupKey(attack, plan));
    const a = groupKeyPlan(['a', 'b'], options);
    expect(groupKey(['xy', 'z'], a)).not.toBe(groupKey(['x', 'yz'], a));
  });

  it('is the same from a row, from its full context and from its compact context', () => {
    const record = Object.fromEntries(columns.map((c, i) => [c, attack[i]!]));
    record['cs-uri-query'] = '-';
    const row = columns.map((c) => record[c]!);
    const full = toContext(record, { ...options, format: 'full' });
    const compact = toContext(record, { ...options, format: 'compact' });
    expect(contextGroupKey(full)).toBe(groupKey(row, plan));
    expect(contextGroupKey(compact)).toBe(groupKey(row, plan));
    expect(recordGroupKey({ 'cs-uri-stem': '/login' })).toBe(groupKey(row, plan));
  });
});

describe('GroupSplit', () => {
  it('puts every example of a group where its first went, and counts groups and shared examples', () => {
    const split = new GroupSplit();
    let flip = false;
    const decide = () => (flip = !flip);
    const sides = [1, 2, 1, 3, 2, 1].map((g) => split.place(g, decide));
    expect(sides).toEqual([true, false, true, true, false, true]);
    expect(split.counts).toEqual({ groups: 3, groupedExamples: 5 });
  });

  it('keeps its sides through growth', () => {
    const split = new GroupSplit();
    const first = Array.from({ length: 100_000 }, (_, g) => split.place(g * 7919, () => g % 3 === 0));
    const again = Array.from({ length: 100_000 }, (_, g) => split.place(g * 7919, () => g % 3 !== 0));
    expect(again).toEqual(first);
    expect(split.counts).toEqual({ groups: 100_000, groupedExamples: 200_000 });
  });
});
