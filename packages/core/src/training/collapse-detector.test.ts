import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@reca/runtime';
import { CollapseDetector, type CollapseWarning } from './collapse-detector.js';

/** Feeds losses to a fresh detector; returns every warning with the step it came at. */
function run(losses: (step: number) => number, steps: number, detector = new CollapseDetector()): CollapseWarning[] {
  const warnings: CollapseWarning[] = [];
  for (let step = 0; step < steps; step++) {
    const warning = detector.observe(step, losses(step));
    if (warning) warnings.push(warning);
  }
  return warnings;
}

describe('CollapseDetector', () => {
  it('fires once, shortly after a cliff-like plunge (Show-o style: flat CE, then a collapse at ~3k steps)', () => {
    const random = new SeededRandom('cliff');
    const cliffStep = 3000;
    const loss = (step: number) => {
      const noise = 1 + 0.1 * random.normal();
      if (step < cliffStep) return (6 - step * 2e-4) * noise; // slowly improving CE ≈ 6
      return (0.3 + 5.1 * Math.exp(-(step - cliffStep) / 10)) * noise; // plunges to 0.3 within ~50 steps
    };
    const warnings = run(loss, 4000);
    expect(warnings).toHaveLength(1);
    const warning = warnings[0] as CollapseWarning;
    expect(warning.type).toBe('reconstruction-collapse');
    expect(warning.step).toBeGreaterThan(cliffStep);
    expect(warning.step).toBeLessThan(cliffStep + 80);
    expect(warning.ratio).toBeLessThan(0.2);
    expect(warning.referenceMedian).toBeGreaterThan(5);
    expect(warning.referenceSteps[1]).toBeLessThan(cliffStep);
    expect(warning.message).toMatch(/copies its condition/);
  });

  it('stays quiet on a smooth, slow decay, even a 50-fold one', () => {
    const random = new SeededRandom('decay');
    // 2 → 0.04 over 6000 steps: 5.4 % per 100 steps.
    expect(run((step) => 2 * Math.exp(-step / 1500) * (1 + 0.1 * random.normal()), 6000)).toEqual([]);
  });

  it('stays quiet on heavy noise with spikes (diffusion-style per-step losses)', () => {
    const random = new SeededRandom('noise');
    const loss = () => {
      const base = Math.exp(0.8 * random.normal()) * 0.5; // log-normal, spans ~10× between quantiles
      return random.bernoulli(0.02) ? base * 50 : base;
    };
    expect(run(loss, 5000)).toEqual([]);
  });

  it('does not fire before minimumSteps and re-arms after reset', () => {
    const plunge = (step: number) => (step < 120 ? 5 : 0.1);
    expect(run(plunge, 300, new CollapseDetector({ minimumSteps: 1000 }))).toEqual([]);
    const detector = new CollapseDetector({ windowSize: 20, minimumSteps: 50 });
    expect(run(plunge, 300, detector)).toHaveLength(1);
    expect(detector.hasWarned).toBe(true);
    detector.reset();
    expect(detector.hasWarned).toBe(false);
    expect(run(plunge, 300, detector)).toHaveLength(1);
  });

  it('ignores non-finite losses and rejects bad options', () => {
    const detector = new CollapseDetector();
    expect(detector.observe(500, Number.NaN)).toBeUndefined();
    expect(() => new CollapseDetector({ dropRatio: 1 })).toThrow(/dropRatio/);
    expect(() => new CollapseDetector({ windowSize: 0 })).toThrow(/windowSize/);
    expect(() => new CollapseDetector({ windowSize: 50, referenceOffset: 10 })).toThrow(/referenceOffset/);
    expect(new CollapseDetector({ windowSize: 100 }).referenceOffset).toBe(400);
  });
});
