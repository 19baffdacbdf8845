package dev.bucket.governance;

import dev.bucket.governance.threat.WriteInspection.ProductUsage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes and artifact versions each product holds, kept in memory so that the quota check (T1) and the capacity
 * metrics cost no store round trip. Seeded once at start from the artifact store, then counted on every commit.
 * Bounded by the number of governed products (at most the configured maximum).
 */
public final class UsageMeter {

  private record Counters(LongAdder bytes, LongAdder artifacts) {
  }

  private final Map<String, Counters> products = new ConcurrentHashMap<>();

  public void add(String product, long bytes, long artifacts) {
    Counters c = products.computeIfAbsent(product, p -> new Counters(new LongAdder(), new LongAdder()));
    c.bytes.add(bytes);
    c.artifacts.add(artifacts);
  }

  public ProductUsage of(String product) {
    Counters c = products.get(product);
    return c == null ? new ProductUsage(0, 0) : new ProductUsage(c.bytes.sum(), c.artifacts.sum());
  }

  public long totalBytes() {
    return products.values().stream().mapToLong(c -> c.bytes.sum()).sum();
  }

  public long totalArtifacts() {
    return products.values().stream().mapToLong(c -> c.artifacts.sum()).sum();
  }

  public Map<String, ProductUsage> snapshot() {
    Map<String, ProductUsage> copy = new java.util.TreeMap<>();
    products.keySet().forEach(p -> copy.put(p, of(p)));
    return copy;
  }
}
