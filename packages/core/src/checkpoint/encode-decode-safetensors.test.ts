import { InvalidArgumentError } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { SafetensorsFormatError, type SafetensorsFormatProblem } from '../errors/safetensors-format-error.js';
import { decodeSafetensors } from './decode-safetensors.js';
import { encodeSafetensors } from './encode-safetensors.js';
import type { SafetensorsTensor } from './safetensors-dtype.js';

const ascii = (text: string): number[] => [...new TextEncoder().encode(text)];

/** Builds a file by hand: u64 little-endian header length, header text padded with spaces to 8, data bytes. */
function buildFile(header: string, data: number[] = [], padTo8 = true): Uint8Array {
  const headerBytes = ascii(header);
  while (padTo8 && headerBytes.length % 8 !== 0) headerBytes.push(0x20);
  const length = headerBytes.length;
  return new Uint8Array([length & 0xff, (length >>> 8) & 0xff, (length >>> 16) & 0xff, (length >>> 24) & 0xff, 0, 0, 0, 0, ...headerBytes, ...data]);
}

function expectFormatError(work: () => unknown, problem: SafetensorsFormatProblem, tensorName?: string, messagePart?: string): void {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  expect(SafetensorsFormatError.isInstance(caught)).toBe(true);
  const error = caught as SafetensorsFormatError;
  expect(error.problem).toBe(problem);
  expect(error.source).toBe('weights.safetensors');
  expect(error.message).toContain("'weights.safetensors'");
  expect(error.tensorName).toBe(tensorName);
  if (tensorName !== undefined) expect(error.message).toContain(`tensor '${tensorName}'`);
  if (messagePart !== undefined) expect(error.message).toContain(messagePart);
}

const decode = (bytes: Uint8Array) => decodeSafetensors(bytes, { source: 'weights.safetensors' });

describe('encodeSafetensors golden bytes', () => {
  // Byte vectors published by the reference implementation's own test suite (Rust `safetensors::tensor` tests).
  it('matches the reference writer for an empty file, with and without metadata', () => {
    expect([...encodeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...encodeSafetensors({}, { framework: 'pt' })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97,
      109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  it('matches the reference writer for one F32 tensor, unpadded and padded', () => {
    const values = new Float32Array([0, 1, 2, 3, 4, 5]);
    expect([...encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: values } })]).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70,
      51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111,
      102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0,
      64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    expect([...encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: values } })]).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51,
      50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111,
      102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0,
      128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  it('matches a hand-built file: dtype-alignment order, then name; sorted metadata first; space padding', () => {
    const header =
      '{"__metadata__":{"alpha":"1","kind":"test"},' +
      '"z":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
      '"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},' +
      '"a2":{"dtype":"F16","shape":[1],"data_offsets":[16,18]},' +
      '"b":{"dtype":"I8","shape":[3],"data_offsets":[18,21]},' +
      '"c":{"dtype":"BOOL","shape":[2],"data_offsets":[21,23]}}';
    expect(header.length).toBe(317);
    const expected = [
      0x40, 0x01, 0, 0, 0, 0, 0, 0, // N = 320 = 317 + 3 spaces
      ...ascii(header), 0x20, 0x20, 0x20,
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // z: I64 -2
      0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, // a: F32 1, -2
      0x00, 0x3c, // a2: F16 1.0
      0xff, 0x02, 0xfd, // b: I8 -1, 2, -3
      0x01, 0x00, // c: BOOL true, false
    ];
    const tensors = new Map<string, SafetensorsTensor>([
      ['c', { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) }],
      ['b', { dtype: 'I8', shape: [3], data: new Int8Array([-1, 2, -3]) }],
      ['a', { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) }],
      ['a2', { dtype: 'F16', shape: [1], data: new Uint16Array([0x3c00]) }],
      ['z', { dtype: 'I64', shape: [1], data: new BigInt64Array([-2n]) }],
    ]);
    const encoded = encodeSafetensors(tensors, { kind: 'test', alpha: '1' });
    expect([...encoded]).toEqual(expected);

    const decoded = decode(new Uint8Array(expected));
    expect([...decoded.tensors.keys()]).toEqual(['z', 'a', 'a2', 'b', 'c']);
    expect(decoded.metadata).toEqual({ alpha: '1', kind: 'test' });
    expect([...(decoded.tensors.get('z')?.data as BigInt64Array)]).toEqual([-2n]);
    expect([...(decoded.tensors.get('b')?.data as Int8Array)]).toEqual([-1, 2, -3]);
  });

  it('orders names by UTF-8 bytes (code points), not UTF-16 code units', () => {
    const one = (value: number): SafetensorsTensor => ({ dtype: 'U8', shape: [1], data: new Uint8Array([value]) });
    // U+1F600 sorts before U+FF21 in UTF-16 code units (0xD83D < 0xFF21) but after it in UTF-8.
    const encoded = encodeSafetensors({ '\u{1F600}': one(1), '\uFF21': one(2) });
    const decoded = decode(encoded);
    expect([...decoded.tensors.keys()]).toEqual(['\uFF21', '\u{1F600}']);
    expect(decoded.tensors.get('\u{1F600}')?.data).toEqual(new Uint8Array([1]));
  });
});

describe('safetensors round trips', () => {
  const cases: SafetensorsTensor[] = [
    { dtype: 'F64', shape: [2, 3], data: new Float64Array([0.1, -0, Infinity, -Infinity, Number.MIN_VALUE, -1e300]) },
    { dtype: 'F32', shape: [5], data: new Float32Array([0.1, -0, 3.4028234663852886e38, 1.401298464324817e-45, -7.25]) },
    { dtype: 'F16', shape: [4], data: new Uint16Array([0x3c00, 0x7bff, 0x0001, 0xfc00]) },
    { dtype: 'BF16', shape: [2, 2], data: new Uint16Array([0x3f80, 0x4049, 0x8001, 0x7f80]) },
    { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 62n + 5n, 0n]) },
    { dtype: 'I32', shape: [3], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 7]) },
    { dtype: 'I16', shape: [3], data: new Int16Array([-32768, 32767, -1]) },
    { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) },
    { dtype: 'U8', shape: [1, 3], data: new Uint8Array([0, 128, 255]) },
    { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
  ];
  for (const tensor of cases) {
    it(`keeps ${tensor.dtype} bytes, shape and values exactly`, () => {
      const decoded = decode(encodeSafetensors({ value: tensor }, { note: 'x' }));
      const back = decoded.tensors.get('value') as SafetensorsTensor;
      expect(back.dtype).toBe(tensor.dtype);
      expect(back.shape).toEqual(tensor.shape);
      expect(back.data.constructor).toBe(tensor.data.constructor);
      expect(Object.is(back.data[1], tensor.data[1])).toBe(true);
      expect(new Uint8Array(back.data.buffer, back.data.byteOffset, back.data.byteLength)).toEqual(
        new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength),
      );
    });
  }

  it('round-trips all dtypes together, a scalar, an empty tensor and NaN', () => {
    const all = Object.fromEntries(cases.map((tensor) => [`t.${tensor.dtype}`, tensor]));
    all.scalar = { dtype: 'F32', shape: [], data: new Float32Array([Number.NaN]) };
    all.empty = { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) };
    const decoded = decode(encodeSafetensors(all));
    expect(decoded.tensors.size).toBe(cases.length + 2);
    for (const tensor of cases) expect(decoded.tensors.get(`t.${tensor.dtype}`)?.data).toEqual(tensor.data);
    expect(decoded.tensors.get('scalar')?.shape).toEqual([]);
    expect(Number.isNaN(decoded.tensors.get('scalar')?.data[0])).toBe(true);
    expect(decoded.tensors.get('empty')).toEqual({ dtype: 'F32', shape: [0, 3], data: new Float32Array(0) });
  });

  it('reads files from other writers: any tensor order, unpadded header, metadata last, unaligned input buffer', () => {
    const header = '{"b":{"dtype":"I16","shape":[1],"data_offsets":[4,6]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"k":"v"}}';
    const file = buildFile(header, [0, 0, 0x80, 0xbf, 0x34, 0x12], false);
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const decoded = decode(shifted.subarray(1));
    expect([...decoded.tensors.keys()]).toEqual(['a', 'b']);
    expect(decoded.tensors.get('a')?.data).toEqual(new Float32Array([-1]));
    expect(decoded.tensors.get('b')?.data).toEqual(new Int16Array([0x1234]));
    expect(decoded.metadata).toEqual({ k: 'v' });
  });

  it('returns copies: changing decoded data does not change the input bytes', () => {
    const bytes = encodeSafetensors({ a: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } });
    const decoded = decode(bytes);
    (decoded.tensors.get('a')?.data as Float32Array)[0] = 5;
    expect(decode(bytes).tensors.get('a')?.data).toEqual(new Float32Array([1]));
  });
});

describe('decodeSafetensors rejects invalid files', () => {
  const f32Entry = (offsets: string, shape = '[2]') => `{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}`;
  const eightBytes = [0, 0, 128, 63, 0, 0, 0, 64];

  it('file shorter than 8 bytes', () => {
    expectFormatError(() => decode(new Uint8Array([1, 0, 0])), 'file-too-short', undefined, '3 bytes');
  });

  it('header length larger than the file, or larger than 100 MB', () => {
    const file = buildFile('{}');
    file[0] = 200;
    expectFormatError(() => decode(file), 'header-length-out-of-range', undefined, 'header length is 200 bytes but only 8 bytes follow');
    const huge = new Uint8Array(16);
    huge.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expectFormatError(() => decode(huge), 'header-length-out-of-range', undefined, '18446744073709551615');
  });

  it('header that is not UTF-8, not JSON, or not an object', () => {
    const notUtf8 = buildFile('{}      ');
    notUtf8[9] = 0xff;
    expectFormatError(() => decode(notUtf8), 'header-not-utf8');
    expectFormatError(() => decode(buildFile('{"a":')), 'header-not-json', undefined, 'not valid JSON');
    expectFormatError(() => decode(buildFile('[1,2]')), 'header-not-object', undefined, 'an array');
    expectFormatError(() => decode(buildFile('null')), 'header-not-object', undefined, 'null');
  });

  it('unknown dtype', () => {
    expectFormatError(
      () => decode(buildFile('{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', [0])),
      'unknown-dtype',
      'w',
      "dtype 'F8_E4M3' is not supported",
    );
  });

  it('malformed entries: missing shape, negative or fractional sizes, offsets that end before they begin', () => {
    expectFormatError(() => decode(buildFile('{"w":{"dtype":"F32","data_offsets":[0,4]}}', [0, 0, 0, 0])), 'invalid-tensor-entry', 'w', 'shape');
    expectFormatError(() => decode(buildFile(`{"w":${f32Entry('[0,4]', '[-1]')}}`, [0, 0, 0, 0])), 'invalid-tensor-entry', 'w');
    expectFormatError(() => decode(buildFile(`{"w":${f32Entry('[0,4.5]', '[1]')}}`, [0, 0, 0, 0])), 'invalid-tensor-entry', 'w');
    expectFormatError(() => decode(buildFile(`{"w":${f32Entry('[8,0]')}}`, eightBytes)), 'invalid-tensor-entry', 'w', 'end before they begin');
    expectFormatError(() => decode(buildFile('{"w":[1,2]}', [])), 'invalid-tensor-entry', 'w');
  });

  it('shape and offsets that disagree (numel · itemsize ≠ end − begin)', () => {
    expectFormatError(
      () => decode(buildFile(`{"w":${f32Entry('[0,8]', '[3]')}}`, eightBytes)),
      'size-mismatch',
      'w',
      'shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8',
    );
  });

  it('out-of-bounds offsets and truncated data', () => {
    expectFormatError(
      () => decode(buildFile(`{"w":${f32Entry('[0,8]')},"v":${f32Entry('[8,16]')}}`, eightBytes)),
      'out-of-bounds',
      'v',
      'truncated (8 bytes missing)',
    );
    const full = encodeSafetensors({ w: { dtype: 'F32', shape: [4], data: new Float32Array([1, 2, 3, 4]) } });
    expectFormatError(() => decode(full.subarray(0, full.length - 3)), 'out-of-bounds', 'w', '3 bytes missing');
  });

  it('overlapping offsets name both tensors', () => {
    expectFormatError(
      () => decode(buildFile(`{"w":${f32Entry('[0,8]')},"v":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eightBytes)),
      'overlapping-offsets',
      'v',
      "overlap tensor 'w' at [0, 8]",
    );
  });

  it('gaps between tensors and at the start (the spec allows no holes)', () => {
    const one = (offsets: string) => `{"dtype":"F32","shape":[1],"data_offsets":${offsets}}`;
    expectFormatError(() => decode(buildFile(`{"w":${one('[0,4]')},"v":${one('[8,12]')}}`, [...eightBytes, 0, 0, 0, 0])), 'gap-in-data', 'v', 'bytes [4, 8)');
    expectFormatError(() => decode(buildFile(`{"v":${one('[4,8]')}}`, eightBytes)), 'gap-in-data', 'v', 'bytes [0, 4)');
  });

  it('trailing bytes after the last tensor', () => {
    expectFormatError(() => decode(buildFile(`{"w":${f32Entry('[0,8]')}}`, [...eightBytes, 9])), 'trailing-bytes', undefined, '1 trailing bytes');
    expectFormatError(() => decode(buildFile('{}', [0])), 'trailing-bytes');
  });

  it('duplicate tensor names (and duplicate keys inside an entry)', () => {
    expectFormatError(
      () => decode(buildFile(`{"w":${f32Entry('[0,8]')},"w":${f32Entry('[0,8]')}}`, eightBytes)),
      'duplicate-name',
      'w',
      "names 'w' more than once",
    );
    expectFormatError(
      () => decode(buildFile('{"w":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}}', eightBytes)),
      'duplicate-name',
      undefined,
      "key 'dtype' appears more than once inside 'w'",
    );
    // Escapes are decoded before comparing: "\u0077" is "w".
    expectFormatError(() => decode(buildFile(`{"w":${f32Entry('[0,8]')},"\\u0077":${f32Entry('[0,8]')}}`, eightBytes)), 'duplicate-name', 'w');
  });

  it('metadata that is not an object of strings', () => {
    expectFormatError(() => decode(buildFile('{"__metadata__":{"step":3}}')), 'invalid-metadata', undefined, "metadata value of 'step' must be a string, got 3");
    expectFormatError(() => decode(buildFile('{"__metadata__":["a"]}')), 'invalid-metadata');
  });
});

describe('encodeSafetensors rejects what it cannot write', () => {
  const expectInvalid = (work: () => unknown, argument: string, messagePart: string): void => {
    let caught: unknown;
    try {
      work();
    } catch (error) {
      caught = error;
    }
    expect(InvalidArgumentError.isInstance(caught)).toBe(true);
    expect((caught as InvalidArgumentError).argument).toBe(argument);
    expect((caught as Error).message).toContain(messagePart);
  };

  it('wrong typed array, element count, shape, BOOL values, reserved name, non-string metadata', () => {
    expectInvalid(
      () => encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float64Array([1]) as unknown as Float32Array } }),
      "tensors['w']",
      'needs data in a Float32Array, got Float64Array',
    );
    expectInvalid(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }), "tensors['w']", '4 elements but data has 3');
    expectInvalid(() => encodeSafetensors({ w: { dtype: 'F32', shape: [1.5], data: new Float32Array(1) } }), "tensors['w']", 'non-negative integers');
    expectInvalid(() => encodeSafetensors({ m: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 2]) } }), "tensors['m']", 'got 2 at element 1');
    expectInvalid(
      () => encodeSafetensors({ w: { dtype: 'U32', shape: [1], data: new Uint32Array(1) } as unknown as SafetensorsTensor }),
      "tensors['w']",
      'unsupported dtype "U32"',
    );
    expectInvalid(
      () => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } }),
      "tensors['__metadata__']",
      'reserved',
    );
    expectInvalid(() => encodeSafetensors({}, { step: 3 as unknown as string }), "metadata['step']", 'must be strings');
  });
});
