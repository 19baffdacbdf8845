/**
 * Verifiable transparency log primitives, pure Java (no I/O): the RFC 9162 (RFC 6962) Merkle tree over log entries,
 * inclusion and consistency proofs computed from stored complete subtrees, C2SP {@code tlog-checkpoint} bodies, and
 * C2SP {@code signed-note} Ed25519 signing and verification, byte-compatible with {@code golang.org/x/mod/sumdb/note}.
 *
 * <p>Specifications: RFC 9162 §2.1 (hashing, proofs); c2sp.org/signed-note; c2sp.org/tlog-checkpoint.
 */
package dev.bucket.transparency;
