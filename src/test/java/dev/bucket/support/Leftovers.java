package dev.bucket.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a request may leave behind on a test node when something leaks: writer permits in flight, upload temp files
 * under {@code payloads/tmp}, and file descriptors of this JVM (the node runs in it) still open on those files.
 */
public final class Leftovers {

  private final TestNode node;

  public Leftovers(TestNode node) {
    this.node = node;
  }

  public int writersInFlight() {
    return node.api().get("/metrics/concurrent-writes").bodyAsJsonObject().getInteger("in_flight");
  }

  public List<Path> tempFiles() {
    Path tmp = node.dataDir().resolve("payloads").resolve("tmp");
    if (!Files.isDirectory(tmp)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(tmp)) {
      return files.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Descriptors of this process open on anything under the node's {@code payloads/tmp} (Linux: /proc/self/fd). */
  public List<String> openTempDescriptors() {
    String tmp = node.dataDir().resolve("payloads").resolve("tmp").toAbsolutePath().toString();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.map(fd -> {
        try {
          return Files.readSymbolicLink(fd).toString();
        } catch (IOException | UnsupportedOperationException gone) {
          return "";
        }
      }).filter(target -> target.startsWith(tmp)).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Fails unless, within {@code limit}, no permit is held, no temp file remains and none is open. */
  public void assertNoneWithin(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      int writers = writersInFlight();
      List<Path> files = tempFiles();
      List<String> descriptors = openTempDescriptors();
      if (writers == 0 && files.isEmpty() && descriptors.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("after " + limit + ": " + writers + " writer permits in flight, temp files "
            + files + ", open descriptors " + descriptors);
      }
      Thread.sleep(50);
    }
  }
}
