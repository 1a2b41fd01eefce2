import { describeUnifiedModelConformance } from './describe-unified-model-conformance.js';
import { MockUnifiedModel } from './mock-unified-model.js';

describeUnifiedModelConformance('MockUnifiedModel (shared, trainable understanding)', {
  createModel: (seed) => new MockUnifiedModel({ seed }),
});

describeUnifiedModelConformance('MockUnifiedModel (frozen understanding)', {
  createModel: (seed) => new MockUnifiedModel({ seed, understandingTrainable: false }),
});
