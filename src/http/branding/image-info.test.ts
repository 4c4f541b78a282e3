import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gifImage, pngImage } from '../../../test/support/images.js';
import { ImageError, imageInfo } from './image-info.js';

/** A baseline JPEG's first segments: SOI, an APP0 (JFIF) segment, fill bytes, then SOF0. */
function jpegHead(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([
    0xff,
    0xff,
    0xc0,
    0x00,
    0x11,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(12)]);
}

describe('imageInfo', () => {
  it('reads type and size of PNG and GIF files', () => {
    assert.deepEqual(imageInfo(pngImage(400, 50)), {
      type: 'png',
      contentType: 'image/png',
      width: 400,
      height: 50,
    });
    assert.deepEqual(imageInfo(gifImage(120, 30)), {
      type: 'gif',
      contentType: 'image/gif',
      width: 120,
      height: 30,
    });
  });

  it('finds the JPEG frame header after other segments and fill bytes', () => {
    assert.deepEqual(imageInfo(jpegHead(401, 49)), {
      type: 'jpeg',
      contentType: 'image/jpeg',
      width: 401,
      height: 49,
    });
  });

  it('reads the three kinds of WebP header', () => {
    const riff = (chunk: string, data: number[]) =>
      Buffer.concat([
        Buffer.from('RIFF\0\0\0\0WEBP' + chunk, 'latin1'),
        Buffer.alloc(4),
        Buffer.from(data),
        Buffer.alloc(16),
      ]);
    // VP8X: canvas size minus one, 24-bit little-endian.
    assert.deepEqual(imageInfo(riff('VP8X', [0, 0, 0, 0, 199, 0, 0, 39, 0, 0])).width, 200);
    // VP8L: signature 0x2f, then 14 bits each of width-1 and height-1.
    const bits = (300 - 1) | ((25 - 1) << 14);
    const l = imageInfo(riff('VP8L', [0x2f, bits & 255, (bits >> 8) & 255, (bits >> 16) & 255, bits >>> 24]));
    assert.deepEqual([l.width, l.height], [300, 25]);
    // VP8: a 3-byte frame tag, the start code, then 14-bit width and height.
    const v = imageInfo(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 64, 0, 48, 0]));
    assert.deepEqual([v.type, v.width, v.height], ['webp', 64, 48]);
  });

  it('refuses SVG however it starts, and names what it takes instead', () => {
    for (const svg of [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '\uFEFF<?xml version="1.0"?>\n<!-- logo -->\n<!DOCTYPE svg>\n<SVG width="10">',
    ])
      assert.throws(() => imageInfo(Buffer.from(svg)), /SVG logos are not accepted.*PNG, JPEG, GIF or WebP/);
  });

  it('names what is wrong with files that are not images or are cut short', () => {
    assert.throws(
      () => imageInfo(Buffer.from('<html><img src=x onerror=alert(1)>')),
      /not a PNG, JPEG, GIF or WebP/,
    );
    assert.throws(() => imageInfo(Buffer.alloc(0)), /empty/);
    assert.throws(() => imageInfo(pngImage(10, 10).subarray(0, 20)), /PNG image is cut short/);
    assert.throws(() => imageInfo(jpegHead(10, 10).subarray(0, 12)), /JPEG image is cut short/);
    assert.throws(() => imageInfo(Buffer.from([0xff, 0xd8, 0xff, 0xd9])), ImageError);
    assert.throws(() => imageInfo(gifImage(0, 10)), /says it is 0×10 pixels/);
  });
});
