import { InvalidArgumentError, type SeededRandom } from '@reca/runtime';

/** How one token is drawn from a row of logits. */
export interface TokenSamplingOptions {
  /** Logits are divided by it; 0 means greedy (argmax). @default 1 */
  temperature?: number;
  /** Keep only the `topK` largest logits; 0 keeps all (LlamaGen's `top_k`). @default 0 */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches `topP`; 1 keeps all (nucleus). @default 1 */
  topP?: number;
}

/**
 * Checks sampling options.
 * @throws InvalidArgumentError naming the option.
 */
export function validateTokenSamplingOptions(options: TokenSamplingOptions): void {
  const { temperature = 1, topK = 0, topP = 1 } = options;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new InvalidArgumentError({ argument: 'temperature', message: `must be a finite number ≥ 0, got ${temperature}` });
  if (!Number.isInteger(topK) || topK < 0) throw new InvalidArgumentError({ argument: 'topK', message: `must be an integer ≥ 0, got ${topK}` });
  if (!(topP > 0 && topP <= 1)) throw new InvalidArgumentError({ argument: 'topP', message: `must lie in (0, 1], got ${topP}` });
}

/**
 * The distribution a token is drawn from: `softmax(logits / temperature)` restricted to the top-k, then to the
 * top-p nucleus, renormalised (LlamaGen's `top_k_top_p_filtering` + softmax). Ties at the k-th value are kept.
 *
 * @param logits - one row of logits.
 * @returns probabilities (float64), zeros outside the kept set; with temperature 0, one-hot on the argmax.
 */
export function samplingDistribution(logits: ArrayLike<number>, options: TokenSamplingOptions = {}): Float64Array {
  const { temperature = 1, topK = 0, topP = 1 } = options;
  const size = logits.length;
  const probabilities = new Float64Array(size);
  if (temperature === 0) {
    let best = 0;
    for (let index = 1; index < size; index++) if ((logits[index] as number) > (logits[best] as number)) best = index;
    probabilities[best] = 1;
    return probabilities;
  }
  const scaled = Float64Array.from({ length: size }, (_, index) => (logits[index] as number) / temperature);
  let threshold = -Infinity;
  if (topK > 0 && topK < size) threshold = [...scaled].sort((first, second) => second - first)[topK - 1] as number;
  let maximum = -Infinity;
  for (const value of scaled) maximum = Math.max(maximum, value);
  let total = 0;
  for (let index = 0; index < size; index++) {
    const value = scaled[index] as number;
    probabilities[index] = value >= threshold ? Math.exp(value - maximum) : 0;
    total += probabilities[index] as number;
  }
  for (let index = 0; index < size; index++) probabilities[index] = (probabilities[index] as number) / total;
  if (topP < 1) {
    const order = Array.from({ length: size }, (_, index) => index).sort((first, second) => (probabilities[second] as number) - (probabilities[first] as number));
    let cumulative = 0;
    let kept = 0;
    for (const index of order) {
      if (cumulative >= topP && kept > 0) {
        probabilities[index] = 0;
        continue;
      }
      cumulative += probabilities[index] as number;
      kept += 1;
    }
    let keptTotal = 0;
    for (const value of probabilities) keptTotal += value;
    for (let index = 0; index < size; index++) probabilities[index] = (probabilities[index] as number) / keptTotal;
  }
  return probabilities;
}

/**
 * Draws one index from a probability vector with one uniform draw (inverse CDF).
 *
 * @param probabilities - non-negative, summing to 1.
 * @param random - one `uniform()` is drawn.
 */
export function drawFromDistribution(probabilities: ArrayLike<number>, random: SeededRandom): number {
  const draw = random.uniform();
  let cumulative = 0;
  let last = 0;
  for (let index = 0; index < probabilities.length; index++) {
    const probability = probabilities[index] as number;
    if (probability <= 0) continue;
    last = index;
    cumulative += probability;
    if (draw < cumulative) return index;
  }
  return last;
}

/**
 * Samples one token from a row of logits (temperature, top-k, top-p); exactly one uniform draw per call.
 *
 * @returns the token index and its probability under the sampling distribution.
 */
export function sampleToken(logits: ArrayLike<number>, options: TokenSamplingOptions, random: SeededRandom): { token: number; probability: number } {
  const probabilities = samplingDistribution(logits, options);
  const token = drawFromDistribution(probabilities, random);
  return { token, probability: probabilities[token] as number };
}
