import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dtypeOfFile, isFileRecord, isLogitRecord, locate, RECORD_VERSION } from '../../../src/storage/cache-records.js';
import { Sha256, sha256OfBlob } from '../../../src/storage/sha256-stream.js';

describe('Sha256 (streaming)', () => {
  it('equals node:crypto for lengths around every padding boundary, fed in arbitrary chunks', () => {
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4097]) {
      const data = randomBytes(n);
      const h = new Sha256();
      for (let at = 0, step = 1; at < n; at += step, step = (step * 7) % 97 + 1) h.update(data.subarray(at, Math.min(n, at + step)));
      expect(h.hex(), `length ${n}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
  it('hashes Blobs by streaming and via WebCrypto alike', async () => {
    const data = randomBytes(300_000);
    expect(await sha256OfBlob(new Blob([data]))).toBe(createHash('sha256').update(data).digest('hex'));
  });
  it('refuses to be used after digest', () => {
    const h = new Sha256();
    h.hex();
    expect(() => h.update(new Uint8Array(1))).toThrow();
  });
});

describe('dtypeOfFile', () => {
  it('follows transformers.js file naming', () => {
    expect(dtypeOfFile('onnx/vision_model.onnx')).toBe('fp32');
    expect(dtypeOfFile('onnx/vision_model_fp16.onnx')).toBe('fp16');
    expect(dtypeOfFile('onnx/text_model_quantized.onnx')).toBe('q8');
    expect(dtypeOfFile('onnx/model_q4f16.onnx')).toBe('q4f16');
    expect(dtypeOfFile('onnx/model_q4.onnx')).toBe('q4');
    expect(dtypeOfFile('onnx/model.onnx_data')).toBe('fp32');
    expect(dtypeOfFile('onnx/model_fp16.onnx_data_1')).toBe('fp16');
    expect(dtypeOfFile('config.json')).toBeUndefined();
  });
});

describe('locate', () => {
  it('picks the longest matching folder and returns the path inside it', () => {
    const folders = ['https://h/a/', 'https://h/a/b/'];
    expect(locate('https://h/a/b/onnx/x.onnx', folders)).toEqual({ baseUrl: 'https://h/a/b/', file: 'onnx/x.onnx' });
    expect(locate('https://h/a/config.json', folders)).toEqual({ baseUrl: 'https://h/a/', file: 'config.json' });
    expect(locate('https://other/a/config.json', folders)).toBeUndefined();
  });
});

describe('record guards', () => {
  const file = { v: RECORD_VERSION, url: 'u', size: 1, sha256: 'x' };
  it('accept current records only', () => {
    expect(isFileRecord(file)).toBe(true);
    expect(isFileRecord({ ...file, v: RECORD_VERSION + 1 })).toBe(false);
    expect(isFileRecord({ ...file, size: '1' })).toBe(false);
    expect(isFileRecord(null)).toBe(false);
  });
  it('reject implausible logit parameters', () => {
    const logit = { v: RECORD_VERSION, logitScaleExp: 117.3, logitBias: -12.9 };
    expect(isLogitRecord(logit)).toBe(true);
    expect(isLogitRecord({ ...logit, logitScaleExp: 0 })).toBe(false);
    expect(isLogitRecord({ ...logit, logitBias: Number.NaN })).toBe(false);
  });
});
