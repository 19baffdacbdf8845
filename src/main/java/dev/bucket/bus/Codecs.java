package dev.bucket.bus;

import dev.bucket.audit.AuditAppend;
import dev.bucket.audit.AuditHead;
import dev.bucket.audit.AuditReceipt;
import dev.bucket.ingest.IngestCommand;
import dev.bucket.ingest.IngestOutcome;
import io.vertx.core.Vertx;

/** Registers the local codec of every message record once per Vert.x instance, before any verticle is deployed. */
public final class Codecs {

  private Codecs() {
  }

  public static void registerAll(Vertx vertx) {
    LocalCodec.register(vertx, AuditAppend.class);
    LocalCodec.register(vertx, AuditReceipt.class);
    LocalCodec.register(vertx, AuditHead.class);
    LocalCodec.register(vertx, IngestCommand.class);
    for (Class<?> outcome : IngestOutcome.class.getPermittedSubclasses()) {
      LocalCodec.register(vertx, outcome);
    }
  }
}
