import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { readSafetensorsHeader } from '@reca/core';
import { type BackendName, backendNames, formatBackendReport } from '@reca/runtime';
import { z } from 'zod';
import type { CliCommand } from '../cli-command.js';
import { CliInputError } from '../cli-input-error.js';
import { choiceFlag, pathFlag } from '../flags/flag-schemas.js';
import { parseCommandFlags } from '../flags/parse-command-flags.js';
import { readCheckpointModelInfo } from '../models/load-checkpoint-model.js';
import { modelFamilies } from '../models/model-family.js';
import { modelRegistry } from '../models/model-registry.js';
import { startRuntime } from '../runtime/start-runtime.js';

const flagsSchema = z.object({
  checkpoint: pathFlag().optional(),
  presets: z.string().regex(/^[a-z]+(,[a-z]+)*$/, { message: 'must be a comma-separated list of presets' }).optional(),
  backend: choiceFlag(backendNames as [BackendName, ...BackendName[]]).optional(),
});

/** `reca info`: backend, device, model sizes and what a checkpoint holds. */
export const infoCommand: CliCommand = {
  path: ['info'],
  summary: 'print the backend, device, model sizes per family, and what a checkpoint holds',
  usage: [
    'reca info [--checkpoint MODEL] [--presets tiny,small] [--backend NAME]',
    '',
    '  --checkpoint MODEL   describe a model checkpoint: family, adapter, model id, parameters, how it was produced',
    '  --presets LIST       presets whose parameter counts to list per family (default tiny)',
    '  --backend NAME       torch, tensorflow, webgpu, wasm or cpu (default: RECA_BACKEND, else the best available)',
  ].join('\n'),
  async run(argv, context) {
    const flags = parseCommandFlags('info', argv, flagsSchema);
    if (flags === 'help') {
      context.stdout(this.usage);
      return 0;
    }
    const { report } = await startRuntime(flags.backend);
    context.stdout(formatBackendReport(report));
    if (flags.checkpoint !== undefined) {
      const path = resolve(context.cwd, flags.checkpoint);
      const info = await readCheckpointModelInfo(path, { flag: '--checkpoint' });
      const header = await readSafetensorsHeader(path);
      const parameters = header.tensors.reduce((sum, tensor) => sum + tensor.shape.reduce((product, size) => product * size, 1), 0);
      context.stdout(`checkpoint: ${path} (${(statSync(path).size / 1024).toFixed(0)} KiB)`);
      context.stdout(`  family ${info.family}, adapter ${info.adapter}, model ${info.modelId}`);
      context.stdout(`  ${header.tensors.length} tensors, ${parameters} values (${[...new Set(header.tensors.map((tensor) => tensor.dtype))].join(', ')})`);
      for (const [key, value] of Object.entries(info.extra)) context.stdout(`  ${key}: ${value}`);
      return 0;
    }
    context.stdout('model sizes (all weights, image codec included):');
    for (const preset of (flags.presets ?? 'tiny').split(',')) {
      for (const family of modelFamilies) {
        const entry = modelRegistry[family];
        if (!entry.presets.includes(preset)) {
          throw new CliInputError({ message: `--presets: '${preset}' is not a preset of ${family}`, hint: `presets: ${entry.presets.join(', ')}` });
        }
        const model = entry.create({ preset, seed: 0, overrides: {} });
        const total = Object.values(model.namedWeights()).reduce((sum, tensor) => sum + tensor.size, 0);
        const trainable = model.trainableVariables().reduce((sum, [, variable]) => sum + variable.size, 0);
        context.stdout(`  ${family.padEnd(22)} ${preset.padEnd(6)} ${model.modelId.padEnd(28)} ${String(total).padStart(10)} weights, ${String(trainable).padStart(10)} trainable, ${model.imageSize} px, layout ${model.stack.layout}, understanding ${model.stack.mode}`);
        model.dispose();
      }
    }
    return 0;
  },
};
