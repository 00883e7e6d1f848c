import { z } from 'zod';
import { LogtuneError, UsageError } from '../errors.ts';
import { contentBucket, MANIFEST_KEY } from './buckets.ts';
import type { JumpStartContent } from './content.ts';
import { modelRecipeSchema, type ModelRecipe } from './recipe.ts';
import type { RecipeCache } from './recipeCache.ts';
import { resolveSpec } from './resolve.ts';
import { manifestSchema, specSchema } from './schema.ts';
import type { JumpStartSettings } from './settings.ts';
import { newestMatching } from './versions.ts';

/** A spec JumpStart has withdrawn (deprecated) or flagged (vulnerable, without the opt-in): nothing is launched. */
export class JumpStartRefusedError extends LogtuneError {
  constructor(message: string) {
    super('config', message);
  }
}

const pick = z.object({ version: z.string(), specKey: z.string() });

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} is not JSON: ${(error as Error).message}`);
  }
}

function invalid(what: string, error: z.ZodError): UsageError {
  return new UsageError(`${what} does not have the shape logtune reads: ${z.prettifyError(error)}`);
}

/**
 * The recipe of the configured JumpStart model, read from AWS every time it is asked for: the manifest and the spec
 * are looked at by ETag (HeadObject), and read and resolved again only when it changed. Launches go through here;
 * only estimates may fall back to the bundled snapshot (snapshot.ts).
 */
export class JumpStartRecipes {
  constructor(
    private readonly content: JumpStartContent,
    private readonly cache: RecipeCache,
    readonly settings: JumpStartSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The newest version matching the pin (LOGTUNE_JUMPSTART_MODEL_VERSION), or exactly `version` (a job's own). */
  async recipe(region: string, version?: string, signal?: AbortSignal): Promise<ModelRecipe> {
    const bucket = contentBucket(region);
    const { modelId } = this.settings;
    const pin = version ?? this.settings.versionPin;
    const manifestTag = await this.content.etag(bucket, MANIFEST_KEY, signal);
    let chosen = pick.safeParse(this.cache.get(bucket, MANIFEST_KEY, manifestTag, `${modelId}@${pin}`)).data;
    if (chosen === undefined) {
      const manifest = await this.content.read(bucket, MANIFEST_KEY, signal);
      const parsed = manifestSchema.safeParse(parseJson(manifest.body, `s3://${bucket}/${MANIFEST_KEY}`));
      if (!parsed.success) throw invalid(`s3://${bucket}/${MANIFEST_KEY}`, parsed.error);
      const entry = newestMatching(parsed.data, modelId, pin);
      if (entry === undefined)
        throw new UsageError(
          `no version of ${modelId} matching ${pin} is listed in s3://${bucket}/${MANIFEST_KEY}` +
            (version === undefined ? ' (LOGTUNE_JUMPSTART_MODEL_VERSION)' : ''),
        );
      chosen = { version: entry.version, specKey: entry.spec_key };
      this.cache.set(bucket, MANIFEST_KEY, manifest.etag, `${modelId}@${pin}`, chosen, this.now());
    }
    const specUri = `s3://${bucket}/${chosen.specKey}`;
    const specTag = await this.content.etag(bucket, chosen.specKey, signal);
    const cached = modelRecipeSchema.safeParse(this.cache.get(bucket, chosen.specKey, specTag, 'recipe'));
    if (cached.success) return cached.data;
    const read = await this.content.read(bucket, chosen.specKey, signal);
    const spec = specSchema.safeParse(parseJson(read.body, specUri));
    if (!spec.success) throw invalid(specUri, spec.error);
    const recipe = resolveSpec(spec.data, { region, specUri, etag: read.etag });
    this.cache.set(bucket, chosen.specKey, read.etag, 'recipe', recipe, this.now());
    return recipe;
  }

  /** The recipe a job may be trained with: refused when deprecated, or vulnerable without the opt-in. */
  async forTraining(region: string, version?: string, signal?: AbortSignal): Promise<ModelRecipe> {
    const recipe = await this.recipe(region, version, signal);
    refuseUnusable(recipe, 'training', this.settings.tolerateVulnerable);
    return recipe;
  }

  async forHosting(region: string, version?: string, signal?: AbortSignal): Promise<ModelRecipe> {
    const recipe = await this.recipe(region, version, signal);
    refuseUnusable(recipe, 'inference', this.settings.tolerateVulnerable);
    return recipe;
  }
}

export function refuseUnusable(recipe: ModelRecipe, use: 'training' | 'inference', tolerateVulnerable: boolean): void {
  const name = `JumpStart ${recipe.modelId} ${recipe.version}`;
  if (recipe.deprecated.deprecated)
    throw new JumpStartRefusedError(`${name} is deprecated: ${recipe.deprecated.message ?? 'no reason given'}`);
  const v = use === 'training' ? recipe.trainingVulnerability : recipe.inferenceVulnerability;
  if (v.vulnerable && !tolerateVulnerable)
    throw new JumpStartRefusedError(
      `${name} is marked vulnerable for ${use} (${v.findings.join(', ') || 'no details'}); ` +
        'set LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE=true to use it anyway (the approval message will say so)',
    );
}

/** The sentence an approval message carries when a vulnerable spec is used by opt-in; undefined otherwise. */
export function vulnerabilityNote(recipe: ModelRecipe, use: 'training' | 'inference'): string | undefined {
  const v = use === 'training' ? recipe.trainingVulnerability : recipe.inferenceVulnerability;
  if (!v.vulnerable) return undefined;
  return (
    `JumpStart marks ${recipe.modelId} ${recipe.version} vulnerable for ${use} ` +
    `(${v.findings.join(', ') || 'no details'}); used because LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE=true`
  );
}
