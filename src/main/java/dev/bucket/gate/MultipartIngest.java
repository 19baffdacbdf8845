package dev.bucket.gate;

import dev.bucket.config.BucketConfig;
import dev.bucket.ingest.IngestCommand;
import dev.bucket.payload.PayloadStore;
import dev.bucket.payload.StoredPayload;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Receives {@code multipart/form-data} uploads: exactly one {@code metadata} part (JSON) and exactly one
 * {@code payload} part, read by the strict {@link MultipartParser}; the payload's bytes, exactly as sent, are piped
 * into the payload store with backpressure (never held in memory) while they are hashed. Metadata sent ahead of the
 * payload is validated before the first payload byte is stored; metadata sent after it is validated at the end, and
 * a refused request releases the payload it stored. Whatever ends an upload early (a malformed body, a body that ends
 * before its closing delimiter, the client leaving) aborts the payload's write, which deletes its temp file.
 */
final class MultipartIngest {

  /** Room for boundaries and part headers on top of the metadata and payload limits. */
  private static final long MULTIPART_OVERHEAD = 64 * 1024;
  private static final Set<String> CREATE_FIELDS = Set.of("artifact_class", "artifact_id", "metadata");
  private static final Set<String> VERSION_FIELDS = Set.of("metadata");

  private final BucketConfig config;
  private final PayloadStore payloads;

  MultipartIngest(BucketConfig config, PayloadStore payloads) {
    this.config = config;
    this.payloads = payloads;
  }

  /** The validated metadata part. */
  private record Header(String artifactClass, String artifactId, JsonObject metadata) {
  }

  /** The validated metadata part and the durable payload. */
  record Upload(String artifactClass, String artifactId, JsonObject metadata, StoredPayload payload,
                String contentType) {

    IngestCommand toCommand(RoutingContext ctx, String product, String artifactId, String ifMatch,
                            GovernanceGate.WriteCheck check) {
      return new IngestCommand(product, artifactId, artifactClass, ifMatch, Operation.actor(ctx), metadata, payload,
          contentType, Requests.idempotencyKey(ctx), check.rulesVersion(), check.schemaVersion());
    }
  }

  IngestCommand create(RoutingContext ctx, Upload upload, GovernanceGate.WriteCheck check) {
    return upload.toCommand(ctx, Requests.product(ctx), upload.artifactId(), null, check);
  }

  IngestCommand version(RoutingContext ctx, Upload upload, GovernanceGate.WriteCheck check) {
    return upload.toCommand(ctx, Requests.product(ctx), Requests.artifactId(ctx), ArtifactRoutes.requireIfMatch(ctx),
        check);
  }

  /** Reads the upload of a request whose media type, {@code contentType}, is multipart/form-data. */
  Future<Upload> receive(RoutingContext ctx, HeaderValue contentType, boolean version) {
    HttpServerRequest request = ctx.request();
    Requests.product(ctx);
    Requests.idempotencyKey(ctx);
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    long ceiling = config.maxArtifactBytes() + config.maxMetadataBytes() + MULTIPART_OVERHEAD;
    if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > ceiling) {
      return Future.failedFuture(new ApiException(ProblemType.PAYLOAD_TOO_LARGE, "Content-Length " + length
          + " exceeds the limit of " + config.maxArtifactBytes() + " bytes per artifact"));
    }
    Receiver receiver = new Receiver(request, SlowClients.hold(ctx), version ? VERSION_FIELDS : CREATE_FIELDS);
    MultipartParser parser = MultipartParser.of(contentType, receiver);
    // However the exchange ends (answered early, cut off for slowness, connection lost), an upload still being read
    // is aborted, which releases its temp file.
    Exchange.onEnd(ctx, done -> receiver.fail(new ApiException(ProblemType.INVALID_REQUEST,
        "the exchange ended before the upload was complete")));
    request.handler(chunk -> {
      if (!receiver.done()) {
        try {
          parser.feed(chunk);
        } catch (ApiException malformed) {
          receiver.fail(malformed);
        }
      }
    });
    request.exceptionHandler(receiver::fail);
    request.endHandler(v -> receiver.end(parser));
    if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      request.response().writeContinue();
    }
    request.resume();
    return receiver.result.future();
  }

  /** State of one upload; every callback runs on the request's event loop. */
  private final class Receiver implements MultipartParser.Parts {
    private final HttpServerRequest request;
    private final SlowClients.Hold hold;
    private final Set<String> allowedFields;
    private final Promise<Upload> result = Promise.promise();
    private String current;
    private Buffer metadataBytes;
    private Header header;
    private PartStream payload;
    private Future<StoredPayload> stored;
    private String contentType;

    Receiver(HttpServerRequest request, SlowClients.Hold hold, Set<String> allowedFields) {
      this.request = request;
      this.hold = hold;
      this.allowedFields = allowedFields;
      // Whatever ends the upload early, a payload being written is aborted and one already stored is released.
      result.future().onFailure(e -> {
        if (payload != null) {
          payload.fail(e);
        }
        if (stored != null) {
          stored.onSuccess(p -> payloads.discard(p.ref()));
        }
      });
    }

    boolean done() {
      return result.future().isComplete();
    }

    @Override
    public void begin(MultipartParser.Part part) {
      if (done()) {
        return;
      }
      current = part.name();
      switch (part.name()) {
        case "metadata" -> {
          if (metadataBytes != null) {
            fail(Requests.invalid("only one 'metadata' part is allowed"));
          }
          metadataBytes = Buffer.buffer();
        }
        case "payload" -> {
          if (payload != null) {
            fail(Requests.invalid("only one 'payload' part is allowed"));
            return;
          }
          contentType = part.contentType();
          payload = new PartStream(request, hold);
          stored = payloads.store(payload, config.maxArtifactBytes());
          stored.onFailure(this::fail);
        }
        default -> fail(Requests.invalid("unexpected part '" + part.name() + "'; expected 'metadata' and "
            + "'payload'"));
      }
    }

    @Override
    public void data(Buffer bytes) {
      if (done()) {
        return;
      }
      if ("payload".equals(current)) {
        payload.write(bytes);
      } else if (metadataBytes.length() + bytes.length() > config.maxMetadataBytes()) {
        fail(Requests.invalid("the metadata part exceeds " + config.maxMetadataBytes() + " bytes"));
      } else {
        metadataBytes.appendBuffer(bytes);
      }
    }

    @Override
    public void end() {
      if (done()) {
        return;
      }
      if ("payload".equals(current)) {
        payload.end();
      } else {
        parseFields(metadataBytes);
      }
    }

    private void parseFields(Buffer json) {
      try {
        JsonObject parsed = Requests.onlyFields(Requests.jsonObject(json, "the 'metadata' part"), allowedFields,
            " in the metadata part");
        header = new Header(optionalClass(parsed), optionalId(parsed),
            Requests.metadata(parsed.getValue("metadata"), config.maxMetadataBytes()));
      } catch (DecodeException e) {
        fail(new ApiException(ProblemType.MALFORMED_JSON, "the 'metadata' part is not valid JSON"));
      } catch (ApiException e) {
        fail(e);
      }
    }

    /** The request's body is all in: it must have closed its multipart body and held both parts. */
    void end(MultipartParser parser) {
      if (done()) {
        return;
      }
      try {
        parser.finish();
      } catch (ApiException incomplete) {
        fail(incomplete);
        return;
      }
      if (header == null) {
        fail(new ApiException(ProblemType.MISSING_PART, "the request has no 'metadata' part"));
        return;
      }
      if (stored == null) {
        fail(new ApiException(ProblemType.MISSING_PART, "the request has no 'payload' part"));
        return;
      }
      stored.onSuccess(p -> result.tryComplete(
          new Upload(header.artifactClass(), header.artifactId(), header.metadata(), p, contentType)));
    }

    private String optionalClass(JsonObject fields) {
      return allowedFields.contains("artifact_class")
          ? Requests.matching("artifact_class", fields.getValue("artifact_class") instanceof String s ? s : null,
              Requests.ARTIFACT_CLASS)
          : null;
    }

    private String optionalId(JsonObject fields) {
      Object id = fields.getValue("artifact_id");
      if (id == null) {
        return null;
      }
      return Requests.matching("artifact_id", id instanceof String s ? s : String.valueOf(id), Requests.ARTIFACT_ID);
    }

    void fail(Throwable failure) {
      result.tryFail(failure);
    }
  }
}
