package dev.bucket.gate;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict, streaming {@code multipart/form-data} reader (RFC 7578 over RFC 2046 §5.1.1), fed the request body chunk
 * by chunk: every part's bytes are passed on exactly as sent, held back only while they could be the start of the
 * next delimiter. Netty's decoder is lenient where Bucket must not be: it decodes a part that is itself
 * {@code multipart/mixed} into its inner parts, takes parts without {@code Content-Disposition}, and cannot say at
 * the end of the body whether the closing delimiter ever came. This reader refuses all of that, and transfer
 * encodings other than identity, with a 400 that says what was wrong.
 */
final class MultipartParser {

  /** What a body holds, in order: each part's headers, its bytes, its end. */
  interface Parts {
    void begin(Part part);

    void data(Buffer bytes);

    void end();
  }

  /** A part's headers: its form field name, and its media type ({@code application/octet-stream} if none). */
  record Part(String name, String contentType) {
  }

  /** Largest header section of one part: a few short lines in practice. */
  static final int MAX_HEADER_BYTES = 8 * 1024;

  private static final Pattern BOUNDARY = Pattern.compile("[0-9A-Za-z'()+_,./:=? -]{0,69}[0-9A-Za-z'()+_,./:=?-]");
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};
  /** Encodings that leave the bytes as they are; RFC 7578 §4.7 deprecates the header altogether. */
  private static final Set<String> IDENTITY_ENCODINGS = Set.of("binary", "8bit", "7bit");

  private enum State { FIRST_DELIMITER, AFTER_DELIMITER, HEADERS, BODY, DONE }

  private final String boundary;
  /** {@code CRLF "--" boundary}: what ends a part's bytes. */
  private final byte[] delimiter;
  private final Parts parts;
  private State state = State.FIRST_DELIMITER;
  private byte[] pending = new byte[0];

  private MultipartParser(String boundary, Parts parts) {
    this.boundary = boundary;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    this.parts = parts;
  }

  /** A reader for a request of media type {@code contentType}; refuses one without a valid boundary. */
  static MultipartParser of(HeaderValue contentType, Parts parts) {
    String boundary = contentType.parameter("boundary");
    if (boundary == null || !BOUNDARY.matcher(boundary).matches()) {
      throw Requests.invalid("multipart/form-data needs a boundary parameter of 1 to 70 characters from RFC 2046's "
          + "set (letters, digits, '()+_,-./:=? and inner spaces), got " + (boundary == null ? "none"
          : "'" + boundary + "'"));
    }
    return new MultipartParser(boundary, parts);
  }

  /** Reads the next chunk of the body; throws {@link ApiException} (400) at the first malformed byte. */
  void feed(Buffer chunk) {
    byte[] data = pending.length == 0 ? chunk.getBytes() : concat(pending, chunk.getBytes());
    int at = 0;
    while (at < data.length) {
      int next = step(data, at);
      if (next < 0) {
        break; // needs more bytes
      }
      at = next;
    }
    pending = state == State.DONE ? new byte[0] : Arrays.copyOfRange(data, at, data.length);
  }

  /** The body has ended: it must have ended with the closing delimiter. */
  void finish() {
    if (state != State.DONE) {
      throw Requests.invalid("the multipart body ended without its closing delimiter --" + boundary + "--"
          + (state == State.BODY ? " (the last part is incomplete)" : ""));
    }
  }

  /** One step from {@code at}: the new position, or -1 when the bytes there are not enough to decide. */
  private int step(byte[] data, int at) {
    return switch (state) {
      case FIRST_DELIMITER -> firstDelimiter(data, at);
      case AFTER_DELIMITER -> afterDelimiter(data, at);
      case HEADERS -> headers(data, at);
      case BODY -> body(data, at);
      case DONE -> data.length; // the epilogue, which RFC 2046 says to ignore
    };
  }

  private int firstDelimiter(byte[] data, int at) {
    // The body starts with the delimiter line: the delimiter without its leading CRLF.
    int length = delimiter.length - 2;
    if (data.length - at < length) {
      return startsWith(data, at, delimiter, 2, data.length - at) ? -1 : refuseStart();
    }
    if (!startsWith(data, at, delimiter, 2, length)) {
      return refuseStart();
    }
    state = State.AFTER_DELIMITER;
    return at + length;
  }

  private int refuseStart() {
    throw Requests.invalid("the multipart body must begin with --" + boundary);
  }

  private int afterDelimiter(byte[] data, int at) {
    int i = at;
    while (i < data.length && (data[i] == ' ' || data[i] == '\t')) {
      i++; // transport padding
    }
    if (data.length - i < 2) {
      return i - at > 64 ? refuseDelimiter() : -1;
    }
    if (i == at && data[i] == '-' && data[i + 1] == '-') {
      state = State.DONE;
      return i + 2;
    }
    if (data[i] != '\r' || data[i + 1] != '\n') {
      return refuseDelimiter();
    }
    state = State.HEADERS;
    return i + 2;
  }

  private int refuseDelimiter() {
    throw Requests.invalid("--" + boundary + " must be followed by a line end, or by -- to close the body (the "
        + "boundary must not occur inside a part)");
  }

  private int headers(byte[] data, int at) {
    if (data.length - at < 2) {
      return -1;
    }
    // A blank line right after the delimiter line is an empty header section (refused below: no disposition).
    int end = data[at] == '\r' && data[at + 1] == '\n' ? at : indexOf(data, HEADERS_END, at);
    if (end < 0 ? data.length - at > MAX_HEADER_BYTES : end - at > MAX_HEADER_BYTES) {
      throw Requests.invalid("a part's headers exceed " + MAX_HEADER_BYTES + " bytes");
    }
    if (end < 0) {
      return -1;
    }
    parts.begin(part(new String(data, at, end - at, StandardCharsets.UTF_8)));
    state = State.BODY;
    return end == at ? at + CRLF.length : end + HEADERS_END.length;
  }

  private Part part(String section) {
    Map<String, String> headers = new HashMap<>();
    for (String line : section.isEmpty() ? new String[0] : section.split("\r\n", -1)) {
      int colon = line.indexOf(':');
      if (colon <= 0 || line.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)
          || Character.isWhitespace(line.charAt(0))) {
        throw Requests.invalid("a part's header line is malformed: '" + printable(line) + "'");
      }
      if (headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim())
          != null) {
        throw Requests.invalid("a part repeats its " + line.substring(0, colon).trim() + " header");
      }
    }
    String disposition = headers.get("content-disposition");
    if (disposition == null) {
      throw Requests.invalid("every part needs Content-Disposition: form-data; name=\"...\"");
    }
    String encoding = headers.get("content-transfer-encoding");
    if (encoding != null && !IDENTITY_ENCODINGS.contains(encoding.toLowerCase(Locale.ROOT))) {
      throw Requests.invalid("Content-Transfer-Encoding '" + printable(encoding) + "' is not supported: send the "
          + "part's bytes as they are (RFC 7578 §4.7)");
    }
    try {
      HeaderValue form = HeaderValue.parse(disposition);
      if (!form.is("form-data") || form.parameter("name") == null || form.parameter("name").isEmpty()) {
        throw Requests.invalid("every part needs Content-Disposition: form-data; name=\"...\", got '"
            + printable(disposition) + "'");
      }
      String type = headers.get("content-type");
      if (type == null) {
        return new Part(form.parameter("name"), "application/octet-stream");
      }
      if (HeaderValue.mediaType(type).isType("multipart")) {
        throw Requests.invalid("part '" + form.parameter("name") + "' is itself " + printable(type) + "; nested "
            + "multipart bodies are not unpacked (send the payload's own bytes)");
      }
      return new Part(form.parameter("name"), type);
    } catch (IllegalArgumentException e) {
      throw Requests.invalid("a part's header is malformed: " + e.getMessage());
    }
  }

  private int body(byte[] data, int at) {
    int end = indexOf(data, delimiter, at);
    if (end < 0) {
      // Everything but a tail that could begin the delimiter is the part's.
      int safe = Math.max(at, data.length - (delimiter.length - 1));
      emit(data, at, safe);
      return safe == at ? -1 : safe;
    }
    emit(data, at, end);
    parts.end();
    state = State.AFTER_DELIMITER;
    return end + delimiter.length;
  }

  private void emit(byte[] data, int from, int to) {
    if (to > from) {
      parts.data(Buffer.buffer(Arrays.copyOfRange(data, from, to)));
    }
  }

  private static String printable(String text) {
    String shown = text.length() > 80 ? text.substring(0, 80) + "…" : text;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }

  private static boolean startsWith(byte[] data, int at, byte[] prefix, int prefixFrom, int length) {
    for (int i = 0; i < length; i++) {
      if (data[at + i] != prefix[prefixFrom + i]) {
        return false;
      }
    }
    return true;
  }

  /** First index of {@code needle} in {@code data} from {@code from}, or -1. */
  private static int indexOf(byte[] data, byte[] needle, int from) {
    byte first = needle[0];
    int last = data.length - needle.length;
    for (int i = from; i <= last; i++) {
      if (data[i] == first && startsWith(data, i, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
