import { FrameDecoder } from '../core/framing.js';

/** A chunk of a libp2p stream's source: a Uint8Array or a Uint8ArrayList, both sliceable. */
export interface ByteChunk {
  subarray(): Uint8Array;
}

/**
 * Yields each framing.ts frame decoded from `source`, however the bytes are chunked.
 * Throws FRAME_TOO_LARGE or MALFORMED_MESSAGE (from FrameDecoder) on bad framing. When the
 * source ends, the generator's return value says how many bytes of a partial frame were left.
 */
export async function* readFrames(source: AsyncIterable<ByteChunk>, frameBytesMax: number): AsyncGenerator<unknown, { truncatedBytes: number }> {
  const decoder = new FrameDecoder(frameBytesMax);
  for await (const chunk of source) {
    for (const value of decoder.push(chunk.subarray())) yield value;
  }
  return { truncatedBytes: decoder.pendingBytes() };
}
