import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineIndex } from '../../server/src/engine/line-index';

/** Line starts by the LSP definition: a line ends at `\n`, `\r\n` or a lone `\r`. */
function referenceStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    if (text[i] === '\n' || text[i] === '\r') starts.push(i + 1);
  }
  return starts;
}

describe('LineIndex', () => {
  it('finds the same line starts with and without carriage returns', () => {
    const piece = fc.constantFrom('a', 'bc', ' ', '\n', '\r', '\r\n', '\n\n', 'é', '😀');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        const lines = new LineIndex(text);
        const starts = referenceStarts(text);
        assert.equal(lines.lineCount, starts.length);
        starts.forEach((start, line) => {
          assert.equal(lines.lineStart(line), start);
          assert.deepEqual(lines.position(start), { line, character: 0 });
        });
      }),
    );
  });

  it('maps offsets of a file without carriage returns', () => {
    const lines = new LineIndex('ab\n\ncd\n');
    assert.equal(lines.lineCount, 4);
    assert.deepEqual(lines.position(5), { line: 2, character: 1 });
    assert.equal(lines.offset(2, 1), 5);
    assert.equal(lines.offset(1, 9), 3);
  });
});
