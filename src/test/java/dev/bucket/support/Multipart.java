package dev.bucket.support;

import io.vertx.core.buffer.Buffer;

/** Hand-built multipart/form-data pieces, so tests can stream a body of any size without holding it. */
public final class Multipart {

  private Multipart() {
  }

  public static Buffer fieldPart(String boundary, String name, String value) {
    return Buffer.buffer("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + value + "\r\n");
  }

  public static Buffer fileHeader(String boundary, String name, String contentType) {
    return Buffer.buffer("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
        + "\"; filename=\"" + name + ".bin\"\r\nContent-Type: " + contentType + "\r\n\r\n");
  }

  public static Buffer closing(String boundary) {
    return Buffer.buffer("\r\n--" + boundary + "--\r\n");
  }
}
