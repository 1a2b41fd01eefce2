import { useBackend } from './src/backend/index.js';
import { tf } from './src/tf.js';
const res: Record<string, string[]> = {};
for (const b of ['cpu','wasm','webgpu'] as const) {
  await useBackend(b, {allowSoftwareAdapter: true});
  for (const axis of [0,1,2,-1]) for (const exclusive of [false,true]) for (const reverse of [false,true]) {
    const key = `${axis} ${exclusive} ${reverse}`;
    try {
      const x = tf.range(1, 1+3*4*6).reshape([3,4,6]);
      const v = Array.from(await tf.cumsum(x, axis, exclusive, reverse).data()).slice(0,30).join(',');
      (res[key] ??= []).push(v);
    } catch (e) { (res[key] ??= []).push('ERR ' + (e as Error).message.slice(0,60)); }
  }
}
for (const [k, v] of Object.entries(res)) console.log(k, v[0]===v[1] ? 'wasm ok' : 'wasm DIFF ' + v[1]?.slice(0,60), v[0]===v[2] ? 'webgpu ok' : 'webgpu DIFF '+ v[2]?.slice(0,60), v[0]!.startsWith('ERR') ? v[0] : '');
