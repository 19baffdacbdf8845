package dev.bucket.limit;

/**
 * The last check of a {@link FairLimiter}: whether the ceiling still has room across all gateway nodes. A single
 * node needs none ({@link #UNLIMITED}: its local global bucket already is the ceiling); a cluster uses
 * {@link RedisLeases#budget(Kind)}. Implementations must be thread-safe, non-blocking and never throw.
 */
public interface ClusterBudget {

  /** No cluster-wide limit beyond the node's own buckets. */
  ClusterBudget UNLIMITED = new ClusterBudget() {
    @Override
    public boolean tryTake(long nowNanos) {
      return true;
    }

    @Override
    public long retryAfterNanos(long nowNanos) {
      return 0;
    }
  };

  /** Takes one token if one is available now; never waits. */
  boolean tryTake(long nowNanos);

  /** After a refused {@link #tryTake}, how long until a token is likely to be available. */
  long retryAfterNanos(long nowNanos);
}
