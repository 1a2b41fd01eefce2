import { tf, registerGradientFixes } from '@reca/runtime';
import { registerTorchBackend } from './src/index.ts';
import { createTransformerTrainer, transformerPresets } from './src/test-support/tiny-causal-transformer.ts';
await registerTorchBackend({ device: 'cpu', threads: 1 });
registerGradientFixes();
await tf.setBackend('torch');
const trainer = createTransformerTrainer(transformerPresets.small);
for (let i = 0; i < 3; i++) trainer.step();
const byKernel = new Map<string, { n: number; ms: number }>();
let total = 0; let count = 0;
for (let r = 0; r < 3; r++) {
  const info = await tf.profile(() => { trainer.step(); });
  count = info.kernels.length;
  for (const k of info.kernels) { const e = byKernel.get(k.name) ?? { n: 0, ms: 0 }; e.n++; e.ms += (k.kernelTimeMs as number) / 3; total += (k.kernelTimeMs as number) / 3; byKernel.set(k.name, e); }
}
console.log('kernels/step', count, 'kernel ms/step', total.toFixed(1));
console.log([...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14).map(([k, v]) => `${k} ${v.n / 3} ${v.ms.toFixed(2)}`).join('\n'));
const t0 = performance.now(); for (let i = 0; i < 10; i++) trainer.step(); console.log('ms/step', ((performance.now() - t0) / 10).toFixed(1));
