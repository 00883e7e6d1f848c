import { PutObjectCommand, S3Client, HeadObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/db.ts';
import { contentBucket } from '../../src/jumpstart/buckets.ts';
import { s3Content, type JumpStartContent } from '../../src/jumpstart/content.ts';
import { JumpStartRecipes, JumpStartRefusedError, vulnerabilityNote } from '../../src/jumpstart/recipes.ts';
import { RecipeCache } from '../../src/jumpstart/recipeCache.ts';
import { loadJumpStartSettings } from '../../src/jumpstart/settings.ts';
import { contentObjects, MODEL_ID, spec4 } from '../fixtures/jumpstart/specs.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3rver.ts';

const REGION = 'us-east-1';
const BUCKET = contentBucket(REGION);
let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  for (const [key, body] of Object.entries(contentObjects()))
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}, 30_000);
afterAll(async () => s3?.close());

/** The S3 reader, counting the objects it reads in full. */
function counting(): { content: JumpStartContent; reads: string[] } {
  const inner = s3Content(s3.client);
  const reads: string[] = [];
  return {
    reads,
    content: {
      etag: (b, k) => inner.etag(b, k),
      read: (b, k) => (reads.push(k), inner.read(b, k)),
    },
  };
}

const recipes = (content: JumpStartContent, env: Record<string, string> = {}) =>
  new JumpStartRecipes(content, new RecipeCache(openDatabase(':memory:', [])), loadJumpStartSettings(env));

describe('JumpStart recipe read from the content bucket (s3rver)', () => {
  it('picks the newest version matching the pin (4.* → 4.9.1, not 5.0.0 nor 4.2.0) and resolves it', async () => {
    const recipe = await recipes(counting().content).recipe(REGION);
    expect(recipe.version).toBe('4.9.1');
    expect(recipe.specUri).toBe(`s3://${BUCKET}/community_models/${MODEL_ID}/specs_v4.9.1.json`);
    expect(recipe.etag).not.toBe('');
    expect(recipe.training.supportedInstanceTypes).toEqual([
      'ml.g5.12xlarge',
      'ml.g5.24xlarge',
      'ml.g5.48xlarge',
      'ml.p3dn.24xlarge',
    ]);
    expect(recipe.training.unusableInstanceTypes['ml.g4dn.12xlarge']).toMatch(/no base weights/);
    expect(
      (await recipes(counting().content, { LOGTUNE_JUMPSTART_MODEL_VERSION: '4.2.0' }).recipe(REGION)).version,
    ).toBe('4.2.0');
    await expect(
      recipes(counting().content, { LOGTUNE_JUMPSTART_MODEL_VERSION: '7.*' }).recipe(REGION),
    ).rejects.toThrow(/no version of meta-textgeneration-llama-2-7b matching 7\.\* .*LOGTUNE_JUMPSTART_MODEL_VERSION/);
  });

  it('hosts with the top-ranked inference config when the spec has no top-level hosting fields', async () => {
    const { hosting } = await recipes(counting().content).recipe(REGION);
    // "lmi" sorts first by name; the ranking puts "tgi" first, and the ranking wins.
    expect(hosting.configName).toBe('tgi');
    expect(hosting.defaultInstanceType).toBe('ml.g5.2xlarge');
    expect(hosting.byInstanceType['ml.g5.2xlarge']).toEqual({
      image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/fixture-tgi-inference:9.9-tgi',
      // Only the variables the model class requires, as JumpStartModel sends them; SAGEMAKER_ENV is not one.
      environment: {
        HF_MODEL_ID: '/opt/ml/model',
        MAX_INPUT_LENGTH: '4095',
        MAX_TOTAL_TOKENS: '4096',
        FIXTURE_HOST_ENV: 'tgi',
      },
    });
    expect(hosting.byInstanceType['ml.g5.12xlarge']!.environment.SM_NUM_GPUS).toBe('4');
    expect(hosting.modelDataDownloadTimeoutSeconds).toBe(1111);
    expect(hosting.containerStartupTimeoutSeconds).toBe(1222);
    expect(hosting.networkIsolation).toBe(true);
  });

  it('reads older specs from their top-level hosting fields', async () => {
    const { hosting } = await recipes(counting().content, { LOGTUNE_JUMPSTART_MODEL_VERSION: '3.0.*' }).recipe(REGION);
    expect(hosting.configName).toBeUndefined();
    expect(hosting.byInstanceType['ml.g5.2xlarge']!.image).toMatch(/fixture-tgi-inference:1\.0-old$/);
    expect(hosting.byInstanceType['ml.g5.2xlarge']!.environment.FIXTURE_HOST_ENV).toBe('top-level');
    expect(hosting.containerStartupTimeoutSeconds).toBe(1333);
  });

  it('reads and resolves the spec once per ETag; a changed spec is read again', async () => {
    const { content, reads } = counting();
    const service = recipes(content);
    await service.recipe(REGION);
    await service.recipe(REGION);
    expect(reads.filter((k) => k.endsWith('specs_v4.9.1.json'))).toHaveLength(1);
    expect(reads.filter((k) => k === 'models_manifest.json')).toHaveLength(1);
    const changed = { ...spec4(), default_training_instance_type: 'ml.g5.24xlarge' };
    const key = `community_models/${MODEL_ID}/specs_v4.9.1.json`;
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(changed) }));
    try {
      expect((await service.recipe(REGION)).training.defaultInstanceType).toBe('ml.g5.24xlarge');
      expect(reads.filter((k) => k.endsWith('specs_v4.9.1.json'))).toHaveLength(2);
    } finally {
      await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(spec4()) }));
    }
  });

  it('refuses a deprecated spec with its reason, and a vulnerable one unless opted in (then says so)', async () => {
    await expect(
      recipes(counting().content, { LOGTUNE_JUMPSTART_MODEL_VERSION: '2.*' }).forTraining(REGION),
    ).rejects.toThrow(
      new JumpStartRefusedError(
        `JumpStart ${MODEL_ID} 2.0.0 is deprecated: fixture: this version is withdrawn, use 4.x`,
      ),
    );
    await expect(
      recipes(counting().content, { LOGTUNE_JUMPSTART_MODEL_VERSION: '6.*' }).forTraining(REGION),
    ).rejects.toThrow(/vulnerable for training \(fixture-dep==0\.1\); set LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE=true/);
    const tolerated = await recipes(counting().content, {
      LOGTUNE_JUMPSTART_MODEL_VERSION: '6.*',
      LOGTUNE_JUMPSTART_TOLERATE_VULNERABLE: 'true',
    }).forTraining(REGION);
    expect(vulnerabilityNote(tolerated, 'training')).toMatch(/vulnerable for training .*TOLERATE_VULNERABLE=true/);
    expect(vulnerabilityNote(await recipes(counting().content).forTraining(REGION), 'training')).toBeUndefined();
  });

  it('names bucket, key and the IAM action when the bucket cannot be read', async () => {
    // No content bucket in this "region" on the server (a HEAD answers 404 without a body: NotFound).
    await expect(recipes(counting().content).recipe('eu-central-1')).rejects.toThrow(
      's3://jumpstart-cache-prod-eu-central-1/models_manifest.json could not be read (NotFound): it does not exist in this region',
    );
    // s3rver has no access control: a refused HeadObject/GetObject as S3 answers it (403, no body on HEAD).
    const mock = mockClient(S3Client);
    const denied = Object.assign(new Error('UnknownError'), { name: '403', $metadata: { httpStatusCode: 403 } });
    mock.on(HeadObjectCommand).rejects(denied);
    mock
      .on(GetObjectCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const client = new S3Client({ region: REGION });
    await expect(recipes(s3Content(client)).recipe(REGION)).rejects.toThrow(
      `s3://${BUCKET}/models_manifest.json could not be read (403): the bot's credentials need s3:GetObject on arn:aws:s3:::${BUCKET}/models_manifest.json`,
    );
    await expect(s3Content(client).read(BUCKET, 'x.json')).rejects.toThrow(
      /\(AccessDenied\).*s3:GetObject on arn:aws:s3:::jumpstart-cache-prod-us-east-1\/x\.json/,
    );
    mock.restore();
  });

  it('refuses a spec that is not the shape logtune reads, naming the object', async () => {
    const broken = new JumpStartRecipes(
      {
        etag: async () => '"e"',
        read: async (_b, key) => ({
          etag: '"e"',
          body:
            key === 'models_manifest.json'
              ? JSON.stringify([{ model_id: MODEL_ID, version: '4.0.0', spec_key: 's.json' }])
              : JSON.stringify({
                  model_id: MODEL_ID,
                  version: '4.0.0',
                  supported_training_instance_types: 'ml.g5.12xlarge',
                }),
        }),
      },
      new RecipeCache(openDatabase(':memory:', [])),
      loadJumpStartSettings({}),
    );
    await expect(broken.recipe(REGION)).rejects.toThrow(
      /s3:\/\/jumpstart-cache-prod-us-east-1\/s\.json does not have the shape/,
    );
  });
});
