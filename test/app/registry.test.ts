import { describe, expect, it } from 'vitest';
import { createFeatures, type SharedServices } from '../../src/app/features.ts';
import { MIGRATIONS, migrationsOf } from '../../src/app/migrations.ts';
import { FEATURES } from '../../src/app/registry.ts';
import { loadSettings, sectionsOf } from '../../src/app/settings.ts';
import { CORE_MIGRATIONS } from '../../src/db/migrations.ts';
import { describeFeature } from '../../src/features/description.ts';
import { settingsSection } from '../../src/shared/env.ts';
import { z } from 'zod';

/** What src/app derives from the feature descriptions: the settings sections, the schema, the features. */
const greeting = settingsSection({ GREETING: z.string().default('hello') }, (e) => ({ text: e.GREETING }));
const otherGreeting = settingsSection({ SALUTATION: z.string().default('hi') }, (e) => ({ text: e.SALUTATION }));
const empty = { name: '', commands: [], actions: [] };
const services = {} as SharedServices;

describe('the app derived from the registry', () => {
  it("loads each feature's declared sections, and every feature's tables in one version sequence", () => {
    const settings = loadSettings({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    for (const feature of FEATURES)
      for (const key of Object.keys(feature.settings)) expect(settings).toHaveProperty(key);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(MIGRATIONS.length).toBe(CORE_MIGRATIONS.length + FEATURES.flatMap((f) => f.migrations ?? []).length);
  });

  it('adds a new feature from its description alone: its settings, its tables, made with only its sections', () => {
    let seen: unknown;
    const hello = describeFeature({
      name: 'hello',
      settings: { greeting },
      migrations: [{ version: MIGRATIONS.length + 1, name: 'hellos', up: 'CREATE TABLE hellos (id TEXT)' }],
      create: ({ settings }) => {
        seen = settings;
        return { ...empty, name: 'hello' };
      },
    });
    expect(Object.keys(sectionsOf([hello]))).toEqual(['bot', 'greeting']);
    expect(migrationsOf([...FEATURES, hello]).at(-1)?.name).toBe('hellos');
    const made = createFeatures([hello], { greeting: { text: 'hey' }, bot: {} }, services);
    expect(made.map((f) => f.name)).toEqual(['hello']);
    expect(seen).toEqual({ greeting: { text: 'hey' } });
  });

  it('refuses two sections under one key, and a feature asked for before it is made', () => {
    const a = describeFeature({ name: 'a', settings: { greeting }, create: () => ({ ...empty, name: 'a' }) });
    const b = describeFeature({
      name: 'b',
      settings: { greeting: otherGreeting },
      create: () => ({ ...empty, name: 'b' }),
    });
    expect(() => sectionsOf([a, b])).toThrow(/feature "b" names another settings section "greeting"/);
    const early = describeFeature({
      name: 'early',
      settings: {},
      create: ({ features }) => ({ ...empty, name: 'early', commands: features.get('late').commands }),
    });
    const late = describeFeature({ name: 'late', settings: {}, create: () => ({ ...empty, name: 'late' }) });
    expect(() => createFeatures([early, late], {}, services)).toThrow(/list it earlier in src\/app\/registry\.ts/);
    expect(createFeatures([late, early], {}, services).map((f) => f.name)).toEqual(['late', 'early']);
  });
});
