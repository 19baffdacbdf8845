package dev.bucket.gate;

import dev.bucket.audit.AuditQueries;
import dev.bucket.governance.Role;
import dev.bucket.transparency.LogReader;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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

  private final AuditQueries queries;
  private final LogReader log;

  LogRoutes(AuditQueries queries, LogReader log) {
    this.queries = queries;
    this.log = log;
  }

  void mount(Router router) {
    router.get("/v1/log/checkpoint").setName("log.checkpoint").handler(ctx -> log.latest()
        .onSuccess(signed -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").end(signed.note()))
        .onFailure(ctx::fail));
    router.get("/v1/log/key").setName("log.key").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(log.verifier().verifierKey() + "\n"));
    router.get("/v1/log/entries/:index").setName("log.entry")
        .handler(Authentication.roles(Role.OWNER, Role.AUDITOR)).handler(this::entry);
    router.get("/v1/log/proof/inclusion").setName("log.proof").handler(this::inclusion);
    router.get("/v1/log/proof/consistency").setName("log.proof").handler(this::consistency);
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

  /** By {@code index}, or by {@code leaf_hash} (base64, as in the proofs) for a client that holds only the entry. */
  private void inclusion(RoutingContext ctx) {
    long treeSize = Requests.index(ctx.queryParams().get("tree_size"), "tree_size");
    String leaf = ctx.queryParams().get("leaf_hash");
    Future<Long> index;
    if (leaf != null) {
      byte[] hash;
      try {
        hash = Base64.getDecoder().decode(leaf);
      } catch (IllegalArgumentException e) {
        hash = new byte[0];
      }
      if (hash.length != 32) {
        throw Requests.invalid("leaf_hash must be the base64 of 32 bytes, SHA-256(0x00 || entry)");
      }
      index = queries.indexOfLeaf(java.util.HexFormat.of().formatHex(hash)).compose(found -> found != null ? Future.succeededFuture(found)
          : Future.failedFuture(new ApiException(ProblemType.NOT_FOUND, "no log entry has this leaf hash")));
    } else {
      index = Future.succeededFuture(Requests.index(ctx.queryParams().get("index"), "index"));
    }
    index.compose(i -> {
      if (i >= treeSize) {
        return Future.failedFuture(Requests.invalid("the entry's index " + i + " is not below tree_size "
            + treeSize));
      }
      return log.latest().compose(signed -> {
        checkSigned(treeSize, signed.checkpoint().size());
        return log.inclusion(i, treeSize);
      });
    }).onSuccess(proof -> Responses.json(ctx, 200, new JsonObject()
        .put("index", proof.index())
        .put("tree_size", proof.treeSize())
        .put("leaf_hash", B64.encodeToString(proof.leafHash()))
        .put("root_hash", B64.encodeToString(proof.rootHash()))
        .put("hashes", base64(proof.hashes())))).onFailure(ctx::fail);
  }

  private void consistency(RoutingContext ctx) {
    long first = Requests.index(ctx.queryParams().get("first"), "first");
    long second = Requests.index(ctx.queryParams().get("second"), "second");
    if (first < 1 || first > second) {
      throw Requests.invalid("need 1 <= first <= second");
    }
    log.latest().compose(signed -> {
      checkSigned(second, signed.checkpoint().size());
      return log.consistency(first, second);
    }).onSuccess(proof -> Responses.json(ctx, 200, new JsonObject()
        .put("first", proof.first())
        .put("second", proof.second())
        .put("first_root_hash", B64.encodeToString(proof.firstRoot()))
        .put("second_root_hash", B64.encodeToString(proof.secondRoot()))
        .put("hashes", base64(proof.hashes())))).onFailure(ctx::fail);
  }

  private static void checkSigned(long size, long signed) {
    if (size > signed) {
      throw Requests.invalid("tree size " + size + " is beyond the latest signed checkpoint (" + signed
          + " entries); checkpoints follow within a second");
    }
  }

  static JsonArray base64(List<byte[]> hashes) {
    JsonArray array = new JsonArray();
    hashes.forEach(hash -> array.add(B64.encodeToString(hash)));
    return array;
  }

}
