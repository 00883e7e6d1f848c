import { z } from 'zod';

/**
 * The shape of JumpStart's content-bucket documents, as far as logtune reads them. Field names and nesting follow the
 * SageMaker Python SDK's readers (aws/sagemaker-python-sdk, sagemaker-core/src/sagemaker/core/jumpstart/types.py:
 * JumpStartModelHeader, JumpStartInstanceTypeVariants, JumpStartModelSpecs, JumpStartMetadataConfig). Unknown keys are
 * kept out of the parsed value but never rejected: the specs grow fields all the time.
 */
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const manifestSchema = z.array(
  z.object({
    model_id: z.string().min(1),
    version: z.string().min(1),
    spec_key: z.string().min(1),
    min_version: z.string().optional(),
    deprecated: z.boolean().optional(),
  }),
);
export type ManifestEntry = z.infer<typeof manifestSchema>[number];

export const hyperparameterSchema = z.object({
  name: z.string().min(1),
  type: z.string().optional(),
  default: scalar,
  scope: z.string().optional(),
});
export type SpecHyperparameter = z.infer<typeof hyperparameterSchema>;

const metricSchema = z.object({ Name: z.string().min(1), Regex: z.string().min(1) });

const variantPropertiesSchema = z.object({
  environment_variables: z.record(z.string(), scalar).optional(),
  gated_model_key_env_var_value: z.string().min(1).optional(),
  training_artifact_key: z.string().min(1).optional(),
  hyperparameters: z.array(hyperparameterSchema).optional(),
  metrics: z.array(metricSchema).optional(),
  image_uri: z.string().min(1).optional(),
});

export const instanceTypeVariantsSchema = z.object({
  regional_aliases: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  variants: z
    .record(
      z.string(),
      z.object({
        properties: variantPropertiesSchema.optional(),
        regional_properties: z.object({ image_uri: z.string().min(1).optional() }).optional(),
      }),
    )
    .optional(),
});
export type InstanceTypeVariants = z.infer<typeof instanceTypeVariantsSchema>;

const environmentVariableSchema = z.object({
  name: z.string().min(1),
  default: scalar,
  required_for_model_class: z.boolean().optional(),
  scope: z.string().optional(),
});

/** The hosting fields an inference config component may override (types.py: JumpStartConfigComponent). */
export const hostingFieldsSchema = z.object({
  hosting_instance_type_variants: instanceTypeVariantsSchema.optional(),
  inference_environment_variables: z.array(environmentVariableSchema).optional(),
  default_inference_instance_type: z.string().min(1).optional(),
  supported_inference_instance_types: z.array(z.string().min(1)).optional(),
  inference_enable_network_isolation: z.boolean().optional(),
  deploy_kwargs: z
    .object({
      model_data_download_timeout: z.number().int().positive().optional(),
      container_startup_health_check_timeout: z.number().int().positive().optional(),
    })
    .optional(),
  inference_vulnerable: z.boolean().optional(),
  inference_vulnerabilities: z.array(z.string()).optional(),
});
export type HostingFields = z.infer<typeof hostingFieldsSchema>;

export const specSchema = hostingFieldsSchema.extend({
  model_id: z.string().min(1),
  version: z.string().min(1),
  deprecated: z.boolean().optional(),
  deprecated_message: z.string().nullish(),
  training_supported: z.boolean().optional(),
  training_vulnerable: z.boolean().optional(),
  training_vulnerabilities: z.array(z.string()).optional(),
  gated_bucket: z.boolean().optional(),
  hyperparameters: z.array(hyperparameterSchema).default([]),
  training_script_key: z.string().min(1).optional(),
  training_prepacked_script_key: z.string().min(1).nullish(),
  training_artifact_key: z.string().min(1).optional(),
  training_instance_type_variants: instanceTypeVariantsSchema.optional(),
  training_enable_network_isolation: z.boolean().optional(),
  training_volume_size: z.number().int().positive().optional(),
  default_training_instance_type: z.string().min(1).optional(),
  supported_training_instance_types: z.array(z.string().min(1)).default([]),
  estimator_kwargs: z.record(z.string(), z.unknown()).default({}),
  metrics: z.array(metricSchema).default([]),
  inference_configs: z.record(z.string(), z.object({ component_names: z.array(z.string()).optional() })).optional(),
  inference_config_components: z.record(z.string(), hostingFieldsSchema).optional(),
  inference_config_rankings: z.record(z.string(), z.object({ rankings: z.array(z.string()) })).optional(),
});
export type ModelSpec = z.infer<typeof specSchema>;
