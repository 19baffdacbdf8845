package dev.bucket.gate;

import io.vertx.core.json.JsonObject;

class GridFsStreamingUploadTest extends StreamingUploadContract {

  @Override
  String payloadStore() {
    return "gridfs";
  }

  /** Chunks plus files documents: a partial upload would leave chunks behind. */
  @Override
  long storedObjects() {
    var mongo = node.node().metadata().client();
    return mongo.count("payloads.chunks", new JsonObject()).await()
        + mongo.count("payloads.files", new JsonObject()).await();
  }
}
