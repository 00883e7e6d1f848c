/**
 * The bot token scopes manifest.yml asks for (`oauth_config.scopes.bot`), which the doctor compares with what the
 * installed app was granted. test/doctor/manifestScopes.test.ts keeps this list and the manifest the same.
 */
export const MANIFEST_BOT_SCOPES: readonly string[] = [
  'commands',
  'chat:write',
  'channels:history',
  'groups:history',
  'im:history',
  'reactions:write',
  'app_mentions:read',
  'files:read',
  'files:write',
  'channels:read',
  'groups:read',
  'users:read',
];
