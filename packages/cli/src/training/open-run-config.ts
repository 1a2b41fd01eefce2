import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { CliInputError } from '../cli-input-error.js';
import { parseTrainingConfig } from '../config/parse-training-config.js';
import { readConfigFile } from '../config/read-config-file.js';
import type { TrainingConfig } from '../config/training-config.js';
import type { RunDirectory } from './run-directory.js';
import { trainingFlagOverrides } from './training-flags.js';

/** What {@link openRunConfig} needs from a training command. */
export interface OpenRunConfigOptions {
  readonly command: 'pretrain' | 'posttrain';
  readonly run: RunDirectory;
  /** `--resume`: read `RUN/config.json` back instead of building a configuration. */
  readonly resume: boolean;
  /** Files of the run folder that `--resume` needs (besides `config.json`). */
  readonly resumeNeeds: readonly string[];
  /** The command's flags: the shared training flags and `--config`. */
  readonly flags: Parameters<typeof trainingFlagOverrides>[0] & { readonly config?: string | undefined; readonly stopAt?: number | undefined };
  /** The command's own flag overrides, by configuration path. */
  readonly overrides: Record<string, unknown>;
  readonly cwd: string;
  /** Where notes go (settings flags ignored by `--resume`). */
  readonly stderr: (line: string) => void;
}

/**
 * The configuration of a training run: with `--resume` the one `RUN/config.json` recorded (the run folder must hold
 * what resuming needs); otherwise the config file (JSON/YAML, a relative `checkpoint:` resolved against it) with the
 * flags on top, validated — and `RUN` must not already hold a run.
 * @throws CliInputError naming the folder, file or field, with a hint.
 */
export async function openRunConfig(options: OpenRunConfigOptions): Promise<TrainingConfig> {
  const { command, run, flags, cwd } = options;
  if (options.resume) {
    const needed = [run.config, ...options.resumeNeeds];
    if (!needed.every((path) => existsSync(path))) {
      throw new CliInputError({
        message: `--resume: ${run.root} holds no resumable ${command === 'pretrain' ? 'pretraining' : 'post-training'} run (${needed.map((path) => relative(run.root, path)).join(', ')} are needed)`,
        hint: 'start it without --resume first',
      });
    }
    if (flags.stopAt === undefined && Object.values(trainingFlagOverrides(flags)).some((value) => value !== undefined)) {
      options.stderr(`reca ${command}: note: --resume uses RUN/config.json; other settings flags are ignored`);
    }
    return (JSON.parse(await readFile(run.config, 'utf8')) as { config: TrainingConfig }).config;
  }
  if (existsSync(run.config)) {
    throw new CliInputError({ message: `--out: ${run.root} already holds a run`, hint: 'add --resume to continue it, or choose another --out' });
  }
  const file = flags.config === undefined ? undefined : resolve(cwd, flags.config);
  const settings = file === undefined ? {} : await readConfigFile(file);
  if (file !== undefined && typeof settings['checkpoint'] === 'string') settings['checkpoint'] = resolve(dirname(file), settings['checkpoint']);
  return parseTrainingConfig(settings, { ...trainingFlagOverrides(flags), ...options.overrides }, { source: file === undefined ? 'flags' : `${file} + flags`, command });
}
