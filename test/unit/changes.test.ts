/** What a master-data write changed, field by field. */
import { describe, expect, it } from 'vitest';
import { diffFields } from '../../domain/changes';

describe('diffFields', () => {
  it('a new record lists every field, each from null', () => {
    expect(diffFields(undefined, { name: 'A', onHold: false, terms: [] })).toEqual({
      name: { from: null, to: 'A' },
      onHold: { from: null, to: false },
      terms: { from: null, to: [] },
    });
  });

  it('lists only the fields that changed', () => {
    expect(diffFields({ name: 'A', limit: '1.00', onHold: false }, { name: 'A', limit: '2.00', onHold: true })).toEqual({
      limit: { from: '1.00', to: '2.00' },
      onHold: { from: false, to: true },
    });
  });

  it('equal values are no change, whatever the key order of nested objects', () => {
    const before = { defaults: { currency: 'CNY', shipTo: { city: 'X', street: 'Y' } } };
    const after = { defaults: { shipTo: { street: 'Y', city: 'X' }, currency: 'CNY' } };
    expect(diffFields(before, after)).toEqual({});
  });

  it('arrays compare in order and element by element', () => {
    expect(diffFields({ bom: [{ m: 'A', q: 1 }] }, { bom: [{ m: 'A', q: 2 }] })).toEqual({ bom: { from: [{ m: 'A', q: 1 }], to: [{ m: 'A', q: 2 }] } });
    expect(diffFields({ t: ['A', 'B'] }, { t: ['B', 'A'] })).toEqual({ t: { from: ['A', 'B'], to: ['B', 'A'] } });
  });

  it('a field that appears or disappears is a change to or from null', () => {
    expect(diffFields({ a: 1 }, { b: 2 })).toEqual({ a: { from: 1, to: null }, b: { from: null, to: 2 } });
    expect(diffFields({ a: undefined }, { a: null })).toEqual({});
  });
});
