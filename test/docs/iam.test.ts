import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every AWS operation the code sends (a `*Command` or `paginate*` imported from an AWS SDK client), as an IAM action. */
const PREFIX: Record<string, string> = {
  s3: 's3',
  sagemaker: 'sagemaker',
  'sagemaker-runtime': 'sagemaker',
  pricing: 'pricing',
  sts: 'sts',
  iam: 'iam',
  'service-quotas': 'servicequotas',
  athena: 'athena',
};
// S3 operations whose IAM action has another name.
const S3_ACTION: Record<string, string> = { HeadObject: 'GetObject', ListObjectsV2: 'ListBucket' };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function operations(): Set<string> {
  const found = new Set<string>();
  for (const file of files('src')) {
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/import\s*(?:type\s*)?\{([^}]+)\}\s*from\s*'@aws-sdk\/client-([a-z-]+)'/g)) {
      const prefix = PREFIX[m[2]!];
      if (prefix === undefined) throw new Error(`${file}: no IAM prefix known for @aws-sdk/client-${m[2]}`);
      for (const name of m[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
        const op = /^([A-Z]\w+)Command$/.exec(name)?.[1] ?? /^paginate([A-Z]\w+)$/.exec(name)?.[1];
        if (op === undefined) continue;
        found.add(`${prefix}:${prefix === 's3' ? (S3_ACTION[op] ?? op) : op}`);
      }
    }
  }
  return found;
}

describe('docs/iam.md', () => {
  it('lists every AWS operation the code calls in its policies', () => {
    const doc = readFileSync('docs/iam.md', 'utf8');
    const ops = operations();
    expect(ops.size).toBeGreaterThan(10);
    const missing = [...ops].filter((action) => !doc.includes(`"${action}"`));
    expect(missing).toEqual([]);
  });
});
