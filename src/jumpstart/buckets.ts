/** JumpStart's content buckets (SDK region_config.json; jumpstart/utils.py get_jumpstart_content_bucket). */
export const contentBucket = (region: string) => `jumpstart-cache-prod-${region}`;
export const gatedContentBucket = (region: string) => `jumpstart-private-cache-prod-${region}`;
/** The SDK's JUMPSTART_DEFAULT_MANIFEST_FILE_S3_KEY. */
export const MANIFEST_KEY = 'models_manifest.json';
