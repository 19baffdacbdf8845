package dev.bucket.gate;

import dev.bucket.storage.MongoStore;
import io.vertx.core.json.JsonObject;

class GridFsStreamingUploadTest extends StreamingUploadContract {

  @Override
  String payloadStore() {
    return "gridfs";
  }

  /** The stand-in for MongoDB runs in this JVM and keeps every stored chunk on its heap. */
  @Override
  long heldByTheStoreInThisJvm(long uploaded) {
    return uploaded;
  }

  /** Chunks plus files documents: a partial upload would leave chunks behind. */
  @Override
  long storedObjects() {
    var mongo = ((MongoStore) node.node().store()).client();
    return mongo.count("payloads.chunks", new JsonObject()).await()
        + mongo.count("payloads.files", new JsonObject()).await();
  }
}
