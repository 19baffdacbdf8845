/**
 * Offline verification of what a Bucket gateway publishes, with the log's verifier key as the only trust anchor: no
 * server, no database. {@link dev.bucket.verify.BundleVerifier} checks an evidence bundle against a payload file,
 * {@link dev.bucket.verify.ConsistencyVerifier} that one checkpoint extends another, and
 * {@link dev.bucket.verify.LogVerifier} a full log export against a checkpoint; each returns a
 * {@link dev.bucket.verify.Report} of steps. {@link dev.bucket.verify.LogExporter} fetches such an export. The
 * picocli commands ({@link dev.bucket.verify.VerifyCommand}, {@link dev.bucket.verify.ExportCommand}) only read
 * arguments and print reports.
 */
package dev.bucket.verify;
