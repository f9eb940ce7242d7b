import { describe, expect, it } from 'vitest';
import { StringTable } from './stringTable.ts';

describe('StringTable', () => {
  it('codes strings in order of first insertion, finds them again, and grows past its first size', () => {
    const table = new StringTable();
    const words = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `é${i % 5000}` : `id-${i % 5000}`));
    const codes = words.map((w) => table.add(w));
    const expected = new Map<string, number>();
    for (const w of words) if (!expected.has(w)) expected.set(w, expected.size);
    expect(codes).toEqual(words.map((w) => expected.get(w)));
    expect(table.values).toEqual([...expected.keys()]);
    expect(table.get('id-1')).toBe(expected.get('id-1'));
    expect(table.get('absent')).toBe(-1);
    expect(table.get('')).toBe(-1);
    expect(table.add('')).toBe(expected.size);
    expect(table.get('')).toBe(expected.size);
  });

  it('frees its arrays on clear and codes from 0 again after', () => {
    const table = new StringTable(1000);
    for (let i = 0; i < 1000; i++) table.add(`id-${i}`);
    table.clear();
    expect(table.values).toEqual([]);
    expect(table.get('id-1')).toBe(-1);
    expect(table.add('id-7')).toBe(0);
    expect(table.add('id-8')).toBe(1);
    expect(table.get('id-7')).toBe(0);
    for (let i = 0; i < 100; i++) table.add(`x-${i}`);
    expect(table.get('x-99')).toBe(101);
  });
});
