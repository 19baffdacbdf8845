package dev.bucket.gate;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

class FilesystemArtifactApiTest extends ArtifactApiContract {

  @Override
  String payloadStore() {
    return "filesystem";
  }

  @Override
  void tamperPayload(String ref, long offset) throws Exception {
    Path file = payloadFile(node.dataDir(), ref);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int original = raf.read();
      raf.seek(offset);
      raf.write(original ^ 0xff);
    }
  }

  static Path payloadFile(Path dataDir, String ref) {
    String hex = ref.substring("sha256:".length());
    return dataDir.resolve("payloads").resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4))
        .resolve(hex);
  }
}
