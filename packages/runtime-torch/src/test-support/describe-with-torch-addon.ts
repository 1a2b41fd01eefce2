/**
 * Test support: `describe` for tests that need the libtorch addon. Without the addon the block holds one skipped test
 * saying why — or, when `RECA_REQUIRE_BACKENDS` lists `torch` (CI with libtorch installed), one failing test.
 */
import { describe, it } from 'vitest';
import { nativeAvailability } from './native-availability.js';

/** Declares `title` with `body`'s tests when the addon loads, else the skip (or required failure) described above. */
export function describeWithTorchAddon(title: string, body: () => void): void {
  describe(title, () => {
    const availability = nativeAvailability();
    if (availability.available) {
      body();
    } else if (availability.required) {
      it('requires the libtorch addon (RECA_REQUIRE_BACKENDS includes torch)', () => {
        throw new Error(`the libtorch addon is required but unavailable: ${availability.reason}`);
      });
    } else {
      it.skip(`skipped: the libtorch addon is unavailable here — ${availability.reason}`, () => {});
    }
  });
}
