package dev.bucket.gate;

import dev.bucket.audit.AuditQueries;
import dev.bucket.bus.Addresses;
import dev.bucket.transparency.Checkpoint;
import dev.bucket.transparency.MerkleAppender;
import dev.bucket.transparency.MerkleProofs;
import dev.bucket.transparency.Node;
import dev.bucket.transparency.NoteVerifier;
import dev.bucket.transparency.TreeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The transparency log's read API: the signed checkpoint, the verifier key, entries byte for byte, and RFC 9162
 * inclusion and consistency proofs (lists of base64 hashes in RFC order) for any tree size up to the latest
 * checkpoint. Everything here can be checked offline with the verifier key alone.
 */
final class LogRoutes {

  private static final String TEXT = "text/plain; charset=utf-8";
  private static final Base64.Encoder B64 = Base64.getEncoder();

  private final Vertx vertx;
  private final AuditQueries queries;
  private final TreeStore tree;
  private final NoteVerifier verifier;
  private final DeliveryOptions delivery;

  LogRoutes(Vertx vertx, AuditQueries queries, TreeStore tree, NoteVerifier verifier, long timeoutMs) {
    this.vertx = vertx;
    this.queries = queries;
    this.tree = tree;
    this.verifier = verifier;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  void mount(Router router) {
    router.get("/v1/log/checkpoint").setName("log.checkpoint").handler(ctx -> signedCheckpoint()
        .onSuccess(note -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").end(note))
        .onFailure(ctx::fail));
    router.get("/v1/log/key").setName("log.key").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(verifier.verifierKey() + "\n"));
    router.get("/v1/log/entries/:index").setName("log.entry").handler(this::entry);
    router.get("/v1/log/proof/inclusion").setName("log.proof").handler(this::inclusion);
    router.get("/v1/log/proof/consistency").setName("log.proof").handler(this::consistency);
  }

  private Future<String> signedCheckpoint() {
    return vertx.eventBus().<String>request(Addresses.LOG_CHECKPOINT, null, delivery).map(Message::body);
  }

  /** The size of the latest signed checkpoint: proofs are served only for what has been signed. */
  private Future<Long> signedSize() {
    return signedCheckpoint().map(note -> Checkpoint.parse(NoteVerifier.open(note, verifier).text()).size());
  }

  private void entry(RoutingContext ctx) {
    long index = Requests.index(ctx.pathParam("index"), "index");
    queries.get(index).onSuccess(entry -> {
      if (entry == null) {
        ctx.fail(new ApiException(ProblemType.NOT_FOUND, "the log has no entry " + index + " yet"));
        return;
      }
      // The leaf input itself: SHA-256(0x00 || these bytes) is the leaf hash.
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(Buffer.buffer(entry.canonicalBytes()));
    }).onFailure(ctx::fail);
  }

  private void inclusion(RoutingContext ctx) {
    long index = Requests.index(ctx.queryParams().get("index"), "index");
    long treeSize = Requests.index(ctx.queryParams().get("tree_size"), "tree_size");
    if (index >= treeSize) {
      throw Requests.invalid("index must be below tree_size");
    }
    signedSize().compose(signed -> {
      checkSigned(treeSize, signed);
      List<Node.Id> ids = new ArrayList<>(MerkleProofs.inclusionNodes(index, treeSize));
      ids.add(new Node.Id(0, index));
      ids.addAll(MerkleAppender.rightEdge(treeSize));
      return tree.resolve(ids).map(source -> new JsonObject()
          .put("index", index)
          .put("tree_size", treeSize)
          .put("leaf_hash", B64.encodeToString(source.hash(0, index)))
          .put("root_hash", B64.encodeToString(MerkleProofs.rootHash(treeSize, source)))
          .put("hashes", base64(MerkleProofs.inclusionProof(index, treeSize, source))));
    }).onSuccess(body -> json(ctx, body)).onFailure(ctx::fail);
  }

  private void consistency(RoutingContext ctx) {
    long first = Requests.index(ctx.queryParams().get("first"), "first");
    long second = Requests.index(ctx.queryParams().get("second"), "second");
    if (first < 1 || first > second) {
      throw Requests.invalid("need 1 <= first <= second");
    }
    signedSize().compose(signed -> {
      checkSigned(second, signed);
      // RFC 9162: the proof between a tree and itself is empty.
      List<Node.Id> ids = new ArrayList<>(first == second ? List.of() : MerkleProofs.consistencyNodes(first, second));
      ids.addAll(MerkleAppender.rightEdge(first));
      ids.addAll(MerkleAppender.rightEdge(second));
      return tree.resolve(ids).map(source -> new JsonObject()
          .put("first", first)
          .put("second", second)
          .put("first_root_hash", B64.encodeToString(MerkleProofs.rootHash(first, source)))
          .put("second_root_hash", B64.encodeToString(MerkleProofs.rootHash(second, source)))
          .put("hashes", base64(first == second ? List.of() : MerkleProofs.consistencyProof(first, second, source))));
    }).onSuccess(body -> json(ctx, body)).onFailure(ctx::fail);
  }

  private static void checkSigned(long size, long signed) {
    if (size > signed) {
      throw Requests.invalid("tree size " + size + " is beyond the latest signed checkpoint (" + signed
          + " entries); checkpoints follow within a second");
    }
  }

  private static JsonArray base64(List<byte[]> hashes) {
    JsonArray array = new JsonArray();
    hashes.forEach(hash -> array.add(B64.encodeToString(hash)));
    return array;
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }
}
