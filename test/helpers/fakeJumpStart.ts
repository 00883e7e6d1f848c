import { createHash } from 'node:crypto';
import { contentBucket } from '../../src/jumpstart/buckets.ts';
import { JumpStartAccessError, type JumpStartContent } from '../../src/jumpstart/content.ts';
import { JumpStartRecipes } from '../../src/jumpstart/recipes.ts';
import { RecipeCache } from '../../src/jumpstart/recipeCache.ts';
import type { ModelRecipe } from '../../src/jumpstart/recipe.ts';
import { resolveSpec } from '../../src/jumpstart/resolve.ts';
import { specSchema } from '../../src/jumpstart/schema.ts';
import { loadJumpStartSettings } from '../../src/jumpstart/settings.ts';
import { openDatabase } from '../../src/db/db.ts';
import { contentObjects, spec4 } from '../fixtures/jumpstart/specs.ts';

/** A content bucket in memory (for feature tests; the S3 reading itself is tested against s3rver). */
export class MemoryContent implements JumpStartContent {
  readonly reads: string[] = [];
  readonly objects = new Map<string, string>();

  constructor(regions: readonly string[] = ['us-east-1']) {
    for (const region of regions)
      for (const [key, body] of Object.entries(contentObjects()))
        this.objects.set(`${contentBucket(region)}/${key}`, body);
  }

  private find(bucket: string, key: string): string {
    const body = this.objects.get(`${bucket}/${key}`);
    if (body === undefined) throw new JumpStartAccessError(bucket, key, 's3:GetObject', 'NoSuchKey', true);
    return body;
  }

  async etag(bucket: string, key: string): Promise<string> {
    return `"${createHash('md5').update(this.find(bucket, key)).digest('hex')}"`;
  }

  async read(bucket: string, key: string) {
    this.reads.push(`${bucket}/${key}`);
    return { etag: await this.etag(bucket, key), body: this.find(bucket, key) };
  }
}

/** The 4.9.1 fixture resolved for a region, as a launch would use it. */
export function fixtureRecipe(region = 'us-east-1', spec: unknown = spec4()): ModelRecipe {
  const parsed = specSchema.parse(spec);
  return resolveSpec(parsed, {
    region,
    specUri: `s3://${contentBucket(region)}/community_models/${parsed.model_id}/specs_v${parsed.version}.json`,
    etag: '"fixture"',
  });
}

export function memoryRecipes(env: Record<string, string> = {}, content = new MemoryContent()) {
  return new JumpStartRecipes(content, new RecipeCache(openDatabase(':memory:', [])), loadJumpStartSettings(env));
}
