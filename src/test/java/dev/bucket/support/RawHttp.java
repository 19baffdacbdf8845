package dev.bucket.support;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket to 127.0.0.1, for requests no HTTP client would send (broken framing, bad versions,
 * duplicate headers) and for clients that stall: bytes go out exactly as given, and whatever comes back is read.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  public RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
  }

  /** One request on a fresh connection: sends {@code bytes}, reads the first response or up to the close. */
  public static Response exchange(int port, byte[] bytes, Duration timeout) throws IOException {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(bytes);
      return raw.response(timeout);
    }
  }

  public static Response exchange(int port, String text, Duration timeout) throws IOException {
    return exchange(port, text.getBytes(StandardCharsets.ISO_8859_1), timeout);
  }

  /** Sends bytes; a connection the server already closed is not an error here, the answer (or none) tells. */
  public RawHttp send(byte[] bytes) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException closedByServer) {
      // the server may refuse and close before the client has sent everything
    }
    return this;
  }

  public RawHttp send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * The first complete response (by Content-Length), or what arrived before the server closed the connection or
   * {@code timeout} passed; {@link Response#status()} is 0 when no status line came.
   */
  public Response response(Duration timeout) throws IOException {
    return response(timeout, false);
  }

  /** As {@link #response(Duration)}; {@code toHead}: the answer to a HEAD request, whose body never comes. */
  public Response response(Duration timeout, boolean toHead) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    boolean closed = false;
    while (Response.complete(received.toByteArray(), toHead) == null) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        break;
      }
      socket.setSoTimeout((int) Math.max(1, left));
      int n;
      try {
        n = in.read(buffer);
      } catch (SocketTimeoutException e) {
        break;
      } catch (IOException reset) {
        closed = true;
        break;
      }
      if (n < 0) {
        closed = true;
        break;
      }
      received.write(buffer, 0, n);
    }
    Response complete = Response.complete(received.toByteArray(), toHead);
    return complete != null ? complete : Response.partial(received.toByteArray(), closed);
  }

  /** True once the server has closed the connection (waits at most {@code timeout}). */
  public boolean closedWithin(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return true;
        }
        received.write(buffer, 0, n);
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException reset) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A response as read off the wire; header names lower-cased. */
  public record Response(int status, Map<String, String> headers, String body, boolean closed) {

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public JsonObject json() {
      return new JsonObject(body);
    }

    public boolean isProblem() {
      return "application/problem+json".equals(header("content-type"));
    }

    static Response complete(byte[] bytes, boolean toHead) {
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        return null;
      }
      Response head = head(text.substring(0, end), "", false);
      String length = head.header("content-length");
      int bodyLength = length == null || toHead ? 0 : Integer.parseInt(length.trim());
      if (text.length() - end - 4 < bodyLength) {
        return null;
      }
      String body = new String(bytes, end + 4, bodyLength, StandardCharsets.UTF_8);
      return new Response(head.status(), head.headers(), body, false);
    }

    static Response partial(byte[] bytes, boolean closed) {
      String text = new String(bytes, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      return end < 0 ? new Response(0, Map.of(), text, closed)
          : head(text.substring(0, end), text.substring(end + 4), closed);
    }

    private static Response head(String head, String body, boolean closed) {
      String[] lines = head.split("\r\n");
      String[] status = lines[0].split(" ");
      Map<String, String> headers = new TreeMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1)
              .trim());
        }
      }
      int code = status.length > 1 && status[1].matches("[0-9]{3}") ? Integer.parseInt(status[1]) : 0;
      return new Response(code, headers, body, closed);
    }
  }
}
