/** Public surface of media hashing (adapters over the pure signal core). */
export {
  MediaHasher,
  hmaSignalValue,
  hmaSignalValues,
  type HashMediaRequest,
  type HashMediaResult,
  type MediaHasherSettings,
  type MediaSource,
  type PdqResult,
  type SignalResult,
  type VideoMd5Result,
  type VpdqResult,
} from './hash-media.js';
export { contentTypeFromExtension, contentTypeFromMime, sniffContentType } from './content-type.js';
export { HashPool, InProcessHasher, type HashExecutor } from './pool/hash-pool.js';
export { hashVideoFrames, type VideoFrameHashes, type VideoHashOptions } from './video.js';
