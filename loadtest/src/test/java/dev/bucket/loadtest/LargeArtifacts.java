package dev.bucket.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.RawFileBodyPart;
import static io.gatling.javaapi.http.HttpDsl.StringBodyPart;
import static io.gatling.javaapi.http.HttpDsl.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Large binary artifacts streamed concurrently: {@code large.count} uploads (default 8) of {@code large.mb} MiB
 * each (default 100), all started at once, as {@code multipart/form-data} with the metadata part first (so it is
 * validated before any payload byte is stored) and the payload part streamed by Gatling from a generated file.
 * Each file has its own content, so no upload is deduplicated into another.
 *
 * <p>Claims: every upload answered 201 with the right size, the slowest within {@code large.maxSeconds} (default
 * 300). Printed: aggregate MB/s and the gateway's resident memory before and at its peak.
 */
public class LargeArtifacts extends BucketSimulation {

  private static final String FILE = "lt.file";
  private static final String META = "lt.meta";

  private final int count = parameter("large.count", Settings.integer("large.count", 8));
  private final int megabytes = parameter("large.mb", Settings.integer("large.mb", 100));
  private final int maxSeconds = parameter("large.maxSeconds", Settings.integer("large.maxSeconds", 300));
  private final long bytes = megabytes * 1024L * 1024L;
  private final List<Path> files = new ArrayList<>();
  private final AtomicLong firstSent = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastDone = new AtomicLong();
  private final AtomicLong next = new AtomicLong();
  private Path folder;

  public LargeArtifacts() {
    if (count < 1 || megabytes < 1) {
      throw new IllegalArgumentException("large.count and large.mb must be ≥ 1");
    }
    Tally tally = tally(new Tally("upload", Window.single("large"), Set.of(201)));
    var upload = http(tally::requestName).post(Product.AI_AVATAR.artifactsPath())
        .header("Authorization", s -> "Bearer " + fixture.key(Product.AI_AVATAR))
        .bodyPart(StringBodyPart("metadata", s -> s.getString(META)).contentType("application/json")
            .fileName("metadata.json"))
        .bodyPart(RawFileBodyPart("payload", s -> s.getString(FILE)).contentType("application/octet-stream")
            .fileName("payload.bin"))
        .asMultipartForm()
        .requestTimeout(Duration.ofSeconds(maxSeconds + 60L));
    setUp(scenario("large uploads")
        .exec(session -> {
          long n = next.getAndIncrement();
          firstSent.accumulateAndGet(System.currentTimeMillis(), Math::min);
          return tally.stamp(session).set(FILE, files.get((int) (n % files.size())).toString())
              .set(META, "{\"artifact_class\":\"model_checkpoint\",\"metadata\":"
                  + Product.AI_AVATAR.metadataJson(n) + "}");
        })
        .exec(Load.checked(upload, false, 201).check(jsonPath("$.size").ofLong().is(bytes)))
        .exec(session -> {
          lastDone.accumulateAndGet(System.currentTimeMillis(), Math::max);
          return tally.record(session);
        })
        .injectOpen(atOnceUsers(count))
        .andThen(verdict()))
        .protocols(protocol(gateway.baseUrl))
        .assertions(Stream.concat(Stream.of(global().failedRequests().count().is(0L),
            global().responseTime().max().lte(maxSeconds * 1000)), verdictAssertions().stream()).toList())
        .maxDuration(Duration.ofSeconds(maxSeconds + 180L));
    claimAllAccepted(tally, 0);
    claim("upload: slowest upload ≤ " + maxSeconds + " s", () -> {
      long max = tally.accepted(0).max();
      return max < 0 ? "no upload accepted" : max <= maxSeconds * 1000L ? null : "slowest took " + max + " ms";
    });
  }

  @Override
  protected void prepare() {
    fixture.approve(List.of(Product.AI_AVATAR));
    long started = System.nanoTime();
    try {
      folder = Files.createTempDirectory("bucket-loadtest-large-");
      ByteBuffer block = ByteBuffer.allocate(1 << 20);
      for (int i = 0; i < count; i++) {
        Path file = folder.resolve("payload-" + i + ".bin");
        SplittableRandom random = new SplittableRandom(System.nanoTime() ^ i);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          for (long written = 0; written < bytes; ) {
            block.clear();
            while (block.remaining() >= Long.BYTES) {
              block.putLong(random.nextLong());
            }
            block.flip();
            block.limit((int) Math.min(block.limit(), bytes - written));
            while (block.hasRemaining()) {
              written += out.write(block);
            }
          }
        }
        files.add(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not generate the upload files", e);
    }
    System.out.printf("[loadtest] generated %d payload files of %d MiB in %s (%.1f s)%n", count, megabytes, folder,
        (System.nanoTime() - started) / 1e9);
  }

  @Override
  protected List<String> extraSummary() {
    long elapsed = lastDone.get() - firstSent.get();
    if (elapsed <= 0) {
      return List.of("no upload completed");
    }
    double mib = (double) count * bytes / (1 << 20);
    return List.of(String.format("%d × %d MiB uploaded in %.1f s: %.1f MiB/s in aggregate", count, megabytes,
        elapsed / 1000.0, mib * 1000 / elapsed));
  }

  @Override
  public void after() {
    try {
      super.after();
    } finally {
      Gateway.deleteTree(folder);
    }
  }
}
