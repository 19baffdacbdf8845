package dev.bucket.gate;

import io.vertx.core.json.JsonObject;
import dev.bucket.storage.MongoStore;
import io.vertx.ext.mongo.MongoClient;

class GridFsArtifactApiTest extends ArtifactApiContract {

  @Override
  String payloadStore() {
    return "gridfs";
  }

  @Override
  void tamperPayload(String ref, long offset) {
    MongoClient mongo = ((MongoStore) node.node().store()).client();
    JsonObject chunkQuery = new JsonObject()
        .put("files_id", new JsonObject().put("$oid", ref.substring("gridfs:".length())))
        .put("n", (int) (offset / dev.bucket.payload.PayloadStore.CHUNK_SIZE));
    JsonObject chunk = mongo.findOne("payloads.chunks", chunkQuery, null).await();
    byte[] data = chunk.getJsonObject("data").getBinary("$binary");
    int at = (int) (offset % dev.bucket.payload.PayloadStore.CHUNK_SIZE);
    data[at] = (byte) (data[at] ^ 0xff);
    mongo.updateCollection("payloads.chunks", chunkQuery,
        new JsonObject().put("$set", new JsonObject().put("data", new JsonObject().put("$binary", data)))).await();
  }
}
