/**
 * Block encoders for building test TIFFs in codecs Node has no encoder for, written from the
 * TIFF 6.0 spec and libtiff's conventions, independently of the decoders in src/raster.
 */

/** TIFF LZW: MSB-first codes, width raised one code early, a clear code when the table fills. */
export function encodeLzw(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let bitCount = 0;
  let width = 9;
  const emit = (code: number) => {
    bits = (bits << width) | code;
    bitCount += width;
    while (bitCount >= 8) {
      out.push((bits >>> (bitCount - 8)) & 0xff);
      bitCount -= 8;
    }
    bits &= (1 << bitCount) - 1;
  };
  let table = new Map<number, number>();
  let next = 258;
  // After each emitted code the decoder adds an entry: widen (or clear) as libtiff's encoder does.
  const grow = () => {
    next++;
    if (next === 4094) {
      emit(256);
      table = new Map();
      next = 258;
      width = 9;
    } else if (next > (1 << width) - 1) {
      width++;
    }
  };
  emit(256);
  let w = -1;
  for (const b of data) {
    if (w < 0) {
      w = b;
      continue;
    }
    const key = w * 256 + b;
    const known = table.get(key);
    if (known !== undefined) {
      w = known;
      continue;
    }
    emit(w);
    table.set(key, next);
    grow();
    w = b;
  }
  if (w >= 0) {
    emit(w);
    grow();
  }
  emit(257);
  if (bitCount > 0) out.push((bits << (8 - bitCount)) & 0xff);
  return Uint8Array.from(out);
}

/** PackBits: literal runs of up to 128 bytes, repeat runs of 2 to 128. */
export function encodePackBits(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    let run = 1;
    while (i + run < data.length && run < 128 && data[i + run] === data[i]) run++;
    if (run >= 2) {
      out.push((1 - run) & 0xff, data[i]);
      i += run;
      continue;
    }
    let end = i + 1;
    while (end < data.length && end - i < 128 && !(end + 1 < data.length && data[end] === data[end + 1])) end++;
    out.push(end - i - 1);
    for (let k = i; k < end; k++) out.push(data[k]);
    i = end;
  }
  return Uint8Array.from(out);
}

/** A ZSTD frame of raw (stored) blocks: valid Zstandard that any decoder must accept. */
export function encodeZstdStored(data: Uint8Array): Uint8Array {
  const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50]; // magic; no checksum or size; 1 MB window
  const max = 128 * 1024;
  for (let at = 0; at === 0 || at < data.length; at += max) {
    const n = Math.min(max, data.length - at);
    const last = at + n >= data.length ? 1 : 0;
    const header = last | (0 << 1) | (n << 3);
    parts.push(header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff);
    for (let k = at; k < at + n; k++) parts.push(data[k]);
  }
  return Uint8Array.from(parts);
}
