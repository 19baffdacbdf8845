package dev.bucket.transparency;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint signing key: a C2SP signer key string in a file readable by the owner only. Generated on first
 * start; its public half is published, the file itself never leaves the node and is never logged.
 */
public final class SigningKeys {

  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);

  private SigningKeys() {
  }

  /** Loads the key at {@code path}, or creates one named {@code origin} there (mode 0600) if there is none. */
  public static NoteSigner loadOrCreate(Path path, String origin) throws IOException {
    if (!Files.exists(path)) {
      NoteSigner created = NoteSigner.generate(origin);
      Files.createDirectories(path.toAbsolutePath().getParent());
      try {
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(path, created.signerKey() + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE);
        LOG.debug("created the log signing key {}; verifier key: {}", path, created.verifier().verifierKey());
        return created;
      } catch (FileAlreadyExistsException raced) {
        // another process created it first: use theirs
      }
    }
    NoteSigner signer = NoteSigner.fromSignerKey(Files.readString(path, StandardCharsets.UTF_8).strip());
    if (!signer.name().equals(origin)) {
      throw new IllegalStateException("the signing key in " + path + " is for '" + signer.name()
          + "', not for the configured log origin '" + origin + "'");
    }
    return signer;
  }
}
