package dev.bucket.retention;

import dev.bucket.payload.GridFsPayloadStore;
import dev.bucket.payload.PayloadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

class TombstonerGridFsTest extends TombstonerContractTest {

  @Override
  protected Future<PayloadStore> createStore(Vertx vertx) {
    GridFsPayloadStore created = new GridFsPayloadStore(direct, () -> Future.succeededFuture(), "payloads");
    return created.init().map(created);
  }
}
