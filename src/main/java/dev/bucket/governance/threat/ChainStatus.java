package dev.bucket.governance.threat;

import dev.bucket.audit.ChainReport;

/**
 * The outcome of an audit chain check, as T8 needs it.
 *
 * @param firstBadIndex the first entry that failed, or null when intact
 * @param detail        a sentence for a human, naming the entry
 */
public record ChainStatus(boolean intact, Long firstBadIndex, String detail) {

  public static ChainStatus of(ChainReport report) {
    return new ChainStatus(report.ok(), report.firstBadIndex(), report.detail());
  }
}
