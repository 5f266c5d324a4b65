import { describe, expect, it } from 'vitest';
import { HmaError } from '../../src/errors/errors.js';
import { IdAllocator } from '../../src/index/id-allocator.js';

describe('IdAllocator', () => {
  it('hands out dense ids and reuses released ones', () => {
    const a = new IdAllocator();
    const first = Array.from({ length: 200 }, () => a.allocate());
    expect(first).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (let i = 0; i < 100; i++) a.release(i * 2);
    expect(a.inUse).toBe(100);
    const again = new Set(Array.from({ length: 100 }, () => a.allocate()));
    expect([...again].every((id) => id % 2 === 0 && id < 200)).toBe(true);
    expect(again.size).toBe(100);
    expect(a.allocate()).toBe(200);
  });

  it('refuses to release ids it never handed out', () => {
    const a = new IdAllocator();
    a.allocate();
    expect(() => a.release(5)).toThrow(HmaError);
    expect(() => a.release(-1)).toThrow(HmaError);
  });
});
