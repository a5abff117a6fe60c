/**
 * Encodes short strings as UTF-8 side by side in shared slabs of 64 KiB, each string a view of
 * its own, rather than each into an ArrayBuffer of its own or through `Buffer.from`, whose
 * 8 KiB pool takes a new ArrayBuffer every few dozen strings of a couple of hundred bytes.
 * An ArrayBuffer is external memory that the collector accounts for and sweeps: with 16 clients
 * writing, those allocations for log entries were 7 % of a member's CPU profile. A slab is freed
 * once every view of it is, so it suits strings kept for a while in the order they were made,
 * as log entries are. (Response bodies, written and dropped at once, gained nothing from it in
 * interleaved runs.) 64 KiB stays below glibc's threshold for mapping memory of its own, as the
 * pool's 8 KiB did. A string that may need more than a sixteenth of a slab gets a buffer of its
 * own.
 */
export class Utf8Slab {
  private slab: Buffer;
  private used = 0;

  constructor(private readonly slabBytes = 64 * 1024) {
    this.slab = Buffer.allocUnsafeSlow(slabBytes);
  }

  encode(text: string): Buffer {
    const bytesMax = text.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 code unit
    if (bytesMax > this.slabBytes / 16) return Buffer.from(text, 'utf8');
    if (this.used + bytesMax > this.slabBytes) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.used = 0;
    }
    const written = this.slab.write(text, this.used, 'utf8');
    const bytes = this.slab.subarray(this.used, this.used + written);
    this.used = (this.used + written + 7) & ~7;
    return bytes;
  }
}
