package dev.bucket.gate;

import java.nio.file.Files;
import java.util.stream.Stream;

class FilesystemStreamingUploadTest extends StreamingUploadContract {

  @Override
  String payloadStore() {
    return "filesystem";
  }

  /** Every file under the payload root, final or temporary. */
  @Override
  long storedObjects() throws Exception {
    try (Stream<java.nio.file.Path> files = Files.walk(node.dataDir().resolve("payloads"))) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
