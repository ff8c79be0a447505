import { describe, expect, it } from '@jest/globals';
import { mapWithConcurrency } from '../../src/util/concurrency.js';

describe('mapWithConcurrency', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([...Array(20).keys()], 3, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return item * 2;
    });
    expect(results).toEqual([...Array(20).keys()].map((item) => item * 2));
    expect(peak).toBe(3);
  });

  it('handles no items', async () => {
    expect(await mapWithConcurrency([], 8, async () => 1)).toEqual([]);
  });
});
