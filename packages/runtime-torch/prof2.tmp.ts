import { tf, registerGradientFixes } from '@reca/runtime';
import { registerTorchBackend } from './src/index.ts';
import { createTransformerTrainer, transformerPresets } from './src/test-support/tiny-causal-transformer.ts';
await registerTorchBackend({ device: 'cpu', threads: 1 });
registerGradientFixes();
await tf.setBackend('torch');
const trainer = createTransformerTrainer(transformerPresets.small);
for (let i = 0; i < 3; i++) trainer.step();
const agg = new Map<string, { n: number; ms: number }>();
for (let r = 0; r < 3; r++) {
const info = await tf.profile(() => { trainer.step(); });
for (const k of info.kernels) { if (k.name === 'BatchMatMul') continue; const key = `${k.name} ${JSON.stringify(k.inputShapes)}`; const e = agg.get(key) ?? { n: 0, ms: 0 }; e.n += 1/3; e.ms += (k.kernelTimeMs as number)/3; agg.set(key, e); }
}
let small = 0, smallN = 0; for (const [k, v] of agg) if (v.ms / v.n < 0.02) { small += v.ms; smallN += v.n; }
console.log('tiny kernels (<20µs):', Math.round(smallN), small.toFixed(1), 'ms');
console.log([...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25).map(([k, v]) => `${v.ms.toFixed(2)}ms ×${Math.round(v.n)} ${k}`).join('\n'));
