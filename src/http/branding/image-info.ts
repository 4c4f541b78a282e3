import { OperatorError } from '../../core/errors.js';

export type ImageType = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ImageInfo {
  type: ImageType;
  /** The MIME type the logo is served with: taken from the bytes, never from the uploader. */
  contentType: string;
  width: number;
  height: number;
}

/** A logo that cannot be accepted; `key` names the request field the UI shows it beside. */
export class ImageError extends OperatorError {
  readonly key = 'image';
}

const CONTENT_TYPES: Record<ImageType, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

function need(b: Uint8Array, end: number, type: string): void {
  if (b.length < end) throw new ImageError(`the ${type} image is cut short (${b.length} bytes)`);
}

const be16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const le16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const le24 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const be32 = (b: Uint8Array, at: number) => be16(b, at) * 65536 + be16(b, at + 2);

function png(b: Uint8Array): [number, number] {
  // The signature, then IHDR must be the first chunk (PNG spec 5.6).
  need(b, 24, 'PNG');
  if (ascii(b, 12, 4) !== 'IHDR') throw new ImageError('the PNG image has no IHDR header chunk first');
  return [be32(b, 16), be32(b, 20)];
}

function gif(b: Uint8Array): [number, number] {
  need(b, 10, 'GIF');
  // The logical screen: what a browser sizes the image to.
  return [le16(b, 6), le16(b, 8)];
}

/** SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
const isStartOfFrame = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpeg(b: Uint8Array): [number, number] {
  let at = 2;
  for (;;) {
    need(b, at + 2, 'JPEG');
    if (b[at] !== 0xff) throw new ImageError(`the JPEG image has no segment marker at byte ${at}`);
    // Any number of 0xFF fill bytes may come before a marker.
    while (b[at + 1] === 0xff) {
      at++;
      need(b, at + 2, 'JPEG');
    }
    const marker = b[at + 1]!;
    at += 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // no length field
    if (marker === 0xd9 || marker === 0xda)
      throw new ImageError('the JPEG image has no frame header (SOF) before its image data');
    need(b, at + 2, 'JPEG');
    const length = be16(b, at);
    if (length < 2) throw new ImageError(`the JPEG image has a segment of length ${length}`);
    if (isStartOfFrame(marker)) {
      need(b, at + 7, 'JPEG');
      return [be16(b, at + 5), be16(b, at + 3)];
    }
    at += length;
  }
}

function webp(b: Uint8Array): [number, number] {
  need(b, 30, 'WebP');
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X') return [le24(b, 24) + 1, le24(b, 27) + 1];
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw new ImageError('the WebP image has a lossless chunk without its signature');
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a)
      throw new ImageError('the WebP image has a lossy chunk without its start code');
    return [le16(b, 26) & 0x3fff, le16(b, 28) & 0x3fff];
  }
  throw new ImageError(`the WebP image starts with an unknown chunk "${chunk.replace(/[^ -~]/g, '?')}"`);
}

/** An SVG document, however it starts (byte-order mark, XML declaration, comments, doctype). */
function looksLikeSvg(b: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 4096));
  return /^\uFEFF?\s*(<\?xml[^>]*>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head);
}

/**
 * The real type and pixel size of an uploaded image, read from its bytes. SVG is refused: it is a
 * document that can carry scripts and external references, and a sanitiser that misses one would
 * serve it from our origin.
 */
export function imageInfo(bytes: Uint8Array): ImageInfo {
  const b = bytes;
  let type: ImageType;
  let size: [number, number];
  if (b.length >= 8 && be32(b, 0) === 0x89504e47 && be32(b, 4) === 0x0d0a1a0a) [type, size] = ['png', png(b)];
  else if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) [type, size] = ['jpeg', jpeg(b)];
  else if (b.length >= 6 && /^GIF8[79]a$/.test(ascii(b, 0, 6))) [type, size] = ['gif', gif(b)];
  else if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP')
    [type, size] = ['webp', webp(b)];
  else if (looksLikeSvg(b))
    throw new ImageError(
      'SVG logos are not accepted (an SVG can carry scripts); upload a PNG, JPEG, GIF or WebP image',
    );
  else
    throw new ImageError(
      b.length === 0
        ? 'the image is empty'
        : 'the file is not a PNG, JPEG, GIF or WebP image (checked from its first bytes)',
    );
  const [width, height] = size;
  if (width === 0 || height === 0)
    throw new ImageError(`the ${type.toUpperCase()} image says it is ${width}×${height} pixels`);
  return { type, contentType: CONTENT_TYPES[type], width, height };
}
