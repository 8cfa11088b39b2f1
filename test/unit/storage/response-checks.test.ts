import { describe, expect, it } from 'vitest';
import { checkLength, declaredLength, expectsNonHtml, isQuotaError, looksLikeHtml, serverSha256 } from '../../../src/storage/response-checks.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const SHA = 'a'.repeat(40) + '0123456789abcdef01234567';

describe('looksLikeHtml', () => {
  it('trusts a text/html content type', () => {
    expect(looksLikeHtml(bytes('\x08\x07'), 'text/html; charset=utf-8')).toBe(true);
    expect(looksLikeHtml(undefined, 'application/xhtml+xml')).toBe(true);
  });
  it('sniffs HTML bodies served with a neutral type', () => {
    for (const body of ['<!DOCTYPE html><html>', '  \n<html lang="en">', '<!-- login -->', '<head><title>x', '<!doctype HTML>']) {
      expect(looksLikeHtml(bytes(body), 'application/octet-stream'), body).toBe(true);
    }
  });
  it('does not flag ONNX protobuf or JSON bodies', () => {
    expect(looksLikeHtml(Uint8Array.from([0x08, 0x07, 0x12, 0x07, 0x70, 0x79, 0x74]), 'application/octet-stream')).toBe(false);
    expect(looksLikeHtml(bytes('{"architectures": ["<html>"]}'), 'application/json')).toBe(false);
    expect(looksLikeHtml(bytes('<unk> token list'), null)).toBe(false);
    expect(looksLikeHtml(new Uint8Array(0), null)).toBe(false);
  });
});

describe('expectsNonHtml', () => {
  it('covers model, tokenizer and runtime files, ignoring query strings', () => {
    for (const u of ['https://h/m/onnx/model.onnx', 'https://h/m/onnx/model.onnx_data', 'https://h/m/config.json?download=1', 'https://h/ort/x.wasm']) {
      expect(expectsNonHtml(u), u).toBe(true);
    }
    expect(expectsNonHtml('https://h/page.html')).toBe(false);
    expect(expectsNonHtml('https://h/m/')).toBe(false);
  });
});

describe('serverSha256', () => {
  it('reads the hub sha256 from ETag or X-Linked-Etag (quoted or not), lower-cased', () => {
    expect(serverSha256(new Headers({ etag: `"${SHA}"` }))).toBe(SHA);
    expect(serverSha256(new Headers({ 'x-linked-etag': `"${SHA.toUpperCase()}"`, etag: '"abc"' }))).toBe(SHA);
    expect(serverSha256(new Headers({ etag: SHA }))).toBe(SHA);
  });
  it('ignores weak, short (git sha1, md5) and composite ETags', () => {
    expect(serverSha256(new Headers({ etag: `W/"${SHA}"` }))).toBeUndefined();
    expect(serverSha256(new Headers({ etag: '"d41d8cd98f00b204e9800998ecf8427e"' }))).toBeUndefined();
    expect(serverSha256(new Headers({ etag: '"5f3c-1a2b3c"' }))).toBeUndefined();
    expect(serverSha256(new Headers())).toBeUndefined();
  });
});

describe('declaredLength / checkLength', () => {
  it('uses Content-Length only for identity-encoded bodies', () => {
    expect(declaredLength(new Headers({ 'content-length': '1234' }))).toBe(1234);
    expect(declaredLength(new Headers({ 'content-length': '1234', 'content-encoding': 'gzip' }))).toBeUndefined();
    expect(declaredLength(new Headers({ 'content-length': 'abc' }))).toBeUndefined();
    expect(declaredLength(new Headers())).toBeUndefined();
  });
  it('flags short and long bodies, accepts exact or unknown lengths', () => {
    expect(checkLength(10, 10)).toBeUndefined();
    expect(checkLength(10, undefined)).toBeUndefined();
    expect(checkLength(5, 10)).toEqual({ kind: 'short', received: 5, expected: 10 });
    expect(checkLength(11, 10)).toEqual({ kind: 'long', received: 11, expected: 10 });
  });
});

describe('isQuotaError', () => {
  it('recognizes QuotaExceededError by name or message', () => {
    expect(isQuotaError(Object.assign(new Error('x'), { name: 'QuotaExceededError' }))).toBe(true);
    expect(isQuotaError(new Error('The quota has been exceeded.'))).toBe(true);
    expect(isQuotaError(new Error('Transaction aborted'))).toBe(false);
  });
});
