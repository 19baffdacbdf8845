package dev.bucket.verify;

import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.MerkleAppender;
import dev.bucket.transparency.MerkleHash;
import dev.bucket.transparency.NoteException;
import dev.bucket.transparency.NoteVerifier;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Exports a gateway's log for {@link LogVerifier}: fetches the signed checkpoint first, then exactly the entries it
 * covers, {@code GET /v1/log/entries/0} to {@code size - 1}, a few requests in flight on kept-alive connections,
 * written in index order as {@code {"index": i, "entry": "<base64>"}} lines. Talks to the given base URL only.
 *
 * <p>The entries are written to {@code <out>.part} and moved into place once all are fetched. The export also checks
 * itself: the entries' Merkle root must be the checkpoint's, else {@link Result#rootMatches()} is false.
 */
public final class LogExporter {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final HttpClient client;
  private final int parallelism;
  private final String apiKey;

  /**
   * @param baseUrl     the gateway, e.g. {@code http://127.0.0.1:8080}
   * @param parallelism requests in flight at once, at least 1
   * @param apiKey      an owner or auditor key (entries are not public), or null for a server that needs none
   */
  public LogExporter(String baseUrl, HttpClient client, int parallelism, String apiKey)
      throws UnusableInputException {
    this.base = baseUri(baseUrl);
    this.apiKey = apiKey;
    this.client = Objects.requireNonNull(client, "client");
    if (parallelism < 1) {
      throw new UnusableInputException("parallelism must be at least 1, got " + parallelism);
    }
    this.parallelism = parallelism;
  }

  /** A client fit for exports: HTTP/1.1 keep-alive, no redirects (they could lead elsewhere). */
  public static HttpClient defaultClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * @param checkpoint  the checkpoint the export is for, as the server signed it
   * @param rootMatches whether the exported entries' Merkle root is the checkpoint's
   */
  public record Result(Checkpoint checkpoint, long entries, boolean rootMatches) {
  }

  /** The server failed or answered something that is not a log. */
  public static final class ExportException extends Exception {

    public ExportException(String message) {
      super(message);
    }
  }

  /**
   * Fetches the checkpoint, saves its note exactly as served to {@code checkpointOut}, then exports its entries to
   * {@code out}.
   *
   * @param trusted the key the checkpoint must verify with; null to use the server's own {@code /v1/log/key}, which
   *                only checks the note is well-formed (verify the export with a trusted key afterwards)
   * @throws IOException if a local file cannot be written
   */
  public Result export(Path out, Path checkpointOut, NoteVerifier trusted)
      throws ExportException, IOException, InterruptedException {
    byte[] note = get("/v1/log/checkpoint");
    NoteVerifier key = trusted != null ? trusted : serverKey();
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.parse(NoteVerifier.open(new String(note, StandardCharsets.UTF_8), key).text());
    } catch (NoteException | IllegalArgumentException e) {
      throw new ExportException("the server's checkpoint does not verify with " + key.verifierKey() + ": "
          + e.getMessage());
    }
    Files.write(checkpointOut, note);

    Path part = out.resolveSibling(out.getFileName() + ".part");
    MerkleAppender tree = new MerkleAppender();
    Deque<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayDeque<>();
    boolean done = false;
    try (BufferedWriter writer = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
      long next = 0;
      for (long index = 0; index < checkpoint.size(); index++) {
        while (next < checkpoint.size() && next < index + parallelism) {
          inFlight.add(client.sendAsync(request("/v1/log/entries/" + next), HttpResponse.BodyHandlers.ofByteArray()));
          next++;
        }
        byte[] entry = body(await(inFlight.remove(), "/v1/log/entries/" + index), "/v1/log/entries/" + index);
        tree.append(MerkleHash.leafHash(entry));
        writer.write(new JsonObject().put("index", index).put("entry", Base64.getEncoder().encodeToString(entry))
            .encode());
        writer.write('\n');
      }
      done = true;
    } finally {
      inFlight.forEach(future -> future.cancel(true));
      if (!done) {
        Files.deleteIfExists(part);
      }
    }
    move(part, out);
    return new Result(checkpoint, checkpoint.size(), MessageDigest.isEqual(tree.root(), checkpoint.rootHash()));
  }

  private NoteVerifier serverKey() throws ExportException, InterruptedException {
    String line = new String(get("/v1/log/key"), StandardCharsets.UTF_8).strip();
    try {
      return NoteVerifier.fromVerifierKey(line);
    } catch (IllegalArgumentException e) {
      throw new ExportException("the server's /v1/log/key is not a verifier key: " + e.getMessage());
    }
  }

  private byte[] get(String path) throws ExportException, InterruptedException {
    return body(await(client.sendAsync(request(path), HttpResponse.BodyHandlers.ofByteArray()), path), path);
  }

  private HttpRequest request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT).GET();
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    return request.build();
  }

  private static HttpResponse<byte[]> await(CompletableFuture<HttpResponse<byte[]>> response, String path)
      throws ExportException, InterruptedException {
    try {
      return response.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ExportException("GET " + path + " failed: " + cause);
    }
  }

  private static byte[] body(HttpResponse<byte[]> response, String path) throws ExportException {
    if (response.statusCode() != 200) {
      throw new ExportException("GET " + path + " answered HTTP " + response.statusCode() + ": "
          + new String(response.body(), StandardCharsets.UTF_8).strip());
    }
    return response.body();
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** {@code http(s)://host[:port][/path]} without query or fragment, and without a trailing slash. */
  private static URI baseUri(String url) throws UnusableInputException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      throw new UnusableInputException("not a URL: " + url);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new UnusableInputException("the gateway URL must be http(s)://host[:port][/path], got " + url);
    }
    String text = uri.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    return URI.create(text);
  }
}
