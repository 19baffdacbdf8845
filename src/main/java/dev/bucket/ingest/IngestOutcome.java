package dev.bucket.ingest;

import dev.bucket.artifact.Artifact;

/** The ingest verticle's typed reply. Infrastructure failures are replied as failures instead. */
public sealed interface IngestOutcome {

  /** A new version was written and its audit entry is durable. */
  record Committed(Artifact artifact, long auditIndex) implements IngestOutcome {
  }

  /** The same request was already committed; this is the original result. */
  record Replayed(Artifact artifact, long auditIndex) implements IngestOutcome {
  }

  /** The id (or idempotency key) is taken by different content. */
  record Conflict(Artifact existing) implements IngestOutcome {
  }

  /** The client's If-Match does not name the current version (or a concurrent writer won). */
  record Stale(Artifact current) implements IngestOutcome {
  }

  /** A version was requested for an artifact that does not exist. */
  record NotFound() implements IngestOutcome {
  }
}
