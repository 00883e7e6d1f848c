import { loadBotConfig, loadDataConfig, type BotConfig, type DataConfig, type Env } from './config.ts';
import {
  loadHostingSettings,
  loadInferenceSettings,
  type HostingSettings,
  type InferenceSettings,
} from './deploy/settings.ts';
import { loadEvaluationSettings, type EvaluationSettings } from './evaluation/settings.ts';
import { loadDeploySettings, type DeploySettings } from './features/deploy/settings.ts';
import { loadTriageSettings, type TriageSettings } from './features/triage/settings.ts';
import { loadTrainingConfig, type TrainingConfig } from './training/settings.ts';

/** Every setting the bot reads, each section validated by its own schema; the first problem names its variable. */
export interface Settings {
  readonly bot: BotConfig;
  readonly data: DataConfig;
  readonly training: TrainingConfig;
  readonly hosting: HostingSettings;
  readonly deploy: DeploySettings;
  readonly inference: InferenceSettings;
  readonly triage: TriageSettings;
  readonly evaluation: EvaluationSettings;
}

export function loadSettings(env: Env = process.env): Settings {
  return Object.freeze({
    bot: loadBotConfig(env),
    data: loadDataConfig(env),
    training: loadTrainingConfig(env),
    hosting: loadHostingSettings(env),
    deploy: loadDeploySettings(env),
    inference: loadInferenceSettings(env),
    triage: loadTriageSettings(env),
    evaluation: loadEvaluationSettings(env),
  });
}
