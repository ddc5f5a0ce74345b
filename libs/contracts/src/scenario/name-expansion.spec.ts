import { expandNames } from './name-expansion';

describe('expandNames', () => {
  it('keeps a single name as written', () => {
    expect(expandNames('esx', 1)).toEqual(['esx']);
  });

  it('numbers several from 01, wider past 99', () => {
    expect(expandNames('web', 3)).toEqual(['web-01', 'web-02', 'web-03']);
    expect(expandNames('web', 10).at(-1)).toBe('web-10');
    const many = expandNames('vm', 120);
    expect(many[0]).toBe('vm-001');
    expect(many.at(-1)).toBe('vm-120');
  });
});
