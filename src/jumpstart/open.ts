import { s3Client } from '../aws/clients.ts';
import { openDatabase } from '../db/db.ts';
import { s3Content } from './content.ts';
import { RecipeCache } from './recipeCache.ts';
import { JumpStartRecipes } from './recipes.ts';
import type { JumpStartSettings } from './settings.ts';
import { instanceTypesForEstimate, type EstimateInstanceTypes } from './snapshot.ts';

/**
 * For the CLI: recipes through the SDK's own S3 client (requests bounded, aws/clients.ts), cached for this run only (the bot's database schema is the
 * bot's, never the CLI's to change).
 */
export function openRecipes(settings: JumpStartSettings, _dbPath?: string) {
  const db = openDatabase(':memory:', []);
  const s3 = s3Client();
  return {
    recipes: new JumpStartRecipes(s3Content(s3), new RecipeCache(db), settings),
    close() {
      s3.destroy();
      db.close();
    },
  };
}

export async function estimateInstanceTypes(
  settings: JumpStartSettings,
  region: string,
  dbPath: string | undefined,
): Promise<EstimateInstanceTypes> {
  const opened = openRecipes(settings, dbPath !== undefined && dbPath !== '' ? dbPath : undefined);
  try {
    return await instanceTypesForEstimate(opened.recipes, region);
  } finally {
    opened.close();
  }
}
