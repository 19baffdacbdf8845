package dev.bucket.verify;

import dev.bucket.artifact.Artifact;
import dev.bucket.audit.AuditEntry;
import dev.bucket.audit.AuditQueries;
import dev.bucket.audit.ChainReport;
import dev.bucket.audit.ChainVerifier;
import dev.bucket.audit.HashChain;
import dev.bucket.payload.FilesystemPayloadStore;
import dev.bucket.payload.InlinePayloads;
import dev.bucket.payload.IntegrityReport;
import dev.bucket.payload.PayloadStore;
import dev.bucket.retention.RetentionRepository;
import dev.bucket.storage.KeyValue;
import dev.bucket.storage.RocksStore;
import dev.bucket.storage.Space;
import dev.bucket.storage.Store;
import dev.bucket.storage.Stores;
import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.MerkleAppender;
import dev.bucket.transparency.MerkleHash;
import dev.bucket.transparency.NoteVerifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a data directory offline, the embedded store of a stopped gateway or a backup of one, trusting only the
 * log's verifier key. The store is opened read-only, so the check never changes the evidence it reads.
 *
 * <ol>
 *   <li>{@value #STORE}: the directory holds a Bucket store that opens;
 *   <li>{@value #CHECKPOINT}: the newest checkpoint the store holds, and a checkpoint kept elsewhere if given (say the
 *       last one a client saw), verify with the trusted key and cover no more entries than the log holds;
 *   <li>{@value #CHAIN}: every entry from 0 to the last is present, hashes to its {@code entry_hash} and links to the
 *       one before it;
 *   <li>{@value #ROOT}: the Merkle root of the entries each checkpoint covers is that checkpoint's, and every stored
 *       leaf hash (which inclusion proofs are built from) is its entry's;
 *   <li>{@value #VERSIONS}: every artifact version has the commit entry that records its content hash, or the marker
 *       a crash mid-write leaves for recovery to finish, and its payload bytes still hash to that content hash
 *       (versions tombstoned after their retention are exempt: their bytes were purged on purpose).
 * </ol>
 *
 * Memory does not grow with the store: entries and versions are read a page at a time.
 */
public final class StoreVerifier {

  public static final String STORE = "store";
  public static final String CHECKPOINT = "checkpoint signature";
  public static final String CHAIN = "hash chain";
  public static final String ROOT = "Merkle root";
  public static final String VERSIONS = "artifact versions";

  /** Versions checked at once. */
  static final int PAGE = 512;

  private static final HexFormat HEX = HexFormat.of();

  private final NoteVerifier trusted;

  public StoreVerifier(NoteVerifier trusted) {
    this.trusted = Objects.requireNonNull(trusted, "trusted");
  }

  /**
   * Verifies the data directory {@code dataDir} (holding {@code store/} and {@code payloads/}).
   *
   * @param keptNote a signed checkpoint of this log kept outside the store, or null
   */
  public Report verify(Path dataDir, String keptNote) {
    Vertx vertx = Vertx.vertx();
    try {
      return new Walk(vertx, dataDir, keptNote).run();
    } finally {
      vertx.close().await();
    }
  }

  /** One verification's state. */
  private final class Walk {

    final Vertx vertx;
    final Path dataDir;
    final String keptNote;
    final Report report = new Report();
    Store store;
    long entries;
    /** The checkpoints to check the tree against, by size; the first of each size wins. */
    final Map<Long, Checkpoint> checkpoints = new LinkedHashMap<>();
    final Map<Long, byte[]> rootsAt = new LinkedHashMap<>();
    final MerkleAppender tree = new MerkleAppender();
    long badLeaf = -1;

    Walk(Vertx vertx, Path dataDir, String keptNote) {
      this.vertx = vertx;
      this.dataDir = dataDir;
      this.keptNote = keptNote;
    }

    Report run() {
      try {
        step(STORE, this::open);
        step(CHECKPOINT, this::checkpoints);
        step(CHAIN, this::chain);
        step(ROOT, this::roots);
        step(VERSIONS, this::versions);
      } finally {
        if (store != null) {
          store.close().await();
        }
      }
      return report;
    }

    /** A step whose store reads may fail: the store is then unusable input, not evidence of tampering. */
    private void step(String name, Report.Check check) {
      report.check(name, () -> {
        long started = System.nanoTime();
        try {
          String detail = check.run();
          // A large store takes minutes: each step says how long it took.
          String took = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - started) / 1e9);
          return detail == null ? took : detail + ", " + took;
        } catch (RuntimeException e) {
          throw new UncheckedIOException(new IOException("the store could not be read: "
              + e.getMessage(), e));
        }
      });
    }

    String open() throws CheckFailedException, IOException {
      Path dir = dataDir.resolve(Stores.EMBEDDED_DIR);
      if (!Files.isDirectory(dir)) {
        throw new IOException(dataDir + " holds no embedded store (no " + Stores.EMBEDDED_DIR
            + "/ directory)");
      }
      store = RocksStore.openReadOnly(vertx, dir, RocksStore.Settings.defaults()).await();
      List<KeyValue> last = store.scan(Space.AUDIT, null, null, 1, true).await();
      if (!last.isEmpty()) {
        Long index = AuditEntry.indexOf(last.get(0).key());
        if (index == null) {
          throw new CheckFailedException("the audit log's last key " + last.get(0).key() + " is not an entry index");
        }
        entries = index + 1;
      }
      return dir + ", " + entries + " log entries";
    }

    String checkpoints() throws CheckFailedException {
      List<KeyValue> newest = store.scan(Space.CHECKPOINTS, null, null, 1, true).await();
      if (newest.isEmpty() && entries > 0) {
        throw new CheckFailedException("the log holds " + entries + " entries but the store no signed checkpoint");
      }
      List<String> described = new ArrayList<>();
      if (!newest.isEmpty()) {
        described.add("newest stored: " + add(newest.get(0).value().getString("note"), "the newest stored"));
      }
      if (keptNote != null) {
        described.add("kept: " + add(keptNote, "the kept"));
      }
      return described.isEmpty() ? "empty log, nothing signed yet" : String.join("; ", described);
    }

    private String add(String note, String which) throws CheckFailedException {
      Checkpoint checkpoint;
      try {
        checkpoint = Evidence.openCheckpoint(note == null ? "" : note, trusted);
      } catch (CheckFailedException e) {
        throw new CheckFailedException(which + " checkpoint is " + e.getMessage());
      }
      if (checkpoint.size() > entries) {
        throw new CheckFailedException(which + " checkpoint covers " + checkpoint.size() + " entries but the log"
            + " holds " + entries + ": signed entries are missing");
      }
      checkpoints.putIfAbsent(checkpoint.size(), checkpoint);
      return Evidence.describe(checkpoint);
    }

    String chain() throws CheckFailedException {
      ChainReport chain = new ChainVerifier(store).verify(0, entries, null, this::leaf).await();
      if (!chain.ok()) {
        throw new CheckFailedException(chain.detail());
      }
      return "entries 0.." + (entries - 1) + " link from the genesis hash";
    }

    /** Adds a verified entry's leaf to the tree, noting the root whenever the tree reaches a checkpoint's size. */
    private void leaf(HashChain.Verified entry, JsonObject stored) {
      byte[] leaf = MerkleHash.leafHash(entry.canonicalBytes());
      if (badLeaf < 0 && !HEX.formatHex(leaf).equals(stored.getString(AuditEntry.LEAF_HASH))) {
        badLeaf = entry.entry().index();
      }
      tree.append(leaf);
      if (checkpoints.containsKey(tree.size())) {
        rootsAt.put(tree.size(), tree.root());
      }
    }

    String roots() throws CheckFailedException {
      for (Checkpoint checkpoint : checkpoints.values()) {
        byte[] root = checkpoint.size() == 0 ? MerkleHash.emptyRoot() : rootsAt.get(checkpoint.size());
        if (!MessageDigest.isEqual(root, checkpoint.rootHash())) {
          Base64.Encoder b64 = Base64.getEncoder();
          throw new CheckFailedException("the root of entries 0.." + (checkpoint.size() - 1) + " is "
              + b64.encodeToString(root) + ", the checkpoint's is " + b64.encodeToString(checkpoint.rootHash())
              + ": the stored log differs from what was signed");
        }
      }
      if (badLeaf >= 0) {
        throw new CheckFailedException("audit entry " + badLeaf + " is stored with a leaf hash that is not its own:"
            + " inclusion proofs for it would not verify");
      }
      return checkpoints.isEmpty() ? null : "sizes " + checkpoints.keySet() + " match their signed roots";
    }

    String versions() throws CheckFailedException {
      PayloadStore payloads = new InlinePayloads(store,
          new FilesystemPayloadStore(vertx, dataDir.resolve("payloads")), 0);
      AuditQueries audit = new AuditQueries(store);
      RetentionRepository retention = new RetentionRepository(store, Clock.systemUTC(), PAGE);
      long checked = 0;
      long pending = 0;
      long tombstoned = 0;
      String from = null;
      while (true) {
        List<KeyValue> page = store.scan(Space.ARTIFACTS, from, null, PAGE, false).await();
        if (page.isEmpty()) {
          break;
        }
        List<Artifact> versions = page.stream().map(row -> Artifact.fromDocument(row.value())).toList();
        Map<String, AuditEntry> commits = audit.commitEntries(versions.stream()
            .map(v -> AuditEntry.commitKey(v.productId(), v.artifactId(), v.version())).toList()).await();
        List<Future<VersionState>> states = new ArrayList<>(versions.size());
        for (Artifact version : versions) {
          states.add(check(version, commits.get(AuditEntry.commitKey(version.productId(), version.artifactId(),
              version.version())), payloads, audit, retention));
        }
        Future.join(states).otherwiseEmpty().await();
        for (int i = 0; i < versions.size(); i++) {
          Future<VersionState> state = states.get(i);
          if (state.failed()) {
            throw new CheckFailedException("version " + page.get(i).key() + " could not be checked: "
                + state.cause().getMessage());
          }
          VersionState found = state.result();
          if (found.problem() != null) {
            throw new CheckFailedException(found.problem());
          }
          checked++;
          pending += found.recoveryPending() ? 1 : 0;
          tombstoned += found.tombstoned() ? 1 : 0;
        }
        from = page.get(page.size() - 1).key() + '\u0000';
      }
      return checked + " versions intact" + (tombstoned > 0 ? ", " + tombstoned + " tombstoned" : "")
          + (pending > 0 ? ", " + pending + " awaiting the commit entry crash recovery writes at start" : "");
    }

    /**
     * One version against its commit entry (null: none) and its payload. Whether it is tombstoned is asked only when
     * its bytes are not intact: purged bytes are the one absence that is expected.
     */
    private Future<VersionState> check(Artifact version, AuditEntry commit, PayloadStore payloads,
                                       AuditQueries audit, RetentionRepository retention) {
      String name = version.productId() + "/" + version.artifactId() + " v" + version.version();
      Future<VersionState> logged;
      if (commit != null) {
        logged = Future.succeededFuture(Objects.equals(commit.contentHash(), version.contentHash())
            ? VersionState.LOGGED : VersionState.bad(name + ": its commit entry " + commit.index()
            + " records content hash " + commit.contentHash() + ", the version has " + version.contentHash()));
      } else {
        logged = audit.markedUncommitted(version.productId(), version.artifactId(), version.version())
            .map(marked -> marked ? VersionState.PENDING : VersionState.bad(name
                + ": no commit entry in the audit log and no crash-recovery marker"));
      }
      return logged.compose(state -> state.problem() != null ? Future.succeededFuture(state)
          : payloads.verify(version.payloadRef(), version.size(), version.contentHash(), version.chunkHashes())
              .compose(integrity -> integrity.intact() ? Future.succeededFuture(state)
                  : retention.tombstoned(version.key()).map(gone -> gone ? VersionState.TOMBSTONED
                      : VersionState.bad(name + ": " + damage(integrity)))));
    }

    private static String damage(IntegrityReport integrity) {
      return "its payload is " + integrity.actualSize() + " bytes hashing to " + integrity.actualHash()
          + ", not the " + integrity.expectedSize() + " bytes hashing to " + integrity.expectedHash() + " written";
    }
  }

  /** What checking one version found. */
  private record VersionState(String problem, boolean recoveryPending, boolean tombstoned) {

    static final VersionState LOGGED = new VersionState(null, false, false);
    static final VersionState PENDING = new VersionState(null, true, false);
    static final VersionState TOMBSTONED = new VersionState(null, false, true);

    static VersionState bad(String problem) {
      return new VersionState(problem, false, false);
    }
  }
}
