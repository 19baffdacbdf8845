package dev.bucket.payload;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * Content-addressed payloads on a local filesystem: {@code root/sha256/ab/cd/abcd…}, with {@code ref} equal to the
 * content hash. Uploads stream into {@code root/tmp} and are renamed into place only once fsynced, so a final path
 * always holds complete bytes. Call {@link #cleanTemp()} once at startup before the first upload.
 *
 * <p>Because refs are content hashes, two uploads of identical bytes share one file, so {@link #discard(String)}
 * keeps the bytes: deleting them could remove the payload of a committed artifact with the same content.
 *
 * <p>{@link #purge(String)} removes a file whose every referencing version is tombstoned. The one hazard is an upload
 * of identical bytes in flight: its bytes are durable (it found the file, or renamed its own over it) but its version
 * document is not written yet, so the caller's reference check cannot see it. Every upload therefore <em>claims</em>
 * the file by setting its modification time to now, and a purge first renames the file out of its address into
 * {@code root/purging} (so later uploads recreate it instead of claiming the doomed copy), then deletes it only if the
 * last claim is older than {@code claimGrace}; otherwise it puts the file back and fails with
 * {@link PurgeDeferredException}. This is safe as long as no upload takes longer than {@code claimGrace} from storing
 * its payload to writing its version document. A crash mid-purge leaves the file in {@code purging}, and
 * {@link #cleanTemp()} puts it back: bytes that remain are safe, a later retry purges them.
 *
 * <p>Uploads must be started from the Vert.x context that delivers the source's events (the request's event loop).
 */
public final class FilesystemPayloadStore implements PayloadStore {

  private static final Pattern REF = Pattern.compile(Pattern.quote(PayloadDigest.SHA256_PREFIX) + "[0-9a-f]{64}");
  private static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r--r--");

  /**
   * How recent an upload's claim on a file must be to keep a purge from deleting it: far longer than any upload
   * takes from storing its payload to writing its version document (bounded in practice by the bus timeout).
   */
  public static final Duration DEFAULT_CLAIM_GRACE = Duration.ofHours(1);

  private final Vertx vertx;
  private final Path contentDir;
  private final Path tmpDir;
  private final Path purgingDir;
  private final Clock clock;
  private final Duration claimGrace;

  public FilesystemPayloadStore(Vertx vertx, Path root) {
    this(vertx, root, Clock.systemUTC(), DEFAULT_CLAIM_GRACE);
  }

  /** {@code clock} stamps upload claims and judges their age; see the class comment for {@code claimGrace}. */
  public FilesystemPayloadStore(Vertx vertx, Path root, Clock clock, Duration claimGrace) {
    if (claimGrace.isNegative()) {
      throw new IllegalArgumentException("claimGrace must not be negative");
    }
    this.vertx = vertx;
    // Absolute, so Vert.x never resolves these paths against the classpath or a changed working directory.
    Path absolute = root.toAbsolutePath();
    this.contentDir = absolute.resolve("sha256");
    this.tmpDir = absolute.resolve("tmp");
    this.purgingDir = absolute.resolve("purging");
    this.clock = clock;
    this.claimGrace = claimGrace;
  }

  /**
   * Creates the store's directories, deletes temp files left by a crash mid-upload and puts back files a crash left
   * half way through a purge. Run it at startup, before any upload or purge: a temp file being written at the same
   * moment would be deleted too.
   */
  public Future<Void> cleanTemp() {
    return blocking(() -> {
      ensureDirectory(contentDir);
      ensureDirectory(tmpDir);
      ensureDirectory(purgingDir);
      try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmpDir)) {
        for (Path leftover : leftovers) {
          Files.deleteIfExists(leftover);
        }
      }
      try (DirectoryStream<Path> interrupted = Files.newDirectoryStream(purgingDir)) {
        for (Path quarantined : interrupted) {
          String name = quarantined.getFileName().toString();
          int dot = name.indexOf('.');
          String ref = PayloadDigest.SHA256_PREFIX + (dot < 0 ? name : name.substring(0, dot));
          if (REF.matcher(ref).matches()) {
            restore(quarantined, pathFor(ref));
          }
        }
      }
      fsyncDirectory(purgingDir);
      return null;
    });
  }

  @Override
  public Future<StoredPayload> store(ReadStream<Buffer> source, long maxBytes) {
    PayloadDigest digest = new PayloadDigest();
    // pipe() pauses the source right away, so nothing is lost while the temp file is being opened.
    Pipe<Buffer> pipe = new DigestingStream(source, maxBytes, digest).pipe();
    Path tmp = newTempPath();
    Future<Void> written = vertx.fileSystem()
      .open(tmp.toString(), new OpenOptions().setWrite(true).setCreateNew(true))
      .onFailure(err -> pipe.close())
      // On success and on failure the pipe ends the file, which closes it once queued writes are done.
      .compose(pipe::to);
    return commit(written, tmp, digest);
  }

  @Override
  public Future<StoredPayload> store(Buffer bytes) {
    PayloadDigest digest = new PayloadDigest();
    digest.update(bytes);
    Path tmp = newTempPath();
    Future<Void> written = vertx.fileSystem().writeFile(tmp.toString(), bytes);
    return commit(written, tmp, digest);
  }

  @Override
  public Future<Void> send(String ref, long offset, long length, HttpServerResponse response) {
    return pathOf(ref).compose(path -> response.sendFile(path.toString(), offset, length)
      .recover(err -> Future.failedFuture(isNoSuchFile(err) ? new PayloadMissingException(ref) : err)));
  }

  @Override
  public Future<Buffer> read(String ref, long size) {
    return pathOf(ref).compose(path -> vertx.fileSystem().readFile(path.toString())
      .recover(err -> Future.failedFuture(isNoSuchFile(err) ? new PayloadMissingException(ref) : err)));
  }

  @Override
  public Future<IntegrityReport> verify(String ref, long size, String contentHash, List<String> chunkHashes) {
    return pathOf(ref).compose(path -> blocking(() -> {
      PayloadDigest digest = new PayloadDigest();
      try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
        ByteBuffer buffer = ByteBuffer.allocate(PayloadStore.CHUNK_SIZE);
        while (channel.read(buffer.clear()) >= 0) {
          digest.update(buffer.array(), 0, buffer.position());
        }
      } catch (NoSuchFileException e) {
        return PayloadDigest.missing(contentHash, size, chunkHashes);
      }
      return digest.compareWith(contentHash, size, chunkHashes);
    }));
  }

  @Override
  public Future<Void> discard(String ref) {
    return pathOf(ref).mapEmpty();
  }

  @Override
  public Future<Void> purge(String ref) {
    return pathOf(ref).compose(target -> blocking(() -> {
      ensureDirectory(purgingDir);
      Path quarantined = purgingDir.resolve(target.getFileName() + "." + UUID.randomUUID());
      try {
        // From here on, uploads of the same bytes no longer find this file: they write a fresh one.
        Files.move(target, quarantined, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException alreadyGone) {
        return null;
      }
      Instant claimedAt = Files.getLastModifiedTime(quarantined).toInstant();
      Instant keepUntil = claimedAt.plus(claimGrace);
      if (clock.instant().isBefore(keepUntil)) {
        restore(quarantined, target);
        throw new PurgeDeferredException(ref, claimedAt, keepUntil);
      }
      Files.delete(quarantined);
      fsyncDirectory(target.getParent());
      fsyncDirectory(purgingDir);
      return null;
    }));
  }

  @Override
  public String kind() {
    return "filesystem";
  }

  /** Where the bytes of a content hash live. */
  Path pathFor(String contentHash) {
    String hex = contentHash.substring(PayloadDigest.SHA256_PREFIX.length());
    return contentDir.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
  }

  /** Refs must be exactly a hash, which also rules out path traversal. */
  private Future<Path> pathOf(String ref) {
    if (ref == null || !REF.matcher(ref).matches()) {
      return Future.failedFuture(new IllegalArgumentException("not a filesystem payload ref: " + ref));
    }
    return Future.succeededFuture(pathFor(ref));
  }

  private Path newTempPath() {
    return tmpDir.resolve(UUID.randomUUID().toString());
  }

  /**
   * Once the temp file is complete: fsync it, make it read-only, rename it into place (or drop it if identical bytes
   * are already there) and fsync the directory so the rename survives a crash. Any failure removes the temp file.
   */
  private Future<StoredPayload> commit(Future<Void> written, Path tmp, PayloadDigest digest) {
    return written
      .compose(v -> {
        String hash = digest.finish();
        Path target = pathFor(hash);
        return blocking(() -> {
          try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
          }
          Files.setPosixFilePermissions(tmp, READ_ONLY);
          FileTime claim = FileTime.from(clock.instant());
          if (claimExisting(target, claim)) {
            Files.delete(tmp);
          } else {
            Files.setLastModifiedTime(tmp, claim);
            ensureDirectory(target.getParent());
            // A concurrent upload of the same bytes may win the race; replacing identical content is harmless.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(target.getParent());
          }
          return new StoredPayload(hash, hash, digest.size(), digest.chunkHashes());
        });
      })
      .recover(err -> blocking(() -> Files.deleteIfExists(tmp))
        .transform(cleaned -> Future.<StoredPayload>failedFuture(err)));
  }

  /**
   * Marks an existing file as just claimed by an upload (see the class comment); false when there is no file to claim
   * (absent, or being purged) or it cannot be touched, in which case the caller puts its own copy in place.
   */
  private static boolean claimExisting(Path target, FileTime claim) {
    try {
      Files.setLastModifiedTime(target, claim);
      return true;
    } catch (IOException absentOrNotOurs) {
      return false;
    }
  }

  /**
   * Puts a quarantined file back at its address unless an upload has already put identical bytes there (a hard link
   * fails rather than replace that newer copy and its fresher claim), then removes the quarantined name.
   */
  private static void restore(Path quarantined, Path target) throws IOException {
    ensureDirectory(target.getParent());
    try {
      Files.createLink(target, quarantined);
    } catch (FileAlreadyExistsException newerCopy) {
      // identical bytes are back already
    } catch (UnsupportedOperationException | IOException noLinks) {
      if (!Files.exists(target)) {
        Files.move(quarantined, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(target.getParent());
        return;
      }
    }
    Files.deleteIfExists(quarantined);
    fsyncDirectory(target.getParent());
  }

  private static boolean isNoSuchFile(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
        return true;
      }
    }
    return false;
  }

  /** Creates missing directories one level at a time, fsyncing each parent so new entries survive a crash. */
  private static void ensureDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    ensureDirectory(dir.getParent());
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException createdConcurrently) {
      return;
    }
    fsyncDirectory(dir.getParent());
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Runs file-system work on a worker thread; unordered so one slow fsync does not queue unrelated uploads. */
  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
