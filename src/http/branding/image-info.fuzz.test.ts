import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { gifImage, pngImage } from '../../../test/support/images.js';
import { ImageError, imageInfo } from './image-info.js';

/** Either a size read from the bytes or an ImageError: never another exception, never a zero size. */
function checked(bytes: Uint8Array): void {
  try {
    const info = imageInfo(bytes);
    assert.ok(info.width > 0 && info.height > 0);
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
  }
}

const magic = fc.constantFrom(
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  [0xff, 0xd8, 0xff],
  [...Buffer.from('GIF89a')],
  [...Buffer.from('RIFF\0\0\0\0WEBPVP8X')],
  [...Buffer.from('RIFF\0\0\0\0WEBPVP8L')],
  [...Buffer.from('RIFF\0\0\0\0WEBPVP8 ')],
  [...Buffer.from('<svg')],
  [],
);

it('any bytes, also behind a real magic number, give a size or an ImageError', () => {
  fc.assert(
    fc.property(magic, fc.uint8Array({ maxLength: 64 }), (head, tail) => {
      checked(Uint8Array.from([...head, ...tail]));
    }),
    { numRuns: fuzzRuns() },
  );
});

it('reads back the size a PNG or GIF was written with, and any cut of it is an ImageError', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(pngImage, gifImage),
      fc.integer({ min: 1, max: 600 }),
      fc.integer({ min: 1, max: 80 }),
      fc.nat(),
      (make, width, height, cut) => {
        const image = make(width, height);
        const info = imageInfo(image);
        assert.deepEqual([info.width, info.height], [width, height]);
        // Headers are in the first bytes: a prefix shorter than the header must be refused cleanly.
        checked(image.subarray(0, cut % 24));
      },
    ),
    { numRuns: fuzzRuns(100) },
  );
});
