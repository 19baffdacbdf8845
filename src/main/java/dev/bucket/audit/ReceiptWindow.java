package dev.bucket.audit;

import dev.bucket.audit.AuditRecord.Outcome;
import dev.bucket.time.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The reads of one receipt window, grouped the way they are recorded: one {@link AuditRecord} per reader, product
 * and operation, listing every target read (artifact version, or the product's listing) with how often. A reader who
 * reads the same version a thousand times in a window costs one counter, not a thousand entries.
 *
 * <p>Plain Java and not thread-safe; {@link ReadReceipts} guards it. Bounded by the caller: {@link #targets()} is the
 * number of distinct targets held, which is what a window costs in memory.
 */
final class ReceiptWindow {

  /** Field of an entry's {@code details} that holds its receipt. */
  static final String RECEIPT = "receipt";
  /** Field of a receipt holding what was read, one object per target. */
  static final String ITEMS = "items";

  private record Group(String actor, String product, String operation) {
  }

  private record Target(String artifactId, int version, String contentHash) {
  }

  private final Instant openedAt;
  private final Map<Group, Map<Target, long[]>> groups = new LinkedHashMap<>();
  private int targets;

  ReceiptWindow(Instant openedAt) {
    this.openedAt = Objects.requireNonNull(openedAt, "openedAt");
  }

  /** Counts one read. */
  void add(ReadReceipts.Read read) {
    Map<Target, long[]> group = groups.computeIfAbsent(
        new Group(read.actor(), read.product(), read.operation()), g -> new LinkedHashMap<>());
    long[] count = group.computeIfAbsent(new Target(read.artifactId(), read.version(), read.contentHash()), t -> {
      targets++;
      return new long[1];
    });
    count[0]++;
  }

  /** Whether {@link #add} of this read would hold a new target (and so cost memory). */
  boolean isNew(ReadReceipts.Read read) {
    Map<Target, long[]> group = groups.get(new Group(read.actor(), read.product(), read.operation()));
    return group == null || !group.containsKey(new Target(read.artifactId(), read.version(), read.contentHash()));
  }

  int targets() {
    return targets;
  }

  boolean isEmpty() {
    return targets == 0;
  }

  /**
   * The window's receipts, closed at {@code closedAt}: per group, records of at most {@code maxItems} targets each.
   * A record names the artifact, version and content hash at top level when all its items share them, so that a
   * receipt of a single read looks like the entry a single read always had.
   */
  List<Receipt> close(Instant closedAt, int maxItems) {
    if (maxItems < 1) {
      throw new IllegalArgumentException("maxItems must be positive");
    }
    List<Receipt> receipts = new ArrayList<>();
    groups.forEach((group, reads) -> {
      List<Map.Entry<Target, long[]>> all = new ArrayList<>(reads.entrySet());
      for (int from = 0; from < all.size(); from += maxItems) {
        receipts.add(receipt(group, all.subList(from, Math.min(all.size(), from + maxItems)), closedAt));
      }
    });
    return receipts;
  }

  private Receipt receipt(Group group, List<Map.Entry<Target, long[]>> items, Instant closedAt) {
    JsonArray listed = new JsonArray();
    long reads = 0;
    for (Map.Entry<Target, long[]> item : items) {
      Target target = item.getKey();
      JsonObject read = new JsonObject();
      if (target.artifactId() != null) {
        read.put("artifact_id", target.artifactId());
      }
      if (target.version() > 0) {
        read.put("version", target.version());
      }
      if (target.contentHash() != null) {
        read.put("content_hash", target.contentHash());
      }
      listed.add(read.put("count", item.getValue()[0]));
      reads += item.getValue()[0];
    }
    String artifactId = shared(items, Target::artifactId);
    Integer version = shared(items, Target::version);
    String contentHash = shared(items, Target::contentHash);
    JsonObject details = new JsonObject().put(RECEIPT, new JsonObject()
        .put("reads", reads)
        .put("from", Timestamps.format(openedAt))
        .put("to", Timestamps.format(closedAt))
        .put(ITEMS, listed));
    AuditRecord record = new AuditRecord(group.actor(), group.product(), group.operation(), artifactId,
        version == null ? 0 : version, contentHash, Outcome.SUCCESS, 200, null, details);
    return new Receipt(record, items.size());
  }

  private static <T> T shared(List<Map.Entry<Target, long[]>> items,
                              java.util.function.Function<Target, T> field) {
    T first = field.apply(items.get(0).getKey());
    for (Map.Entry<Target, long[]> item : items) {
      if (!Objects.equals(first, field.apply(item.getKey()))) {
        return null;
      }
    }
    return first;
  }

  /** One audit record of a closed window and the number of targets it carries (its share of the buffer). */
  record Receipt(AuditRecord record, int targets) {
  }
}
