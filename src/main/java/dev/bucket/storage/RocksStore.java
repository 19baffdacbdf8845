package dev.bucket.storage;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: RocksDB, one column family per {@link Space}, values as JSON bytes.
 *
 * <p>One writer thread owns every commit. It drains whatever commits are queued (up to {@link #GROUP_MAX_COMMITS}),
 * checks each one's inserts against the store and the commits before it in the group, and writes the accepted ones
 * as one {@link WriteBatch} with one synced WAL write: group commit, and all-or-nothing per commit because a
 * {@code WriteBatch} is atomic. Since only this thread writes, "check, then write" cannot race. Reads run on a small
 * bounded pool. Memory is bounded by the settings (one block cache holds data, index and filter blocks; memtables are
 * charged to it), not by the data size.
 */
public final class RocksStore implements Store {

  private static final Logger LOG = LoggerFactory.getLogger(RocksStore.class);

  /** Most commits written by one synced write. */
  static final int GROUP_MAX_COMMITS = 4096;

  /** What the store's META space records about its format, written when the store is created. */
  static final String LAYOUT_KEY = "layout";
  static final JsonObject LAYOUT = new JsonObject().put("format", "bucket-rocksdb").put("version", 1);

  /**
   * Engine limits.
   *
   * @param cacheBytes     the block cache: data, index and filter blocks of every space, and the memtables charged to
   *                       it
   * @param writeBufferBytes memtables of all spaces together
   * @param maxOpenFiles   table files held open (file descriptors)
   * @param readThreads    threads serving reads and scans
   * @param queueCapacity  reads, and commits, that may wait for a thread before calls fail fast
   */
  public record Settings(long cacheBytes, long writeBufferBytes, int maxOpenFiles, int readThreads, int queueCapacity) {

    public static Settings defaults() {
      return new Settings(128L << 20, 64L << 20, 512, 4, 20_000);
    }
  }

  static {
    RocksDB.loadLibrary();
  }

  private final Vertx vertx;
  private final Path dir;
  private final RocksDB db;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions;
  private final Cache cache;
  private final WriteBufferManager writeBuffers;
  private final Map<Space, ColumnFamilyHandle> handles;
  private final List<ColumnFamilyHandle> allHandles;
  private final WriteOptions syncWrite = new WriteOptions().setSync(true);
  private final BlockingQueue<PendingCommit> commits;
  private final ThreadPoolExecutor readers;
  private final Thread writer;
  private final Promise<Void> writerStopped = Promise.promise();
  private final boolean readOnly;
  private volatile boolean closed;

  private RocksStore(Vertx vertx, Path dir, Settings settings, boolean readOnly) throws RocksDBException {
    this.vertx = vertx;
    this.dir = dir;
    this.readOnly = readOnly;
    this.cache = new LRUCache(settings.cacheBytes());
    this.writeBuffers = new WriteBufferManager(settings.writeBufferBytes(), cache);
    this.dbOptions = new DBOptions()
        .setCreateIfMissing(!readOnly)
        .setCreateMissingColumnFamilies(!readOnly)
        .setMaxOpenFiles(settings.maxOpenFiles())
        .setWriteBufferManager(writeBuffers)
        .setMaxTotalWalSize(settings.writeBufferBytes() * 2)
        .setMaxBackgroundJobs(2)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(3)
        .setAtomicFlush(true);
    this.cfOptions = new ArrayList<>();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions(settings)));
    for (Space space : Space.values()) {
      descriptors.add(new ColumnFamilyDescriptor(space.storeName().getBytes(StandardCharsets.UTF_8),
          columnOptions(settings)));
    }
    this.allHandles = new ArrayList<>();
    this.db = readOnly ? RocksDB.openReadOnly(dbOptions, dir.toString(), descriptors, allHandles)
        : RocksDB.open(dbOptions, dir.toString(), descriptors, allHandles);
    this.handles = new EnumMap<>(Space.class);
    for (Space space : Space.values()) {
      handles.put(space, allHandles.get(space.ordinal() + 1));
    }
    this.commits = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.readers = new ThreadPoolExecutor(settings.readThreads(), settings.readThreads(), 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(settings.queueCapacity()), daemon("bucket-store-reader"));
    this.writer = daemon("bucket-store-writer").newThread(this::writeLoop);
  }

  private ColumnFamilyOptions columnOptions(Settings settings) {
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(cache)
        .setFilterPolicy(new BloomFilter(10, false))
        .setCacheIndexAndFilterBlocks(true)
        .setPinL0FilterAndIndexBlocksInCache(true)
        .setBlockSize(16 * 1024);
    // LZ4 while data is young and rewritten by compaction, ZSTD where it settles for years.
    ColumnFamilyOptions options = new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true)
        .setWriteBufferSize(Math.max(4L << 20, settings.writeBufferBytes() / 4));
    cfOptions.add(options);
    return options;
  }

  /** Opens (creating if needed) the store in {@code dir} on a worker thread. */
  public static Future<RocksStore> open(Vertx vertx, Path dir, Settings settings) {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(dir);
      RocksStore store = new RocksStore(vertx, dir, settings, false);
      store.checkLayout();
      store.writer.start();
      LOG.debug("embedded store (RocksDB {}) open in {}", RocksDB.rocksdbVersion(), dir);
      return store;
    });
  }

  /**
   * Opens the store in {@code dir} without writing to it, for offline checks of a stopped gateway's data or of a
   * backup. It sees every commit that was durable when its writer stopped (the write-ahead log is replayed in memory,
   * never onto disk); {@link #commit} fails. The directory must hold a store of this layout.
   */
  public static Future<RocksStore> openReadOnly(Vertx vertx, Path dir, Settings settings) {
    return vertx.executeBlocking(() -> {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(dir + " is not a directory");
      }
      RocksStore store = new RocksStore(vertx, dir, settings, true);
      store.checkLayout();
      store.writerStopped.complete();
      return store;
    });
  }

  /** Records the layout in a new store, or checks the one recorded; releases the engine when it does not fit. */
  private void checkLayout() throws RocksDBException {
    try {
      recordLayout();
    } catch (RuntimeException | RocksDBException e) {
      release();
      throw e;
    }
  }

  private void recordLayout() throws RocksDBException {
    byte[] key = LAYOUT_KEY.getBytes(StandardCharsets.UTF_8);
    byte[] stored = db.get(handles.get(Space.META), key);
    if (stored == null && readOnly) {
      throw new IllegalStateException(dir + " holds no Bucket store (no layout record)");
    }
    if (stored == null) {
      db.put(handles.get(Space.META), syncWrite, key, encode(LAYOUT));
    } else if (!LAYOUT.equals(decode(stored))) {
      throw new IllegalStateException("the store in " + dir + " has layout " + decode(stored).encode()
          + ", this version reads " + LAYOUT.encode());
    }
  }

  @Override
  public Future<Void> commit(Batch batch) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    if (closed || readOnly) {
      return Future.failedFuture(new StoreUnavailableException(readOnly ? "the store is open read-only"
          : "the store is closed"));
    }
    Answer<Void> answer = new Answer<>(context());
    // Keys and values are encoded here, on the caller's thread, so the one writer thread only checks and writes.
    if (!commits.offer(new PendingCommit(Encoded.of(batch), answer))) {
      return Future.failedFuture(new StoreUnavailableException("the store's commit queue is full"));
    }
    return answer.future();
  }

  @Override
  public Future<JsonObject> get(Space space, String key) {
    return read(() -> {
      byte[] value = db.get(handles.get(space), bytes(key));
      return value == null ? null : decode(value);
    });
  }

  @Override
  public Future<Map<String, JsonObject>> getAll(Space space, Collection<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<String> ordered = List.copyOf(keys);
    return read(() -> {
      ColumnFamilyHandle handle = handles.get(space);
      List<ColumnFamilyHandle> column = new ArrayList<>(ordered.size());
      List<byte[]> raw = new ArrayList<>(ordered.size());
      for (String key : ordered) {
        column.add(handle);
        raw.add(bytes(key));
      }
      List<byte[]> values = db.multiGetAsList(column, raw);
      Map<String, JsonObject> found = new LinkedHashMap<>();
      for (int i = 0; i < ordered.size(); i++) {
        if (values.get(i) != null) {
          found.put(ordered.get(i), decode(values.get(i)));
        }
      }
      return found;
    });
  }

  @Override
  public Future<List<KeyValue>> scan(Space space, String from, String to, int limit, boolean reverse) {
    if (limit < 1) {
      return Future.failedFuture(new IllegalArgumentException("limit must be positive, was " + limit));
    }
    byte[] lower = from == null ? null : bytes(from);
    byte[] upper = to == null ? null : bytes(to);
    return read(() -> {
      List<KeyValue> page = new ArrayList<>(Math.min(limit, 1024));
      try (ReadOptions options = new ReadOptions().setFillCache(true);
           RocksIterator it = db.newIterator(handles.get(space), options)) {
        if (reverse) {
          if (upper == null) {
            it.seekToLast();
          } else {
            it.seekForPrev(upper);
            if (it.isValid() && Arrays.compareUnsigned(it.key(), upper) >= 0) {
              it.prev();
            }
          }
        } else if (lower == null) {
          it.seekToFirst();
        } else {
          it.seek(lower);
        }
        while (it.isValid() && page.size() < limit) {
          byte[] key = it.key();
          if (reverse ? lower != null && Arrays.compareUnsigned(key, lower) < 0
              : upper != null && Arrays.compareUnsigned(key, upper) >= 0) {
            break;
          }
          page.add(new KeyValue(new String(key, StandardCharsets.UTF_8), decode(it.value())));
          if (reverse) {
            it.prev();
          } else {
            it.next();
          }
        }
        it.status();
      }
      return page;
    });
  }

  @Override
  public Future<Void> backup(Path target) {
    return read(() -> {
      if (Files.exists(target)) {
        throw new IllegalArgumentException("backup target exists: " + target);
      }
      try (Checkpoint checkpoint = Checkpoint.create(db)) {
        checkpoint.createCheckpoint(target.toString());
      }
      return null;
    });
  }

  @Override
  public Future<Void> ping() {
    return read(() -> {
      db.get(handles.get(Space.META), bytes(LAYOUT_KEY));
      return null;
    });
  }

  @Override
  public String mode() {
    return "embedded";
  }

  /** Where the engine keeps its files. */
  public Path directory() {
    return dir;
  }

  @Override
  public Future<Void> close() {
    if (closed) {
      return writerStopped.future();
    }
    closed = true;
    writer.interrupt();
    return writerStopped.future().compose(v -> vertx.executeBlocking(() -> {
      readers.shutdown();
      if (!readers.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("store readers still busy after 10 s; closing anyway");
      }
      if (!readOnly) {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
          db.flush(flush, allHandles);
        } catch (RocksDBException e) {
          LOG.warn("store flush on close failed (the WAL still holds every commit): {}", e.getMessage());
        }
      }
      release();
      LOG.debug("embedded store closed");
      return null;
    }));
  }

  private void release() {
    allHandles.forEach(ColumnFamilyHandle::close);
    db.close();
    syncWrite.close();
    dbOptions.close();
    cfOptions.forEach(ColumnFamilyOptions::close);
    writeBuffers.close();
    cache.close();
  }

  /** Runs {@code action} on the read pool; fails fast when the pool's queue is full. */
  private <T> Future<T> read(Callable<T> action) {
    if (closed) {
      return Future.failedFuture(new StoreUnavailableException("the store is closed"));
    }
    Answer<T> answer = new Answer<>(context());
    try {
      readers.execute(() -> {
        try {
          answer.complete(action.call());
        } catch (Throwable e) {
          answer.fail(translate(e));
        }
      });
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(new StoreUnavailableException("the store's read queue is full"));
    }
    return answer.future();
  }

  private Context context() {
    Context current = Vertx.currentContext();
    return current != null ? current : vertx.getOrCreateContext();
  }

  // ---- the writer thread ----

  private void writeLoop() {
    List<PendingCommit> group = new ArrayList<>();
    try {
      while (true) {
        PendingCommit first;
        try {
          first = closed ? commits.poll() : commits.take();
        } catch (InterruptedException e) {
          continue; // closed was set: drain what is queued, then stop
        }
        if (first == null) {
          break;
        }
        group.clear();
        group.add(first);
        commits.drainTo(group, GROUP_MAX_COMMITS - 1);
        writeGroup(group);
      }
    } catch (Throwable e) {
      LOG.error("store writer stopped", e);
      failQueued(e);
    } finally {
      Thread.interrupted();
      // A commit offered while close() ran may have missed the drain.
      failQueued(new IllegalStateException("closed"));
      writerStopped.tryComplete();
    }
  }

  private void failQueued(Throwable cause) {
    List<PendingCommit> left = new ArrayList<>();
    commits.drainTo(left);
    left.forEach(pending -> pending.answer.fail(new StoreUnavailableException("the store writer stopped", cause)));
  }

  /**
   * Writes every commit of {@code group} that has no conflict, as one synced write. A conflict is answered only after
   * that write: its loser may read the winning key at once, and if the write fails the loser fails with it (what it
   * conflicted with may be gone).
   */
  private void writeGroup(List<PendingCommit> group) {
    GroupView view = new GroupView();
    List<PendingCommit> accepted = new ArrayList<>(group.size());
    Map<PendingCommit, RuntimeException> refused = new LinkedHashMap<>();
    try (WriteBatch batch = new WriteBatch()) {
      for (PendingCommit pending : group) {
        try {
          Map<SpaceKey, byte[]> writes = view.stage(pending.ops);
          for (Map.Entry<SpaceKey, byte[]> write : writes.entrySet()) {
            ColumnFamilyHandle handle = handles.get(write.getKey().space());
            if (write.getValue() == GroupView.DELETED) {
              batch.delete(handle, write.getKey().key());
            } else {
              batch.put(handle, write.getKey().key(), write.getValue());
            }
          }
          accepted.add(pending);
        } catch (KeyConflictException | IllegalArgumentException e) {
          refused.put(pending, e);
        }
      }
      if (!accepted.isEmpty()) {
        db.write(syncWrite, batch);
      }
      accepted.forEach(pending -> pending.answer.complete(null));
      refused.forEach((pending, e) -> pending.answer.fail(e));
    } catch (Throwable e) {
      Throwable failure = translate(e);
      LOG.error("store commit of {} batches failed: {}", accepted.size(), failure.getMessage());
      accepted.forEach(pending -> pending.answer.fail(failure));
      refused.keySet().forEach(pending -> pending.answer.fail(failure));
    }
  }

  private Throwable translate(Throwable e) {
    if (e instanceof RocksDBException rocks) {
      Status status = rocks.getStatus();
      String what = status == null ? rocks.getMessage() : status.getCodeString() + ": " + rocks.getMessage();
      if (status != null && status.getSubCode() == Status.SubCode.NoSpace) {
        return new StoreFullException(what, rocks);
      }
      return new StoreUnavailableException("embedded store: " + what, rocks);
    }
    return e;
  }

  /**
   * The store as the commits staged so far in one group see it: the database plus their writes. A commit is staged
   * whole or not at all, so a conflicting commit leaves no trace in the group.
   */
  private final class GroupView {
    static final byte[] DELETED = new byte[0];
    private final Map<SpaceKey, byte[]> staged = new HashMap<>();

    /** The writes of {@code batch} (last write per key wins), or a conflict; adds them to the view. */
    Map<SpaceKey, byte[]> stage(List<Encoded> ops) throws RocksDBException {
      Map<SpaceKey, byte[]> writes = new LinkedHashMap<>();
      for (Encoded op : ops) {
        SpaceKey key = op.key();
        switch (op.kind()) {
          case INSERT -> {
            if (current(key, writes) != null) {
              throw new KeyConflictException(key.space(), new String(key.key(), StandardCharsets.UTF_8));
            }
            writes.put(key, op.value());
          }
          case PUT -> writes.put(key, op.value());
          case DELETE -> writes.put(key, DELETED);
          case INCREMENT -> {
            byte[] stored = current(key, writes);
            JsonObject counter = stored == null ? new JsonObject() : decode(stored);
            for (String field : op.deltas().fieldNames()) {
              counter.put(field, counter.getLong(field, 0L) + op.deltas().getLong(field));
            }
            writes.put(key, encode(counter));
          }
          default -> throw new IllegalStateException("unknown op " + op.kind());
        }
      }
      staged.putAll(writes);
      return writes;
    }

    private byte[] current(SpaceKey key, Map<SpaceKey, byte[]> writes) throws RocksDBException {
      byte[] value = writes.containsKey(key) ? writes.get(key) : staged.get(key);
      if (value == null) {
        ColumnFamilyHandle handle = handles.get(key.space());
        // Most inserts are of new keys: the memtables and bloom filters usually rule the key out without a read.
        value = db.keyMayExist(handle, key.key(), null) ? db.get(handle, key.key()) : null;
      }
      return value == DELETED ? null : value;
    }
  }

  /** A key of one space, with byte-wise equality. */
  private record SpaceKey(Space space, byte[] key) {
    @Override
    public boolean equals(Object other) {
      return other instanceof SpaceKey that && space == that.space && Arrays.equals(key, that.key);
    }

    @Override
    public int hashCode() {
      return space.hashCode() * 31 + Arrays.hashCode(key);
    }
  }

  private record PendingCommit(List<Encoded> ops, Answer<Void> answer) {
  }

  /** One operation with its key and value already encoded; counter deltas stay JSON for the writer to add. */
  private record Encoded(Batch.Kind kind, SpaceKey key, byte[] value, JsonObject deltas) {

    static List<Encoded> of(Batch batch) {
      List<Encoded> ops = new ArrayList<>(batch.size());
      for (Batch.Op op : batch.ops()) {
        SpaceKey key = new SpaceKey(op.space(), bytes(op.key()));
        ops.add(switch (op.kind()) {
          case INSERT, PUT -> new Encoded(op.kind(), key, encode(op.value()), null);
          case DELETE -> new Encoded(op.kind(), key, null, null);
          case INCREMENT -> new Encoded(op.kind(), key, null, op.value());
        });
      }
      return ops;
    }
  }

  /** A result computed on a store thread, delivered on the caller's context. */
  private static final class Answer<T> {
    private final Context context;
    private final Promise<T> promise = Promise.promise();

    Answer(Context context) {
      this.context = context;
    }

    void complete(T value) {
      context.runOnContext(v -> promise.complete(value));
    }

    void fail(Throwable cause) {
      context.runOnContext(v -> promise.fail(cause));
    }

    Future<T> future() {
      return promise.future();
    }
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] encode(JsonObject value) {
    return value.toBuffer().getBytes();
  }

  private static JsonObject decode(byte[] value) {
    return new JsonObject(Buffer.buffer(value));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
