import pkg from '../../package.json' with { type: 'json' };

/**
 * The AWS SDK prints a ten-line NodeVersionSupportWarning on every command under Node 20 (its releases after early
 * January 2027 need Node 22; logtune pins earlier ones, which keep working). On a runtime logtune supports (its
 * package.json `engines`) that warning tells the user nothing they can act on, so it is turned off the way the SDK
 * offers (@aws-sdk/core, emitWarningIfUnsupportedVersion.js); docs/troubleshooting.md says why Node 22 is still the
 * one to run in production. An explicit setting of the variable wins; below the supported range the warning stays.
 */
export const SDK_WARNING_VARIABLE = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

export function supportedNodeMajor(): number {
  const match = /(\d+)/.exec(pkg.engines.node);
  return match === null ? Number.POSITIVE_INFINITY : Number(match[1]);
}

export function quietSdkNodeWarning(env: NodeJS.ProcessEnv = process.env, version = process.versions.node): void {
  if (env[SDK_WARNING_VARIABLE] !== undefined) return;
  if (Number(version.split('.')[0]) >= supportedNodeMajor()) env[SDK_WARNING_VARIABLE] = 'true';
}
