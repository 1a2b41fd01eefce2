import { registerGradientFixes, tf } from '@reca/runtime';
import { registerTorchBackend } from '/work/main/packages/runtime-torch/src/register-torch-backend.js';
import { createTransformerTrainer, transformerPresets } from '/work/main/packages/runtime-torch/src/test-support/tiny-causal-transformer.js';
await registerTorchBackend({ device: 'cpu' }); registerGradientFixes(); await tf.setBackend('torch');
const trainer = createTransformerTrainer(transformerPresets[(process.env.PRESET ?? 'small') as 'small']);
for (let i = 0; i < 20; i++) trainer.step();
const blocks: number[] = [];
for (let b = 0; b < 5; b++) { const t = performance.now(); for (let i = 0; i < 20; i++) trainer.step(); blocks.push((performance.now() - t) / 20); }
blocks.sort((a, b) => a - b); console.log('ms/step min', blocks[0]!.toFixed(1), 'median', blocks[2]!.toFixed(1));
