import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, neutraliseText } from '../../../src/modules/exports/exports.domain.js';

describe('neutraliseText', () => {
  it('prefixes text that a spreadsheet would run as a formula', () => {
    for (const value of ['=SUM(A1)', '+1', '-1+2', '@cmd', '\tx', '\rx']) expect(neutraliseText(value)).toBe(`'${value}`);
  });
  it('leaves ordinary text alone', () => {
    for (const value of ['AAPL', 'ES 12-24', 'a=b', '1-2', '']) expect(neutraliseText(value)).toBe(value);
  });
});

describe('csvCell', () => {
  it('quotes only when needed, doubling quotes', () => {
    expect(csvCell('AAPL')).toBe('AAPL');
    expect(csvCell('-0.35')).toBe('-0.35');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvLine(['a', null, 'b c'])).toBe('a,,b c\r\n');
  });
});
