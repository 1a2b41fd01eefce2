import { tf } from '@reca/runtime';
import { registerTorchBackend } from './src/index.ts';
await registerTorchBackend({ device: 'cpu' });
const x = tf.randomNormal([5, 6, 4]);
console.log(tf.slice_util.sliceInfo([5,6,4],[0,1],[0,3],[1,1],1,1,0,0,2));
for (const b of ['cpu', 'torch']) {
  await tf.setBackend(b);
  const a = tf.tensor(Array.from({length: 24}, (_, i) => i), [2, 1, 3, 4]);
  const m = tf.tensor(Array.from({length: 24}, (_, i) => (i % 5) - 2), [3, 4, 2]);
  console.log(b, Array.from(tf.matMul(a, m).dataSync()).slice(0, 12).join(','), tf.matMul(a,m).shape);
  const xs = tf.tensor(Array.from({length: 120}, (_, i) => Math.sin(i)), [5, 6, 4]);
  console.log(b, Array.from(tf.stridedSlice(xs, [0, 1], [0, 3], [1, 1], 1, 1, 0, 0, 2).dataSync()).slice(0, 8).map(v=>v.toFixed(2)).join(','));
  const img = tf.tensor(Array.from({length: 2*7*6*3}, (_, i) => Math.sin(i)), [2, 7, 6, 3]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(v as tf.Tensor4D, 3, 2, 'same'), tf.range(0, 2*4*3*3).reshape([2,4,3,3]))))(img);
  console.log(b, Array.from(g.dataSync()).slice(0, 12).map(v=>v.toFixed(2)).join(','));
}
