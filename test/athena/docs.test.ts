import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** docs/athena.md states what the engine needs: every Athena operation the code sends is listed as an IAM action. */
function athenaActions(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        const code = readFileSync(path, 'utf8');
        for (const m of code.matchAll(/import\s*(?:type\s*)?\{([^}]+)\}\s*from\s*'@aws-sdk\/client-athena'/g))
          for (const name of m[1]!.split(',').map((n) => n.trim()))
            if (/^[A-Z]\w+Command$/.test(name)) found.add(`athena:${name.replace(/Command$/, '')}`);
      }
    }
  };
  walk('src');
  return found;
}

describe('docs/athena.md', () => {
  const doc = readFileSync('docs/athena.md', 'utf8');

  it('lists every Athena action the code calls, and the Glue actions its tables need', () => {
    const actions = athenaActions();
    expect([...actions].sort()).toEqual([
      'athena:GetQueryExecution',
      'athena:GetWorkGroup',
      'athena:StartQueryExecution',
      'athena:StopQueryExecution',
      'athena:UpdateWorkGroup',
    ]);
    for (const action of [...actions, 'glue:CreateTable', 'glue:GetTable', 'glue:GetDatabase'])
      expect(doc).toContain(`"${action}"`);
  });

  it('has the paper table for 1 TB and 100 TB on each engine, and the price per TB', () => {
    expect(doc).toMatch(/^\| 1 TB .*\|$/m);
    expect(doc).toMatch(/^\| 100 TB .*\|$/m);
    expect(doc).toContain('$5 per TB scanned');
  });

  it('the README says when to use which engine and links here', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('(docs/athena.md)');
    expect(readme).toMatch(/--engine athena/);
  });
});
