import { decisionOf } from './rate-limiter';

describe('rate limit decisions', () => {
  it('turns the script reply into header values, rounding waits up', () => {
    expect(decisionOf([1, 400, 399, 5, 0])).toEqual({ allowed: true, limit: 400, remaining: 399, resetSeconds: 1, retryAfterSeconds: 1 });
    expect(decisionOf([0, 20, 0, 3999, 1001])).toEqual({ allowed: false, limit: 20, remaining: 0, resetSeconds: 4, retryAfterSeconds: 2 });
    expect(decisionOf([1, 10, 10, 0, 0]).resetSeconds).toBe(0);
    expect(decisionOf([0, 10, -1, 0, 0]).remaining).toBe(0);
  });
});
