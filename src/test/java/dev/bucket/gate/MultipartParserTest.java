package dev.bucket.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The strict multipart reader on its own: parts come out the same however the body is cut into chunks. */
class MultipartParserTest {

  static final String BOUNDARY = "b0undary";
  static final HeaderValue TYPE = HeaderValue.mediaType("multipart/form-data; boundary=" + BOUNDARY);

  /** Records the parts as "name|type|content" strings. */
  static final class Recorder implements MultipartParser.Parts {
    final List<String> parts = new ArrayList<>();
    private StringBuilder current;
    private String head;

    @Override
    public void begin(MultipartParser.Part part) {
      head = part.name() + "|" + part.contentType() + "|";
      current = new StringBuilder();
    }

    @Override
    public void data(Buffer bytes) {
      current.append(new String(bytes.getBytes(), StandardCharsets.ISO_8859_1));
    }

    @Override
    public void end() {
      parts.add(head + current);
    }
  }

  static List<String> parse(String body, int... cuts) {
    Recorder recorder = new Recorder();
    MultipartParser parser = MultipartParser.of(TYPE, recorder);
    int from = 0;
    for (int cut : cuts) {
      parser.feed(Buffer.buffer(body.substring(from, cut).getBytes(StandardCharsets.ISO_8859_1)));
      from = cut;
    }
    parser.feed(Buffer.buffer(body.substring(from).getBytes(StandardCharsets.ISO_8859_1)));
    parser.finish();
    return recorder.parts;
  }

  static final String PAYLOAD = "\r\n--b0undar\r\n-" + "\r\n\r\n--b0undaryx".substring(0, 10) + "\u0000\u00ff\r";
  static final String BODY = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{}\r\n"
      + "--" + BOUNDARY + "  \r\nContent-Disposition: form-data; name=\"payload\"; filename=\"p\"\r\n"
      + "Content-Type: application/x-thing\r\n\r\n" + PAYLOAD + "\r\n--" + BOUNDARY + "--\r\nepilogue";

  @Test
  void everyCutGivesTheSameParts() {
    List<String> expected = List.of("metadata|application/octet-stream|{}", "payload|application/x-thing|" + PAYLOAD);
    assertThat(parse(BODY)).isEqualTo(expected);
    for (int cut = 1; cut < BODY.length(); cut++) {
      assertThat(parse(BODY, cut)).as("cut at " + cut).isEqualTo(expected);
    }
    int[] everyByte = new int[BODY.length() - 1];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = i + 1;
    }
    assertThat(parse(BODY, everyByte)).isEqualTo(expected);
  }

  @Test
  void aBodyWithoutItsClosingDelimiterIsRefusedAtTheEnd() {
    String open = BODY.substring(0, BODY.indexOf("\r\n--" + BOUNDARY + "--"));
    assertThatThrownBy(() -> parse(open)).isInstanceOf(ApiException.class)
        .hasMessageContaining("closing delimiter");
  }
}
