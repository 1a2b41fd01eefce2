import { tf } from '@reca/runtime';
import { registerTorchBackend } from './src/index.ts';
await registerTorchBackend({ device: 'cpu', threads: 1 });
await tf.setBackend('torch');
const s = tf.scalar(0.999);
for (const [label, value] of [['normal', 1e-3], ['tiny 1e-39 (denormal)', 1e-39], ['1e-30', 1e-30]] as const) {
  const x = tf.fill([384, 128], value);
  for (let i = 0; i < 20; i++) tf.dispose(tf.mul(x, s));
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) tf.dispose(tf.mul(x, s));
  console.log(label, ((performance.now() - t0) / 200 * 1000).toFixed(1), 'µs');
  const t1 = performance.now();
  for (let i = 0; i < 50; i++) tf.dispose(tf.tanh(tf.fill([8,64,512], 0.5)));
  if (label === 'normal') console.log('tanh+fill 262k', ((performance.now() - t1) / 50 * 1000).toFixed(1), 'µs');
  x.dispose();
}
