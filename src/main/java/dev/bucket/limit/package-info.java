/**
 * Gateway ceilings: cheap, non-blocking admission control in front of storage.
 *
 * <ul>
 *   <li>{@link dev.bucket.limit.Gcra}: one lock-free Generic Cell Rate Algorithm bucket (a single CAS per decision).
 *   <li>{@link dev.bucket.limit.FairLimiter}: the ceiling of one {@link dev.bucket.limit.Kind} with per-product fair
 *       shares and borrowing of unused capacity.
 *   <li>{@link dev.bucket.limit.Ceilings}: the writes and reads ceilings, the writer concurrency cap and the shed
 *       counter one gateway node shares between its event loops.
 *   <li>{@link dev.bucket.limit.RedisLeases}: makes a ceiling global across nodes by leasing token batches from a
 *       Redis-side GCRA; falls back to this node's share when Redis is unreachable.
 *   <li>{@link dev.bucket.limit.RateLimitHeaders}: {@code RateLimit-Policy}, {@code RateLimit} and
 *       {@code Retry-After} values.
 * </ul>
 *
 * <p>Nothing here blocks, sleeps or holds a lock on the admission path. See {@code docs/decisions/0005-rate-limiter.md}.
 */
package dev.bucket.limit;
