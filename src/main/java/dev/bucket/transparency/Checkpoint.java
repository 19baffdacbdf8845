package dev.bucket.transparency;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The note text of a C2SP {@code tlog-checkpoint}: the origin line, the tree size in decimal, the base64 RFC 9162
 * root hash, then optional non-empty extension lines, each line ending in a newline. Sign {@link #body()} with
 * {@link NoteSigner#sign}; parse the text {@link NoteVerifier#open} returns with {@link #parse}.
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensions) {

  public Checkpoint {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(rootHash, "rootHash");
    Objects.requireNonNull(extensions, "extensions");
    requireLine("origin", origin);
    if (size < 0) {
      throw new IllegalArgumentException("checkpoint tree size must not be negative: " + size);
    }
    if (rootHash.length != MerkleHash.SIZE) {
      throw new IllegalArgumentException("checkpoint root hash must be " + MerkleHash.SIZE + " bytes, got "
          + rootHash.length);
    }
    rootHash = rootHash.clone();
    extensions = List.copyOf(extensions);
    for (String extension : extensions) {
      requireLine("extension line", extension);
    }
  }

  public Checkpoint(String origin, long size, byte[] rootHash) {
    this(origin, size, rootHash, List.of());
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** The exact note text, ending in a newline. */
  public String body() {
    StringBuilder body = new StringBuilder()
        .append(origin).append('\n')
        .append(size).append('\n')
        .append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
    extensions.forEach(line -> body.append(line).append('\n'));
    return body.toString();
  }

  /**
   * Parses checkpoint note text strictly: at least three lines, each ending in a newline and non-empty; a size in
   * canonical decimal (no sign, no leading zeros); a root hash in canonical padded base64 of 32 bytes.
   *
   * @throws IllegalArgumentException naming what is malformed
   */
  public static Checkpoint parse(String body) {
    Objects.requireNonNull(body, "body");
    if (!body.endsWith("\n")) {
      throw new IllegalArgumentException("checkpoint text must end with a newline");
    }
    List<String> lines = Arrays.asList(body.substring(0, body.length() - 1).split("\n", -1));
    if (lines.size() < 3) {
      throw new IllegalArgumentException("checkpoint text needs at least 3 lines (origin, size, root hash), got "
          + lines.size());
    }
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isEmpty()) {
        throw new IllegalArgumentException("checkpoint line " + (i + 1) + " is empty");
      }
    }
    long size = parseSize(lines.get(1));
    byte[] root = parseRoot(lines.get(2));
    return new Checkpoint(lines.get(0), size, root, lines.subList(3, lines.size()));
  }

  private static long parseSize(String line) {
    boolean digits = line.chars().allMatch(c -> c >= '0' && c <= '9');
    if (!digits || (line.length() > 1 && line.charAt(0) == '0')) {
      throw new IllegalArgumentException("checkpoint tree size must be decimal digits without leading zeros: \""
          + line + "\"");
    }
    try {
      return Long.parseLong(line);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("checkpoint tree size is too large: " + line, e);
    }
  }

  private static byte[] parseRoot(String line) {
    byte[] root;
    try {
      root = Base64.getDecoder().decode(line);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("checkpoint root hash is not base64: \"" + line + "\"", e);
    }
    // The decoder tolerates missing padding and stray low bits; one hash has exactly one standard encoding.
    if (!Base64.getEncoder().encodeToString(root).equals(line)) {
      throw new IllegalArgumentException("checkpoint root hash is not canonical padded base64: \"" + line + "\"");
    }
    if (root.length != MerkleHash.SIZE) {
      throw new IllegalArgumentException("checkpoint root hash must be " + MerkleHash.SIZE + " bytes, got "
          + root.length);
    }
    return root;
  }

  private static void requireLine(String what, String line) {
    if (line.isEmpty()) {
      throw new IllegalArgumentException("checkpoint " + what + " must not be empty");
    }
    // Signed notes admit no control characters but the newlines that separate lines.
    if (line.chars().anyMatch(c -> c < 0x20)) {
      throw new IllegalArgumentException("checkpoint " + what + " must not contain newlines or control characters");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Checkpoint that && origin.equals(that.origin) && size == that.size
        && Arrays.equals(rootHash, that.rootHash) && extensions.equals(that.extensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, size, Arrays.hashCode(rootHash), extensions);
  }

  @Override
  public String toString() {
    return "Checkpoint[origin=" + origin + ", size=" + size + ", rootHash="
        + Base64.getEncoder().encodeToString(rootHash) + ", extensions=" + extensions + "]";
  }
}
