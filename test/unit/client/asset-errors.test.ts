/**
 * Why an SDK asset (worker script, onnxruntime .wasm) failed to load, from the answer its URL gives:
 * the deployment mistakes users make, each named with the URL and the fix.
 */
import { describe, expect, it } from 'vitest';
import { assetAnswerProblem, diagnoseAsset } from '../../../src/asset-errors';

describe('SDK asset answers', () => {
  it('a 404, an HTML fallback page and a non-WebAssembly .wasm are named', () => {
    expect(assetAnswerProblem('worker', { status: 404, contentType: 'text/plain' })).toBe('answered HTTP 404');
    expect(assetAnswerProblem('worker', { status: 200, contentType: 'text/html; charset=utf-8' })).toMatch(/HTML page/);
    expect(assetAnswerProblem('wasm', { status: 200, contentType: 'application/wasm', firstBytes: new Uint8Array([0x3c, 0x21, 0x64, 0x6f]) })).toBe('is not a WebAssembly file');
    expect(assetAnswerProblem('wasm', { status: 200, contentType: 'application/wasm', firstBytes: new Uint8Array([0, 0x61, 0x73, 0x6d]) })).toBeUndefined();
  });

  it('a worker script without COEP under a cross-origin isolated page is named, with the headers to send', () => {
    const plain = { status: 200, contentType: 'text/javascript' };
    expect(assetAnswerProblem('worker', { ...plain, pageIsolated: true, embedderPolicy: null })).toMatch(/without a Cross-Origin-Embedder-Policy header while this page is cross-origin isolated/);
    expect(assetAnswerProblem('worker', { ...plain, pageIsolated: true, embedderPolicy: 'require-corp' })).toBeUndefined();
    expect(assetAnswerProblem('worker', { ...plain, pageIsolated: true, embedderPolicy: 'credentialless' })).toBeUndefined();
    expect(assetAnswerProblem('worker', { ...plain, pageIsolated: false, embedderPolicy: null })).toBeUndefined();
    // The .wasm is fetched, not started as a worker: its headers do not matter here.
    expect(assetAnswerProblem('wasm', { ...plain, contentType: 'application/wasm', pageIsolated: true, embedderPolicy: null })).toBeUndefined();
  });

  it('diagnoseAsset turns the answer into an ASSET_LOAD error naming the URL and the option that fixes it', async () => {
    const answer = (status: number, type: string): typeof fetch => async () => new Response('x', { status, headers: { 'content-type': type } });
    const err = await diagnoseAsset('worker', 'https://app.example/assets/siglip-web.worker.js', answer(404, 'text/plain'));
    expect(err?.code).toBe('ASSET_LOAD');
    expect(err?.message).toMatch(/siglip-web worker script https:\/\/app\.example\/assets\/siglip-web\.worker\.js answered HTTP 404.*workerUrl/);
    await expect(diagnoseAsset('worker', 'https://app.example/w.js', answer(200, 'text/javascript'))).resolves.toBeUndefined();
  });
});
