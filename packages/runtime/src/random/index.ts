export { SeededRandom, type SeededRandomState } from './seeded-random.js';
