/**
 * ShapesWorld throughput on this machine: scenes sampled + rendered per second, sparse/dense captions per second,
 * PNG encodes per second, and images scored per second by the evaluator (detection + own prompt + mismatched
 * prompts), from memory and from PNG files. Run with `pnpm --filter @reca/shapes-world bench`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePngRgb, type RgbImage, writePngRgb } from '@reca/data';
import { SeededRandom } from '@reca/runtime';
import {
  denseCaption,
  detectObjects,
  evaluateImages,
  findPromptImageFiles,
  generatePrompts,
  loadPromptImages,
  renderScene,
  sampleScene,
  sampleSceneForPrompt,
  sparseCaption,
  writeShapesDataset,
} from '../src/index.js';

function measure(label: string, count: number, work: () => void): void {
  const started = performance.now();
  work();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(50)} ${String(Math.round(count / seconds)).padStart(9)} /s   (${count} in ${seconds.toFixed(2)} s)`);
}

async function measureAsync(label: string, count: number, work: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(50)} ${String(Math.round(count / seconds)).padStart(9)} /s   (${count} in ${seconds.toFixed(2)} s)`);
}

const count = 20_000;
const random = new SeededRandom('bench');
const scenes = Array.from({ length: 200 }, () => sampleScene(random)); // warm-up
console.log(`ShapesWorld v1 benchmark (node ${process.version}, 32×32)`);
measure('scenes sampled + rendered', count, () => {
  for (let index = 0; index < count; index++) renderScene(sampleScene(random));
});
measure('dense + sparse captions', count, () => {
  for (let index = 0; index < count; index++) {
    const scene = scenes[index % scenes.length] as (typeof scenes)[number];
    denseCaption(scene);
    sparseCaption(scene, random);
  }
});
const images: RgbImage[] = Array.from({ length: 2000 }, () => renderScene(sampleScene(random)));
measure('objects detected (images)', count, () => {
  for (let index = 0; index < count; index++) detectObjects(images[index % images.length] as RgbImage);
});
const prompts = generatePrompts({ perCategory: 50 });
const byPrompt = new Map(prompts.map((prompt) => [prompt.id, Array.from({ length: 4 }, () => renderScene(sampleSceneForPrompt(prompt, random)))]));
measure('images scored (evaluateImages, 300 prompts × 4)', 1200, () => {
  evaluateImages(prompts, byPrompt);
});
await measureAsync('PNG encodes (sharp)', 2000, async () => {
  await Promise.all(images.map((image) => encodePngRgb(image.data, image.width, image.height)));
});
const folder = await mkdtemp(join(tmpdir(), 'shapes-bench-'));
try {
  await measureAsync('dataset scenes written (PNG + JSONL)', 5000, async () => {
    await writeShapesDataset(join(folder, 'data'), { count: 5000, seed: 1 });
  });
  for (const [id, list] of byPrompt) await Promise.all(list.map((image, k) => writePngRgb(join(folder, 'samples', `${id}_${k}.png`), image.data, 32, 32)));
  await measureAsync('images scored from PNG files (read + eval)', 1200, async () => {
    const loaded = await loadPromptImages(await findPromptImageFiles(join(folder, 'samples'), prompts));
    evaluateImages(prompts, loaded);
  });
} finally {
  await rm(folder, { recursive: true, force: true });
}
