import { describe, expect, it } from 'vitest';
import { contentTypeFromExtension, contentTypeFromMime } from '../../src/hashing/content-type.js';
import { newSubmission } from '../../src/pipeline/submit/submission.js';

describe('the one extension table', () => {
  it('settles what the two copies disagreed on: .bmp is a photo, .ts is a video', () => {
    expect(contentTypeFromExtension('scan.BMP')).toBe('photo');
    expect(contentTypeFromExtension('clip.ts')).toBe('video');
    expect(contentTypeFromExtension('/dir.jpg/noext')).toBeUndefined();
    expect(contentTypeFromExtension('notes.txt')).toBeUndefined();
    expect(contentTypeFromExtension('x.constructor')).toBeUndefined();
  });

  it('is what submissions guess from a URL or file name', () => {
    const limits = { maxInlineBytes: 1024 };
    expect(newSubmission({ media: { kind: 'url', url: 'https://x.test/live/seg1.ts?sig=1' } }, limits).content_type).toBe('video');
    expect(newSubmission({ media: { kind: 'inline', data: Buffer.from('x'), fileName: 'a.bmp' } }, limits).content_type).toBe('photo');
    expect(newSubmission({ media: { kind: 'inline', data: Buffer.from('x'), mimeType: 'video/mp4', fileName: 'a.bmp' } }, limits).content_type).toBe('video');
  });

  it('maps MIME types as HMA does', () => {
    expect([contentTypeFromMime('IMAGE/png'), contentTypeFromMime('video/mp4'), contentTypeFromMime('text/plain'), contentTypeFromMime(undefined), contentTypeFromMime('image')]).toEqual(['photo', 'video', undefined, undefined, undefined]);
  });
});
