package dev.bucket.payload;

import java.util.List;

/**
 * Outcome of re-reading a payload: {@code actualHash} is what the store holds now, {@code damaged} lists every chunk
 * whose digest differs (or is missing) as an inclusive byte range.
 */
public record IntegrityReport(String expectedHash, String actualHash, long expectedSize, long actualSize,
                              List<DamagedRange> damaged) {

  public record DamagedRange(int chunk, long firstByte, long lastByte) {
  }

  public IntegrityReport {
    damaged = List.copyOf(damaged);
  }

  public boolean intact() {
    return damaged.isEmpty() && expectedHash.equals(actualHash) && expectedSize == actualSize;
  }
}
