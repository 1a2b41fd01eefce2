import { describe, expect, it } from 'vitest';
import { type ArmResult, familyRows, formatMarkdownTable, meanOf } from './recipe-results.js';

function result(arm: ArmResult['arm'], seed: number, overall: number): ArmResult {
  const categories = { single_object: overall, two_object: overall, counting: overall, colors: overall, position: overall, color_attr: overall };
  return {
    family: 'diffusion',
    arm,
    seed,
    checkpoint: `${arm}-${seed}.safetensors`,
    evaluation: { ...categories, overall, mismatched_overall: overall / 2, specificity: overall / 2, objects_per_image: 1.5, unconditional_overall: 0.1 },
    measurements: { captionExact: 0.5, reconstructionPsnr: 20 },
    trainingSeconds: 10,
  };
}

describe('recipe results', () => {
  it('means and standard errors over seeds', () => {
    const values = [result('RecA', 0, 0.2), result('RecA', 1, 0.4), result('RecA', 2, 0.6)];
    const { mean, standardError } = meanOf(values, (value) => value.evaluation.overall);
    expect(mean).toBeCloseTo(0.4, 12);
    // sample standard deviation 0.2, three seeds → 0.2 / √3
    expect(standardError).toBeCloseTo(0.2 / Math.sqrt(3), 12);
    expect(meanOf([values[0] as ArmResult], (value) => value.evaluation.overall).standardError).toBeUndefined();
  });

  it('one row per arm, in the order before, RecA, control, with the seed count', () => {
    const rows = familyRows([result('control', 0, 0.3), result('before', 0, 0.1), result('RecA', 0, 0.2), result('RecA', 1, 0.4)], 'diffusion', true);
    expect(rows.map((row) => row[1])).toEqual(['before', 'RecA (2 seeds)', 'control']);
    expect(rows[1]?.[8]).toBe('0.300 ± 0.100');
    expect(formatMarkdownTable(['a', 'b'], [['1', '2']])).toBe('| a | b |\n|---|---|\n| 1 | 2 |');
  });
});
