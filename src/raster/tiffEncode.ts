/**
 * The TIFF structure encoder: a header and one image file directory (IFD) with its out-of-line
 * values, in either byte order, classic or BigTIFF. Every GeoTIFF cger writes goes through it:
 * the demo's release (writer.ts), the benchmark generator and test inputs with layouts the GDAL
 * fixtures do not cover (big-endian, IFD after the data, integer predictors).
 */

export type TiffFieldType = 'BYTE' | 'ASCII' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LONG8';

export interface TiffField {
  tag: number;
  type: TiffFieldType;
  values: number[] | string;
}

export interface TiffByteOrder {
  littleEndian: boolean;
  bigTiff: boolean;
}

const typeCode: Record<TiffFieldType, number> = { BYTE: 1, ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12, LONG8: 16 };
const typeSize: Record<TiffFieldType, number> = { BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, DOUBLE: 8, LONG8: 8 };

export function encodeHeader(order: TiffByteOrder, firstIfdOffset: number): Buffer {
  const buf = Buffer.alloc(order.bigTiff ? 16 : 8);
  buf.write(order.littleEndian ? 'II' : 'MM', 0, 'latin1');
  const w16 = (v: number, at: number) => (order.littleEndian ? buf.writeUInt16LE(v, at) : buf.writeUInt16BE(v, at));
  if (order.bigTiff) {
    w16(43, 2);
    w16(8, 4);
    order.littleEndian ? buf.writeBigUInt64LE(BigInt(firstIfdOffset), 8) : buf.writeBigUInt64BE(BigInt(firstIfdOffset), 8);
  } else {
    w16(42, 2);
    order.littleEndian ? buf.writeUInt32LE(firstIfdOffset, 4) : buf.writeUInt32BE(firstIfdOffset, 4);
  }
  return buf;
}

function fieldCount(field: TiffField): number {
  return typeof field.values === 'string' ? field.values.length + 1 : field.values.length;
}

/**
 * Encodes one IFD placed at `ifdOffset`, its out-of-line values right after it (word aligned).
 * The result's length does not depend on the values, so an IFD can be written with placeholder
 * offsets first and rewritten in place once the data offsets are known.
 */
export function encodeIfd(fields: TiffField[], order: TiffByteOrder, ifdOffset: number, nextIfdOffset = 0): Buffer {
  const sorted = [...fields].sort((a, b) => a.tag - b.tag);
  const entrySize = order.bigTiff ? 20 : 12;
  const inlineSize = order.bigTiff ? 8 : 4;
  const countSize = order.bigTiff ? 8 : 2;
  const offsetSize = order.bigTiff ? 8 : 4;
  const dirSize = countSize + sorted.length * entrySize + offsetSize;
  let extraSize = 0;
  for (const f of sorted) {
    const bytes = fieldCount(f) * typeSize[f.type];
    if (bytes > inlineSize) extraSize += bytes + (bytes % 2);
  }
  const buf = Buffer.alloc(dirSize + extraSize);
  const le = order.littleEndian;
  const w16 = (v: number, at: number) => (le ? buf.writeUInt16LE(v, at) : buf.writeUInt16BE(v, at));
  const w32 = (v: number, at: number) => (le ? buf.writeUInt32LE(v, at) : buf.writeUInt32BE(v, at));
  const w64 = (v: number, at: number) => (le ? buf.writeBigUInt64LE(BigInt(v), at) : buf.writeBigUInt64BE(BigInt(v), at));
  const wOffset = (v: number, at: number) => (order.bigTiff ? w64(v, at) : w32(v, at));
  const writeValues = (f: TiffField, at: number) => {
    if (typeof f.values === 'string') {
      buf.write(f.values, at, 'latin1');
      return;
    }
    const size = typeSize[f.type];
    f.values.forEach((v, i) => {
      const p = at + i * size;
      if (f.type === 'BYTE') buf.writeUInt8(v, p);
      else if (f.type === 'SHORT') w16(v, p);
      else if (f.type === 'LONG') w32(v, p);
      else if (f.type === 'LONG8') w64(v, p);
      else le ? buf.writeDoubleLE(v, p) : buf.writeDoubleBE(v, p);
    });
  };
  if (order.bigTiff) w64(sorted.length, 0);
  else w16(sorted.length, 0);
  let extraAt = dirSize;
  sorted.forEach((f, i) => {
    const at = countSize + i * entrySize;
    w16(f.tag, at);
    w16(typeCode[f.type], at + 2);
    const count = fieldCount(f);
    if (order.bigTiff) w64(count, at + 4);
    else w32(count, at + 4);
    const valueAt = at + (order.bigTiff ? 12 : 8);
    const bytes = count * typeSize[f.type];
    if (bytes <= inlineSize) {
      writeValues(f, valueAt);
    } else {
      wOffset(ifdOffset + extraAt, valueAt);
      writeValues(f, extraAt);
      extraAt += bytes + (bytes % 2);
    }
  });
  wOffset(nextIfdOffset, countSize + sorted.length * entrySize);
  return buf;
}

/** GeoKeyDirectory (version 1.1.0) for a geographic (lon/lat) CRS given by EPSG code, pixel-is-area, degrees. */
export function geographicGeoKeys(epsg: number): number[] {
  return [
    1,
    1,
    0,
    4,
    1024,
    0,
    1,
    2, // GTModelTypeGeoKey = ModelTypeGeographic
    1025,
    0,
    1,
    1, // GTRasterTypeGeoKey = RasterPixelIsArea
    2048,
    0,
    1,
    epsg, // GeographicTypeGeoKey
    2054,
    0,
    1,
    9102, // GeogAngularUnitsGeoKey = degree
  ];
}
