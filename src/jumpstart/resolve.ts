import { contentBucket, gatedContentBucket } from './buckets.ts';
import { pythonStr } from './pythonStr.ts';
import type { HostingRecipe, HostingVariant, ModelRecipe, TrainingRecipe, TrainingVariant } from './recipe.ts';
import type { HostingFields, ModelSpec } from './schema.ts';
import { instanceFamily, variantEnvironment, variantImage, variantList, variantProperty } from './variants.ts';

/** A spec that does not say what logtune must send; names the spec and what is missing. */
export class JumpStartSpecError extends Error {
  override readonly name = 'JumpStartSpecError';
}

export interface SpecSource {
  readonly region: string;
  readonly specUri: string;
  readonly etag: string;
}

/** common_utils.volume_size_supported: families with local NVMe (g5, g6, p5, trn1, any "d") take no EBS size. */
export function volumeSizeSupported(instanceType: string): boolean {
  const family = instanceFamily(instanceType) ?? '';
  return !family.includes('d') && !['g5', 'g6', 'p5', 'trn1'].some((p) => family.startsWith(p));
}

const strings = (record: Readonly<Record<string, string | number | boolean>>) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, pythonStr(v)]));

function trainingRecipe(spec: ModelSpec, source: SpecSource, fail: (what: string) => never): TrainingRecipe {
  const { region } = source;
  const variants = spec.training_instance_type_variants;
  const supported = spec.supported_training_instance_types;
  if (supported.length === 0) fail('no supported_training_instance_types');
  const scriptKey = spec.training_prepacked_script_key ?? spec.training_script_key;
  if (scriptKey === undefined) fail('no training_prepacked_script_key or training_script_key');
  const gatedKey = (type: string) => variantProperty(variants, type, 'gated_model_key_env_var_value');
  // artifacts/environment_variables.py: a type without its own key takes the one key all supported types share.
  const sharedKeys = new Set(supported.map(gatedKey));
  const shared = sharedKeys.size === 1 ? [...sharedKeys][0] : undefined;
  // estimator.py use_training_model_artifact: weights by variable as soon as any supported type has a key.
  const byVariable = supported.some((type) => gatedKey(type) !== undefined);
  const weightsBucket = spec.gated_bucket ? gatedContentBucket(region) : contentBucket(region);
  const algorithm = spec.hyperparameters.filter((h) => h.scope === undefined || h.scope === 'algorithm');
  const byInstanceType: Record<string, TrainingVariant> = {};
  const unusable: Record<string, string> = {};
  for (const type of supported) {
    const image = variantImage(variants, type, region);
    const key = gatedKey(type) ?? shared;
    // The SDK only warns here and sends the job without weights; logtune does not offer the type at all.
    if (image === undefined) unusable[type] = `the spec gives no training image for ${type} in ${region}`;
    else if (byVariable && key === undefined)
      unusable[type] = `the spec gives no base weights (gated_model_key_env_var_value) for ${type}`;
    if (image === undefined || (byVariable && key === undefined)) continue;
    const environment = strings(variantEnvironment(variants, type));
    if (key !== undefined) environment.SageMakerGatedModelS3Uri = `s3://${gatedContentBucket(region)}/${key}`;
    const artifactKey = variantProperty(variants, type, 'training_artifact_key') ?? spec.training_artifact_key;
    const hyperparameters: Record<string, string> = {};
    for (const h of algorithm) hyperparameters[h.name] = pythonStr(h.default, h.type);
    for (const h of variantList(
      variants,
      type,
      (p) => p.hyperparameters,
      (x) => x.name,
    ))
      hyperparameters[h.name] = pythonStr(h.default, h.type);
    const own = variantList(
      variants,
      type,
      (p) => p.metrics,
      (m) => m.Name,
    );
    const names = new Set(own.map((m) => m.Name));
    byInstanceType[type] = {
      image,
      environment,
      hyperparameters,
      metricDefinitions: [...spec.metrics.filter((m) => !names.has(m.Name)), ...own],
      ...(!byVariable && artifactKey !== undefined && { modelChannelUri: `s3://${weightsBucket}/${artifactKey}` }),
    };
  }
  const kwargs = spec.estimator_kwargs;
  const usable = supported.filter((type) => byInstanceType[type] !== undefined);
  if (usable.length === 0) fail(`no usable training instance type (${Object.values(unusable).join('; ')})`);
  const preferred = spec.default_training_instance_type;
  return {
    defaultInstanceType: preferred !== undefined && byInstanceType[preferred] ? preferred : usable[0]!,
    supportedInstanceTypes: usable,
    unusableInstanceTypes: unusable,
    scriptUri: `s3://${contentBucket(region)}/${scriptKey}`,
    networkIsolation: spec.training_enable_network_isolation ?? false,
    encryptInterContainerTraffic: kwargs.encrypt_inter_container_traffic === true,
    disableOutputCompression: kwargs.disable_output_compression === true,
    ...(typeof kwargs.max_run === 'number' && { maxRunSeconds: kwargs.max_run }),
    ...(spec.training_volume_size !== undefined && { volumeSizeGb: spec.training_volume_size }),
    gated: spec.gated_bucket === true || byVariable,
    byInstanceType,
  };
}

/** jumpstart/utils.py deep_override_dict: objects merge key by key, anything else is replaced. */
function deepOverride<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null)
    return over as T;
  if (Array.isArray(over)) return over as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = deepOverride(out[k], v);
  return out as T;
}

/**
 * types.py JumpStartModelSpecs: the top config of the "overall" ranking (else the first name in order) applied over
 * the spec's own fields, component by component. Specs without inference configs keep their top-level fields.
 */
export function chooseHostingFields(spec: ModelSpec): { name: string | undefined; fields: HostingFields } {
  const configs = spec.inference_configs;
  if (configs === undefined || Object.keys(configs).length === 0) return { name: undefined, fields: spec };
  const ranked = spec.inference_config_rankings?.overall?.rankings ?? Object.keys(configs).sort();
  const name = ranked.find((n) => configs[n] !== undefined);
  if (name === undefined) return { name: undefined, fields: spec };
  let fields: HostingFields = spec;
  for (const component of configs[name]!.component_names ?? [])
    fields = deepOverride(fields, spec.inference_config_components?.[component]);
  return { name, fields };
}

function hostingRecipe(spec: ModelSpec, source: SpecSource, fail: (what: string) => never): HostingRecipe {
  const { name, fields } = chooseHostingFields(spec);
  const variants = fields.hosting_instance_type_variants;
  const supported = fields.supported_inference_instance_types ?? [];
  const defaultType = fields.default_inference_instance_type ?? supported[0];
  if (defaultType === undefined) fail('no default_inference_instance_type');
  // factory/utils.py _add_env_to_kwargs: only the variables the model class requires (include_aws_sdk_env_vars=False).
  const base: Record<string, string> = {};
  for (const v of fields.inference_environment_variables ?? [])
    if (v.required_for_model_class === true) base[v.name] = pythonStr(v.default);
  const timeouts = fields.deploy_kwargs;
  const byInstanceType: Record<string, HostingVariant> = {};
  for (const type of new Set([defaultType, ...supported])) {
    const image = variantImage(variants, type, source.region);
    if (image === undefined) continue;
    byInstanceType[type] = { image, environment: { ...base, ...strings(variantEnvironment(variants, type)) } };
  }
  if (byInstanceType[defaultType] === undefined)
    fail(`no hosting image for ${defaultType} in ${source.region}${name ? ` (inference config ${name})` : ''}`);
  return {
    ...(name !== undefined && { configName: name }),
    defaultInstanceType: defaultType,
    supportedInstanceTypes: Object.keys(byInstanceType),
    networkIsolation: fields.inference_enable_network_isolation ?? false,
    ...(timeouts?.model_data_download_timeout !== undefined && {
      modelDataDownloadTimeoutSeconds: timeouts.model_data_download_timeout,
    }),
    ...(timeouts?.container_startup_health_check_timeout !== undefined && {
      containerStartupTimeoutSeconds: timeouts.container_startup_health_check_timeout,
    }),
    byInstanceType,
  };
}

/** Everything logtune sends, derived from one spec for one region (the SDK's artifacts/*.py, in one place). */
export function resolveSpec(spec: ModelSpec, source: SpecSource): ModelRecipe {
  const fail = (what: string): never => {
    throw new JumpStartSpecError(`JumpStart spec ${spec.model_id} ${spec.version} (${source.specUri}) has ${what}`);
  };
  const { fields } = chooseHostingFields(spec);
  return {
    modelId: spec.model_id,
    version: spec.version,
    region: source.region,
    specUri: source.specUri,
    etag: source.etag,
    deprecated: {
      deprecated: spec.deprecated === true,
      ...(spec.deprecated_message && { message: spec.deprecated_message }),
    },
    trainingVulnerability: {
      vulnerable: spec.training_vulnerable === true,
      findings: spec.training_vulnerabilities ?? [],
    },
    inferenceVulnerability: {
      vulnerable: fields.inference_vulnerable === true,
      findings: fields.inference_vulnerabilities ?? [],
    },
    training: trainingRecipe(spec, source, fail),
    hosting: hostingRecipe(spec, source, fail),
  };
}
