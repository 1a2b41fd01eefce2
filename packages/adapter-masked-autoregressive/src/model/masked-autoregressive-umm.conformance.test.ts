import { describeUnifiedModelConformance } from '@reca/core/test/conformance';
import { createMaskedAutoregressiveUmm } from './create-masked-autoregressive-umm.js';

// Tests run at 16 px (the tiny preset's native size is 32 px, ShapesWorld's): 4×4 latent tokens.
describeUnifiedModelConformance('masked-autoregressive tiny (MAR-encoder understanding, Harmon)', {
  createModel: (seed) => createMaskedAutoregressiveUmm({ preset: 'tiny', overrides: { imageSize: 16 }, seed }),
});

// The decoupled variant: the stack's ViT (frozen, gradient stopped) provides understanding.
describeUnifiedModelConformance('masked-autoregressive tiny (frozen ViT understanding)', {
  createModel: (seed) => createMaskedAutoregressiveUmm({ preset: 'tiny', overrides: { imageSize: 16, understanding: 'vit' }, seed }),
});
